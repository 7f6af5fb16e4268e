import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactionStack } from '../../../src/editor/compactionModel';
import { TableDocumentModel } from '../../../src/editor/document';
import { findReplacement, rangeFromName } from '../../../src/editor/replacement';
import type { TableInfo } from '../../../src/store/api';

function info(name: string, size: number, refs = 10, tomb = 0): TableInfo {
  const r = rangeFromName(name)!;
  return {
    name, size, minUpdateIndex: r.min, maxUpdateIndex: r.max, refCount: refs, logCount: 0, objCount: 0, refTombstones: tomb, logTombstones: 0,
    blocks: { ref: 1, obj: 0, log: 0, index: 0 },
  };
}
const n = (min: number, max: number) => `0x${min.toString(16).padStart(12, '0')}-0x${max.toString(16).padStart(12, '0')}-0123abcd.ref`;

describe('compactionStack (geometric rule, reftable-format § 7.4)', () => {
  it('matches git: sizes 1653, 290, 483 merge tables 1..2', () => {
    const s = compactionStack('main', '/r', [info(n(1, 5), 1653 + 91), info(n(6, 6), 290 + 91), info(n(7, 7), 483 + 91)], 'sha1');
    expect(s.satisfied).toBe(false);
    expect(s.next).toMatchObject({ start: 1, end: 2, tables: 2, resultPolicySize: 290 + 483, dropsTombstones: false });
    expect(s.layers.map((l) => l.inNextSegment)).toEqual([false, true, true]);
    expect(s.layers.map((l) => l.geometricOk)).toEqual([true, false, true]);
  });
  it('matches git: sizes 2923, 1114, 182, 376 merge everything and drop tombstones', () => {
    const s = compactionStack('main', '/r', [info(n(1, 4), 2923 + 91), info(n(5, 5), 1114 + 91), info(n(6, 6), 182 + 91), info(n(7, 7), 376 + 91)], 'sha1');
    expect(s.next).toMatchObject({ start: 0, end: 3, dropsTombstones: true });
  });
  it('reports a satisfied stack and uses the SHA-256 size offset', () => {
    const s = compactionStack('main', '/r', [info(n(1, 4), 4000 + 99), info(n(5, 5), 100 + 99)], 'sha256');
    expect(s.satisfied).toBe(true);
    expect(s.next).toBeUndefined();
    expect(s.layers[1].policySize).toBe(100);
  });
  it('honours the factor', () => {
    const tables = [info(n(1, 4), 300 + 91), info(n(5, 5), 100 + 91)];
    expect(compactionStack('main', '/r', tables, 'sha1', 2).satisfied).toBe(true);
    expect(compactionStack('main', '/r', tables, 'sha1', 4).satisfied).toBe(false);
  });
  it('warns about tombstone-heavy layers', () => {
    const s = compactionStack('main', '/r', [info(n(1, 4), 5000, 100), info(n(5, 5), 300, 4, 3)], 'sha1');
    expect(s.layers[1].tombstoneShare).toBeCloseTo(0.75);
    expect(s.warnings.join(' ')).toMatch(/tombstones/);
  });
});

describe('findReplacement', () => {
  it('picks the newest listed table covering the old range', () => {
    const listed = [n(1, 10), n(11, 20), n(21, 21)];
    expect(findReplacement({ min: 12, max: 14, name: n(12, 14) }, listed)?.name).toBe(n(11, 20));
    expect(findReplacement({ min: 21, max: 21, name: n(21, 21) }, [n(1, 10), n(11, 21)])?.name).toBe(n(11, 21));
    expect(findReplacement({ min: 5, max: 25, name: n(5, 25) }, listed)).toBeUndefined();
    expect(findReplacement({ min: 1, max: 3, name: n(1, 3) }, ['garbage', n(1, 10)])?.name).toBe(n(1, 10));
  });
});

describe('TableDocumentModel', () => {
  const dir = join(__dirname, '../../fixtures/basic.git/reftable');
  const name = readdirSync(dir).filter((f) => f.endsWith('.ref')).sort()[0];

  it('opens a git-made table and answers block, seek and lookup requests', () => {
    const doc = new TableDocumentModel(join(dir, name), name, 'sha1');
    const init = doc.initMessage();
    expect(init.type).toBe('init');
    if (init.type !== 'init') return;
    expect(init.layout!.blocks.length).toBeGreaterThan(0);
    expect(init.findings?.filter((f) => f.severity === 'error')).toEqual([]);
    const r = doc.handle({ type: 'request', id: 1, method: 'block', params: { index: 0 } });
    expect(r).toMatchObject({ type: 'response', id: 1, ok: true });
    if (r.ok) {
      const p = r.result as { bytes: ArrayBuffer; layout: { summary: { paddedLength: number } } };
      expect(p.bytes.byteLength).toBe(p.layout.summary.paddedLength);
    }
    const s = doc.handle({ type: 'request', id: 2, method: 'seek', params: { name: 'refs/heads/main', section: 'ref' } });
    expect(s).toMatchObject({ id: 2, ok: true, result: { found: { key: 'refs/heads/main' } } });
    const bad = doc.handle({ type: 'request', id: 3, method: 'block', params: { index: 9999 } });
    expect(bad).toMatchObject({ id: 3, ok: false });
    doc.dispose();
  });

  it('sends inflated bytes for log blocks', () => {
    const doc = new TableDocumentModel(join(dir, name), name);
    const li = doc.layout!.blocks.findIndex((b) => b.type === 'log');
    expect(li).toBeGreaterThanOrEqual(0);
    const r = doc.handle({ type: 'request', id: 1, method: 'block', params: { index: li } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const p = r.result as { inflated?: ArrayBuffer; layout: { summary: { blockLen: number } } };
      expect(p.inflated?.byteLength).toBe(p.layout.summary.blockLen);
    }
    doc.dispose();
  });

  it('reports a file that is not a table as an init error and a finding', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'inspector-'));
    const f = join(tmp, 'junk.ref');
    writeFileSync(f, 'not a reftable at all, just text');
    const doc = new TableDocumentModel(f, 'junk.ref');
    const init = doc.initMessage();
    expect(init.type === 'init' && init.error?.message).toMatch(/magic/);
    expect(init.type === 'init' && init.findings?.[0].severity).toBe('error');
    doc.dispose();
  });
});

describe('TableDocumentModel on a big table', () => {
  it('defers verification past the first paint and still answers it', () => {
    const dir = join(__dirname, '../../fixtures/small-blocks.git/reftable');
    const name = readdirSync(dir).find((f) => f.endsWith('.ref'))!;
    const doc = new TableDocumentModel(join(dir, name), name, 'sha1');
    const saved = TableDocumentModel.EAGER_VERIFY;
    (TableDocumentModel as unknown as { EAGER_VERIFY: number }).EAGER_VERIFY = 1000;
    try {
      expect(doc.verifyDeferred).toBe(true);
      const init = doc.initMessage();
      expect(init.type === 'init' && init.findings).toBeUndefined();
      expect(doc.findings().filter((f) => f.severity === 'error')).toEqual([]);
      expect(doc.verifyDeferred).toBe(false);
    } finally {
      (TableDocumentModel as unknown as { EAGER_VERIFY: number }).EAGER_VERIFY = saved;
      doc.dispose();
    }
  });
});

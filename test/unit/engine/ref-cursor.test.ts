/**
 * The allocation-free ref cursors (src/engine/ref-cursor.ts) against the generator-based
 * merge they replace on the hot paths: same records, same winners, same shadowing.
 */
import { describe, expect, it } from 'vitest';
import { compareBytes, text, utf8 } from '../../../src/engine/bytes';
import { SHA1 } from '../../../src/engine/format';
import { MergedTables, mergeByKey } from '../../../src/engine/merged';
import { RefRecord } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { writeTable } from '../../../src/engine/writer';

/** Deterministic pseudo-random numbers (a test must not vary between runs). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

function oid(n: number): Uint8Array {
  const b = new Uint8Array(20);
  for (let i = 0; i < 20; i++) b[i] = (n * 31 + i * 7) & 0xff;
  return b;
}

/** Tables oldest → newest over overlapping names, with tombstones, peeled refs and symrefs. */
function stack(nTables: number, perTable: number, blockSize: number, restartInterval: number): Table[] {
  const rand = rng(nTables * 1000 + perTable);
  const tables: Table[] = [];
  for (let t = 0; t < nTables; t++) {
    const names = new Map<string, RefRecord>();
    for (let i = 0; i < perTable; i++) {
      const k = Math.floor(rand() * perTable * 2);
      // Long names on some records: two-byte suffix-length varints at restarts.
      const name = `refs/heads/${k % 7 === 0 ? 'x'.repeat(40) + '/' : ''}b${String(k).padStart(5, '0')}`;
      const u = t + 1;
      const kind = rand();
      const rec: RefRecord = kind < 0.15
        ? { kind: 'ref', name: utf8(name), updateIndex: u, valueType: 0 }
        : kind < 0.2
          ? { kind: 'ref', name: utf8(name), updateIndex: u, valueType: 3, target: utf8('refs/heads/main') }
          : kind < 0.3
            ? { kind: 'ref', name: utf8(name), updateIndex: u, valueType: 2, value: oid(k + t), peeled: oid(k + t + 1) }
            : { kind: 'ref', name: utf8(name), updateIndex: u, valueType: 1, value: oid(k + t) };
      names.set(name, rec);
    }
    if (t === 0) names.set('HEAD', { kind: 'ref', name: utf8('HEAD'), updateIndex: 1, valueType: 3, target: utf8('refs/heads/main') });
    const recs = [...names.values()].sort((a, b) => compareBytes(a.name, b.name));
    const bytes = writeTable({ hash: SHA1, blockSize, restartInterval, minUpdateIndex: t + 1, maxUpdateIndex: t + 1 }, recs, []);
    tables.push(Table.open(bytes!, { name: `t${t}` }));
  }
  return tables;
}

/** The reference: per-table generators merged by mergeByKey, deletions filtered after the merge. */
function expected(tables: Table[], from: Uint8Array | undefined, includeDeletions: boolean): string[] {
  const streams = tables.map((t) => (from ? t.seekRefs(from) : t.refs()));
  const out: string[] = [];
  for (const s of mergeByKey(streams, (r) => r.name)) {
    if (!includeDeletions && s.record.valueType === 0) continue;
    out.push(describe1(s.record, s.tableIndex));
  }
  return out;
}

function describe1(r: RefRecord, tableIndex: number): string {
  const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : '-');
  return `${text(r.name)} ${r.valueType} ${r.updateIndex} ${hex(r.value)} ${hex(r.peeled)} ${r.target ? text(r.target) : '-'} @${tableIndex}`;
}

describe('MergedRefCursor', () => {
  const shapes: [number, number, number, number][] = [[1, 300, 4096, 16], [3, 200, 256, 3], [12, 60, 1024, 1], [40, 25, 4096, 16]];
  for (const [n, per, bs, ri] of shapes) {
    it(`matches the generator merge: ${n} table(s) of ${per} refs, block ${bs}, restart interval ${ri}`, () => {
      const tables = stack(n, per, bs, ri);
      const merged = new MergedTables(tables);
      const froms = [undefined, utf8('refs/heads/b00100'), utf8('refs/heads/x'), utf8('refs/heads/b00100-'), utf8('zzz'), utf8('A')];
      for (const from of froms) {
        for (const includeDeletions of [false, true]) {
          const want = expected(tables, from, includeDeletions);
          const got = [...merged.refs(from, { includeDeletions })].map((s) => describe1(s.record, s.tableIndex));
          expect(got).toEqual(want);
          if (from === undefined && !includeDeletions) expect(want.length).toBeGreaterThan(0);
          // The raw cursor sees the same names without materializing records.
          const c = merged.refCursor({ includeDeletions });
          c.seek(from);
          const names: string[] = [];
          while (c.next()) names.push(text(c.current!.key.subarray(0, c.current!.keyLen)));
          expect(names).toEqual(want.map((w) => w.split(' ')[0]));
        }
      }
    });
  }

  it('orders long names that differ anywhere, within or across 4-byte words, and of any length', () => {
    // Names of 100-700 bytes (the cursor's key buffer grows) that share long prefixes and
    // differ at every offset modulo 4, some a prefix of another; some repeated in a newer table.
    const rand = rng(7);
    const base = `refs/heads/${'p'.repeat(90)}`;
    const all: string[] = [];
    for (let i = 0; i < 400; i++) {
      const at = Math.floor(rand() * 600);
      const c = String.fromCharCode(97 + Math.floor(rand() * 26));
      const name = `${base}${'q'.repeat(at)}${c}${i % 3 === 0 ? '' : 'z'.repeat(i % 5)}`;
      all.push(name);
    }
    const unique = [...new Set(all)];
    const perTable: string[][] = [[], [], [], [], []];
    unique.forEach((n, i) => perTable[i % 5].push(n));
    // Ten names written again by the newest table: it must win.
    const again = unique.slice(0, 10);
    perTable[4].push(...again.filter((n) => !perTable[4].includes(n)));
    const tables = perTable.map((names, t) => {
      const recs: RefRecord[] = [...names].sort((a, b) => compareBytes(utf8(a), utf8(b)))
        .map((n) => ({ kind: 'ref', name: utf8(n), updateIndex: t + 1, valueType: 1, value: oid(t) }));
      return Table.open(writeTable({ hash: SHA1, minUpdateIndex: t + 1, maxUpdateIndex: t + 1, blockSize: 4096 }, recs, [])!, { hash: SHA1, name: `t${t}` });
    });
    const c = new MergedTables(tables).refCursor();
    c.seek();
    const got: string[] = [];
    const winners = new Map<string, number>();
    while (c.next()) {
      const name = text(c.current!.key.subarray(0, c.current!.keyLen));
      got.push(name);
      winners.set(name, c.current!.tableIndex);
    }
    expect(got).toEqual([...unique].sort((a, b) => compareBytes(utf8(a), utf8(b))));
    for (const n of again) expect(winners.get(n)).toBe(4);
  });

  it('Table.ref finds every name the scan sees and nothing between them', () => {
    const [t] = stack(1, 500, 512, 4);
    const all = [...t.refs()];
    expect(all.length).toBeGreaterThan(100);
    for (const r of all) expect(describe1(t.ref(r.name)!, 0)).toBe(describe1(r, 0));
    for (const r of all) {
      expect(t.ref(utf8(text(r.name) + '-'))).toBeUndefined();
      expect(t.ref(utf8(text(r.name).slice(0, -1)))).toBeUndefined();
    }
    expect(t.ref(utf8('zzzz'))).toBeUndefined();
    expect(t.ref(utf8('A'))).toBeUndefined();
  });
});

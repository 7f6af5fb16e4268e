/**
 * The write path's view of a stack: large tables are read with positioned reads (a one-ref
 * transaction must not pull a big base table in whole), reused between loads while the file
 * is unchanged, and re-opened when a file of the same name is a different file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileSource } from '../../../src/store/fs-source';
import { initRepository } from '../../../src/store/init';
import { discoverRepository } from '../../../src/store/repository';
import { loadStack, openTableFile } from '../../../src/store/tables-list';
import { applyTransaction } from '../../../src/store/transaction';
import { RefDatabase } from '../../../src/store/refdb';
import { A, B, env as writeEnv } from './scratch';
import { setFaultInjector } from '../../../src/store/lock';
import { ReftableError } from '../../../src/engine/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-tables-list-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
// Auto-compaction stays on here: the folded transaction is what some of these tests are about.
const env = { ...writeEnv, GIT_TEST_REFTABLE_AUTOCOMPACTION: 'true' };

/** A repository whose stack is one table of `n` refs (with reflogs): well over 256 KiB. */
function bigRepo(name: string, n: number) {
  const dir = path.join(tmp, name);
  initRepository(dir);
  const info = discoverRepository(dir);
  const updates = [];
  for (let i = 0; i < n; i++) updates.push({ op: 'create' as const, name: `refs/heads/b${String(i).padStart(6, '0')}`, oid: A });
  applyTransaction(info, updates, { env });
  return info;
}

describe('openTableFile / loadStack', () => {
  it('serves a one-ref transaction on a large table from a few positioned reads', () => {
    const info = bigRepo('positioned', 30_000);
    const dir = path.join(info.commonDir, 'reftable');
    const stack = loadStack({ dir, hash: info.hash });
    const big = stack.tables.reduce((a, t) => (t.source.size > a.source.size ? t : a));
    expect(big.source.size).toBeGreaterThan(512 * 1024);
    const source = big.source as FileSource;
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/zz-new', oid: B }], { env });
    applyTransaction(info, [{ op: 'update', name: 'refs/heads/b000123', oid: B }], { env });
    // Header, footer, index and the blocks the lookups touched: a few KiB beyond the probe.
    expect(source.bytesRead).toBeLessThan(big.source.size / 4);
    const db = RefDatabase.open(info.commonDir);
    expect(db.ref('refs/heads/b000123')?.oid).toBe(B);
    expect(db.ref('refs/heads/b000124')?.oid).toBe(A);
    expect(db.ref('refs/heads/zz-new')?.oid).toBe(B);
    db.close();
  });

  it('reuses an unchanged large table and re-opens a replaced file of the same name', () => {
    const info = bigRepo('reuse', 20_000);
    const dir = path.join(info.commonDir, 'reftable');
    const first = loadStack({ dir, hash: info.hash });
    const name = first.names[first.tables.findIndex((t) => t.source.size > 256 * 1024)];
    expect(name).toBeDefined();
    const again = openTableFile(dir, name, info.hash);
    expect(again).toBe(first.tables[first.names.indexOf(name)]);
    // Same name, new file (as a restore from backup would do): must not be served from the cache.
    const file = path.join(dir, name);
    const copy = `${file}.copy`;
    fs.copyFileSync(file, copy);
    fs.renameSync(copy, file);
    const fresh = openTableFile(dir, name, info.hash);
    expect(fresh).not.toBe(again);
    expect(fresh.source.size).toBe(again.source.size);
  });
});

/** Every file of a stack directory with its bytes, to prove a failed write changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f)).toString('base64');
  return out;
}

describe('a large transaction on a small stack (folded into the compaction it triggers)', () => {
  const bulk = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'create' as const, name: `refs/heads/f${String(i).padStart(5, '0')}`, oid: B }));
  const small = (name: string) => {
    const dir = path.join(tmp, name);
    initRepository(dir);
    const info = discoverRepository(dir);
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env: writeEnv });
    return { info, stackDir: path.join(info.commonDir, 'reftable') };
  };

  it('writes one table and leaves no lock behind', () => {
    const { info, stackDir } = small('fold-ok');
    expect(fs.readFileSync(path.join(stackDir, 'tables.list'), 'utf8').trim().split('\n')).toHaveLength(2);
    const r = applyTransaction(info, bulk(2000), { env });
    const list = fs.readFileSync(path.join(stackDir, 'tables.list'), 'utf8').trim().split('\n');
    expect(list).toEqual([r.tables[0].name]);
    expect(r.compacted).toMatchObject({ tablesBefore: 3, tablesAfter: 1, merged: { start: 0, end: 2 } });
    expect(fs.readdirSync(stackDir).sort()).toEqual([...list, 'tables.list'].sort());
    const db = RefDatabase.open(info.commonDir);
    expect(db.ref('refs/heads/main')?.oid).toBe(A);
    expect(db.ref('refs/heads/f01999')?.oid).toBe(B);
    expect(db.ref('HEAD')?.target).toBe('refs/heads/main');
    db.close();
  });

  it('falls back to adding the table when another process holds a table lock, and keeps that lock', () => {
    const { info, stackDir } = small('fold-locked');
    const before = fs.readFileSync(path.join(stackDir, 'tables.list'), 'utf8').trim().split('\n');
    const held = path.join(stackDir, `${before[0]}.lock`);
    fs.writeFileSync(held, '');
    const r = applyTransaction(info, bulk(2000), { env });
    const list = fs.readFileSync(path.join(stackDir, 'tables.list'), 'utf8').trim().split('\n');
    // Added on top; auto-compaction then merged what it could lock (the two newer tables).
    expect(list[0]).toBe(before[0]);
    expect(list).toHaveLength(2);
    expect(r.tables[0].name).not.toBe(list[1]);
    expect(fs.existsSync(held)).toBe(true);
    fs.unlinkSync(held);
  });

  it('a failed write of the merged table leaves the stack byte for byte as it was', () => {
    for (const [op, code] of [['writeSync', 'ENOSPC'], ['fsyncSync', 'EIO'], ['renameSync', 'EACCES']] as const) {
      const { info, stackDir } = small(`fold-fail-${op}`);
      const before = snapshot(stackDir);
      setFaultInjector((o, f) => {
        if (o === op && (f.includes('.temp.') || (op === 'renameSync' && f.endsWith('tables.list.lock')))) {
          throw Object.assign(new Error(`${code}: injected`), { code });
        }
      });
      let err: unknown;
      try {
        applyTransaction(info, bulk(2000), { env });
      } catch (e) {
        err = e;
      } finally {
        setFaultInjector(undefined);
      }
      expect(err, op).toBeInstanceOf(ReftableError);
      expect(snapshot(stackDir), op).toEqual(before);
    }
  });
});

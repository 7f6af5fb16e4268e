/**
 * Store write API as the extension host uses it, without git: rename/copy with an expected
 * value checked under the lock, reflog entry deletion by update index, the partial-commit
 * report of a transaction spanning a linked worktree's stack, the fast ref-name check
 * against git's rule-by-rule order, and the batched lookups of large transactions (existing
 * refs, directory/file conflicts against the stack and within the transaction).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { A, B, C, env, scratchRepos } from './scratch';
import { ReftableError } from '../../../src/engine/errors';
import { setFaultInjector } from '../../../src/store/lock';
import { RefDatabase } from '../../../src/store/refdb';
import { isHex, oidFromHex } from '../../../src/store/hex';
import { deleteReflogEntryByIndex } from '../../../src/store/reflog-edit';
import { refnameProblem, refnameProblemByRules } from '../../../src/store/refname';
import { applyTransaction, copyRef, renameRef } from '../../../src/store/transaction';
import { storeBackend } from '../../../src/model/store-adapter';

const { repo } = scratchRepos('rt-write-api-');
function caught(fn: () => unknown): ReftableError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReftableError) return e;
    throw e;
  }
  throw new Error('expected a ReftableError');
}
function listText(info: { commonDir: string }): string {
  return fs.readFileSync(path.join(info.commonDir, 'reftable', 'tables.list'), 'utf8');
}
function refs(info: ReturnType<typeof repo>): Record<string, string | undefined> {
  const db = RefDatabase.fromInfo(info);
  try {
    return Object.fromEntries([...db.refs({})].map((r) => [r.name, r.oid ?? r.target]));
  } finally {
    db.close();
  }
}

describe('renameRef / copyRef with expectedOid', () => {
  it('renames when the old ref still holds the expected value', () => {
    const info = repo('rename-ok');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env });
    const r = renameRef(info, 'refs/heads/a', 'refs/heads/b', { expectedOid: A, env, autoCompact: false });
    expect(r.tables.length).toBeGreaterThan(0);
    const now = refs(info);
    expect(now['refs/heads/b']).toBe(A);
    expect(now['refs/heads/a']).toBeUndefined();
  });

  it('a moved or deleted ref fails with EXPECTATION naming it, and nothing is written', () => {
    const info = repo('rename-moved');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env });
    applyTransaction(info, [{ op: 'update', name: 'refs/heads/a', oid: B }], { env });
    const before = listText(info);
    const e = caught(() => renameRef(info, 'refs/heads/a', 'refs/heads/b', { expectedOid: A, env }));
    expect(e.code).toBe('EXPECTATION');
    expect(e.data.ref).toBe('refs/heads/a');
    expect(e.message).toContain(B);
    const c = caught(() => copyRef(info, 'refs/heads/a', 'refs/heads/c', { expectedOid: A.toUpperCase(), env }));
    expect(c.code).toBe('EXPECTATION');
    expect(listText(info)).toBe(before);
    expect(fs.existsSync(path.join(info.commonDir, 'reftable', 'tables.list.lock'))).toBe(false);

    applyTransaction(info, [{ op: 'delete', name: 'refs/heads/a' }], { env });
    const gone = caught(() => renameRef(info, 'refs/heads/a', 'refs/heads/b', { expectedOid: B, env }));
    expect(gone.code).toBe('EXPECTATION');
    expect(gone.message).toContain('missing');
    // Without an expectation a missing ref stays NOT_FOUND.
    expect(caught(() => renameRef(info, 'refs/heads/a', 'refs/heads/b', { env })).code).toBe('NOT_FOUND');
  });

  it('copy honours the expectation too; a malformed id is a usage error', () => {
    const info = repo('copy');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env });
    copyRef(info, 'refs/heads/a', 'refs/heads/c', { expectedOid: A, env });
    expect(refs(info)['refs/heads/c']).toBe(A);
    expect(caught(() => copyRef(info, 'refs/heads/a', 'refs/heads/d', { expectedOid: 'xyz', env })).code).toBe('USAGE');
  });

  it('the adapter passes the expectation through', () => {
    const info = repo('adapter-rename');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env });
    const { writer, source } = storeBackend.open(info);
    try {
      expect(caught(() => writer.rename('refs/heads/a', 'refs/heads/b', B, {})).code).toBe('EXPECTATION');
      writer.rename('refs/heads/a', 'refs/heads/b', A, {});
      source.reload();
      expect(source.ref('refs/heads/b')?.oid).toBe(A);
    } finally {
      source.close();
    }
  });
});

describe('deleteReflogEntryByIndex', () => {
  it('deletes exactly the entry with that update index, even after newer entries arrived', () => {
    const info = repo('reflog-by-index');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env, message: 'one' });
    applyTransaction(info, [{ op: 'update', name: 'refs/heads/a', oid: B }], { env, message: 'two' });
    const db = RefDatabase.fromInfo(info);
    const target = db.reflog('refs/heads/a').find((e) => e.message.startsWith('one'))!;
    db.close();
    // A concurrent writer adds an entry: positions shift, the update index does not.
    applyTransaction(info, [{ op: 'update', name: 'refs/heads/a', oid: C }], { env, message: 'three' });
    deleteReflogEntryByIndex(info, 'refs/heads/a', target.updateIndex, { env, autoCompact: false });
    const after = RefDatabase.fromInfo(info);
    const msgs = after.reflog('refs/heads/a').map((e) => e.message.trim());
    after.close();
    expect(msgs).toEqual(['three', 'two']);
  });

  it('an absent entry is NOT_FOUND and writes nothing; the adapter reports EXPECTATION', () => {
    const info = repo('reflog-absent');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/a', oid: A }], { env, message: 'one' });
    const before = listText(info);
    const e = caught(() => deleteReflogEntryByIndex(info, 'refs/heads/a', 999, { env }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.data.ref).toBe('refs/heads/a');
    expect(caught(() => deleteReflogEntryByIndex(info, 'refs/heads/nope', 1, { env })).code).toBe('NOT_FOUND');
    expect(listText(info)).toBe(before);
    const { writer, source } = storeBackend.open(info);
    try {
      expect(caught(() => writer.deleteReflogEntry('refs/heads/a', 999)).code).toBe('EXPECTATION');
    } finally {
      source.close();
    }
  });
});

describe('transactions across a linked worktree stack', () => {
  it('a failure on the second stack names what the first stack committed', () => {
    const info = repo('worktree-partial');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env });
    const wt = path.join(info.commonDir, 'worktrees', 'wt1');
    fs.mkdirSync(path.join(wt, 'reftable'), { recursive: true });
    fs.writeFileSync(path.join(wt, 'reftable', 'tables.list'), '');
    // The worktree stack's table cannot be created (disk full) after the main stack committed.
    setFaultInjector((op, f) => {
      if (op === 'openSync' && f.includes(`${path.sep}wt1${path.sep}reftable${path.sep}`) && f.includes('.temp.')) {
        throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
      }
    });
    let e: ReftableError;
    try {
      e = caught(() => applyTransaction(info, [
        { op: 'create', name: 'refs/heads/x', oid: B },
        { op: 'create', name: 'worktrees/wt1/refs/bisect/bad', oid: C },
      ], { env, autoCompact: false }));
    } finally {
      setFaultInjector(undefined);
    }
    expect(e.code, e.message).toBe('IO');
    expect(e.message).toContain("stack 'wt1' failed");
    expect(e.message).toContain("already committed: stack 'main'");
    expect(e.message).toContain('refs/heads/x');
    expect(e.data.failedStack).toBe('wt1');
    expect((e.data.committed as { stack: string; refs: string[] }[]).map((c) => [c.stack, c.refs])).toEqual([['main', ['refs/heads/x']]]);
    expect(refs(info)['refs/heads/x']).toBe(B);
    expect(fs.readFileSync(path.join(wt, 'reftable', 'tables.list'), 'utf8')).toBe('');
    expect(fs.readdirSync(path.join(wt, 'reftable'))).toEqual(['tables.list']);
  });

  it('a failure on the first stack is reported as is, nothing written', () => {
    const info = repo('worktree-first');
    const wt = path.join(info.commonDir, 'worktrees', 'wt1', 'reftable');
    fs.mkdirSync(wt, { recursive: true });
    fs.writeFileSync(path.join(wt, 'tables.list'), '');
    const before = listText(info);
    const e = caught(() => applyTransaction(info, [
      { op: 'update', name: 'refs/heads/x', oid: B, old: A },
      { op: 'create', name: 'worktrees/wt1/refs/bisect/bad', oid: C },
    ], { env, autoCompact: false }));
    expect(e.code).toBe('EXPECTATION');
    expect(e.data.committed).toBeUndefined();
    expect(listText(info)).toBe(before);
  });
});

describe('ref name fast path', () => {
  it('agrees with the rule-by-rule check on random names', () => {
    const alphabet = ['a', 'b', '/', '.', 'l', 'o', 'c', 'k', '@', '{', '~', ' ', '\u0001', '\u007f', 'ü', '-', '*', '\\', ':'];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    let disagreements = 0;
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      let s = rnd(4) === 0 ? 'refs/heads/' : '';
      const len = rnd(12);
      for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
      for (const allowOneLevel of [true, false]) {
        const fast = refnameProblem(s, { allowOneLevel });
        if (fast !== refnameProblemByRules(s, { allowOneLevel })) disagreements++;
        if (fast === undefined) valid++;
      }
    }
    expect(disagreements).toBe(0);
    expect(valid).toBeGreaterThan(100);
  });

  it('hex object ids: exact length, either case, nothing else', () => {
    expect(oidFromHex('0A'.repeat(20), 20)).toEqual(new Uint8Array(20).fill(10));
    expect(oidFromHex('0g'.repeat(20), 20)).toBeUndefined();
    expect(oidFromHex('00'.repeat(19), 20)).toBeUndefined();
    expect(isHex('abcdef0123', 10)).toBe(true);
    expect(isHex('abcdef012é', 10)).toBe(false);
  });
});

describe('large transactions: batched lookups', () => {
  it('existing refs, conflicts with the stack and within the transaction are found as before', () => {
    const info = repo('batched');
    const base = Array.from({ length: 3000 }, (_, i) => ({ op: 'create' as const, name: `refs/heads/b/${String(i).padStart(5, '0')}`, oid: A }));
    applyTransaction(info, [...base, { op: 'create', name: 'refs/heads/dir/leaf', oid: A }, { op: 'create', name: 'refs/heads/file', oid: A }], { env });
    // Deleted in a newer table: no longer blocks a directory of that name.
    applyTransaction(info, [{ op: 'delete', name: 'refs/heads/b/01500' }], { env });

    // Unsorted input mixing creates, updates of existing refs and a verify.
    const mixed = [
      { op: 'update' as const, name: 'refs/heads/b/02999', oid: B, old: A },
      { op: 'create' as const, name: 'refs/heads/z/new', oid: B },
      { op: 'verify' as const, name: 'refs/heads/b/00000', old: A },
      { op: 'create' as const, name: 'refs/heads/b/01500/child', oid: B },
      { op: 'update' as const, name: 'refs/heads/b/00001', oid: C },
    ];
    applyTransaction(info, mixed, { env });
    const now = refs(info);
    expect(now['refs/heads/b/02999']).toBe(B);
    expect(now['refs/heads/b/00001']).toBe(C);
    expect(now['refs/heads/b/01500/child']).toBe(B);
    expect(now['refs/heads/z/new']).toBe(B);

    const before = listText(info);
    const exists = caught(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/b/00002', oid: B }], { env }));
    expect(exists.code).toBe('EXPECTATION');
    const under = caught(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/dir', oid: B }], { env }));
    expect(under.code).toBe('REF_NAME');
    expect(under.message).toContain("'refs/heads/dir/leaf' exists");
    const above = caught(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/file/x', oid: B }], { env }));
    expect(above.message).toContain("'refs/heads/file' exists");
    const inTx = caught(() => applyTransaction(info, [
      { op: 'create', name: 'refs/heads/q/r', oid: B },
      { op: 'create', name: 'refs/heads/q-1', oid: B },
      { op: 'create', name: 'refs/heads/q', oid: B },
    ], { env }));
    expect(inTx.message).toContain("cannot process 'refs/heads/q/r' and 'refs/heads/q' at the same time");
    expect(listText(info)).toBe(before);
    // A name the transaction adds while preparing (HEAD's unborn referent) conflicts with a later
    // sibling of names already checked: the per-directory shortcut must not hide it.
    applyTransaction(info, [{ op: 'symref-update', name: 'HEAD', target: 'refs/heads/u', noDeref: true }], { env });
    const before2 = listText(info);
    const viaHead = caught(() => applyTransaction(info, [
      { op: 'create', name: 'refs/heads/u/w', oid: B },
      { op: 'update', name: 'HEAD', oid: B },
      { op: 'create', name: 'refs/heads/u/x', oid: B },
    ], { env }));
    expect(viaHead.code).toBe('REF_NAME');
    expect(viaHead.message).toContain("cannot process 'refs/heads/u/x' and 'refs/heads/u' at the same time");
    expect(listText(info)).toBe(before2);
  });
});

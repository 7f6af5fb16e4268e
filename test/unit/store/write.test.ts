/**
 * Write side without git: ref name rules, update-ref --stdin parsing, reflog message and date
 * rules, locking (timeout, stale lock reported, never removed), and failure atomicity with
 * injected I/O errors (disk full, read-only directory): stack untouched, no lock, no temp file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { A, B, env, scratchRepos } from './scratch';
import { ReftableError } from '../../../src/engine/errors';
import { setFaultInjector } from '../../../src/store/lock';
import { normalizeReflogMessage, parseExpiryDate, parseGitDate, EXPIRE_ALL } from '../../../src/store/reflog-policy';
import { checkWritableRefname, isPerWorktreeRef, refnameIsSafe, refnameProblem } from '../../../src/store/refname';
import { stackFor } from '../../../src/store/tables-list';
import { discoverRepository } from '../../../src/store/repository';
import { initRepository } from '../../../src/store/init';
import { applyTransaction } from '../../../src/store/transaction';
import { PackedUpdate, StdinUpdate, parseUpdateStdin } from '../../../src/store/update-stdin';
import { packRefs } from '../../../src/store/compaction';

const { tmp, repo } = scratchRepos('rt-write-unit-');
function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReftableError) return e.code;
    throw e;
  }
  return undefined;
}
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) out[f] = fs.readFileSync(path.join(dir, f)).toString('hex');
  return out;
}

describe('ref names (git check-ref-format)', () => {
  it('rejects what git rejects', () => {
    for (const bad of ['refs/heads/a..b', 'refs/heads/.x', 'refs/heads/x.lock', 'refs/heads/x/', 'refs//x', 'refs/heads/a b', 'refs/heads/a~1',
      'refs/heads/a^', 'refs/heads/a:b', 'refs/heads/a?', 'refs/heads/a*', 'refs/heads/a[', 'refs/heads/a\\b', 'refs/heads/a@{1}', '@', 'refs/heads/x.', 'refs/heads/\u0001']) {
      expect(refnameProblem(bad, { allowOneLevel: true }), bad).toBeDefined();
    }
    for (const good of ['refs/heads/main', 'refs/heads/a.b', 'refs/tags/v1.0', 'HEAD', 'refs/heads/ü']) expect(refnameProblem(good, { allowOneLevel: true })).toBeUndefined();
    expect(code(() => checkWritableRefname('FETCH_HEAD'))).toBe('REF_NAME');
    expect(code(() => checkWritableRefname('MERGE_HEAD'))).toBe('REF_NAME');
    expect(code(() => checkWritableRefname('ORIG_HEAD'))).toBeUndefined();
  });

  it('checks names as git 2.47 adds updates: a new id needs a well-formed name, anything else a safe one', () => {
    // Giving a new id: format only (git update-ref writes `foo` and `FOO-BAR`).
    for (const name of ['lowercase', 'FOO-BAR', 'foo/bar', 'refs/heads/x']) expect(code(() => checkWritableRefname(name, true)), name).toBeUndefined();
    expect(code(() => checkWritableRefname('refs/heads/a..b', true))).toBe('REF_NAME');
    // Deleting, verifying, symrefs: refs.c refname_is_safe (a badly formed name under refs/
    // can be deleted; outside refs/ only A-Z and _).
    for (const name of ['FOO_BAR', 'HEAD', 'refs/heads/a..b', 'refs/heads/x']) expect(code(() => checkWritableRefname(name, false)), name).toBeUndefined();
    for (const name of ['lowercase', 'FOO-BAR', 'foo/bar', 'refs/', 'refs/heads/../x', 'refs/heads//x', 'refs/heads/./x', 'refs/heads/x/']) {
      expect(code(() => checkWritableRefname(name, false)), name).toBe('REF_NAME');
    }
    expect(refnameIsSafe('refs/heads/a..b')).toBe(true);
    expect(code(() => checkWritableRefname('MERGE_HEAD', false))).toBe('REF_NAME');
  });

  it('finds the stack of a name as git does (refs.c is_per_worktree_ref)', () => {
    const info = { commonDir: '/r/.git', gitDir: '/r/.git/worktrees/wt', worktreeId: 'wt' } as Parameters<typeof stackFor>[0];
    const own = ['HEAD', 'ORIG_HEAD', 'refs/worktree/x', 'refs/bisect/bad', 'refs/rewritten/a/b', 'refs/worktree/'];
    const shared = ['refs/heads/main', 'refs/worktree', 'refs/worktrees/x', 'refs/bisected/x', 'refs/rewrite/x', 'refs/w', 'refs/', 'refs/b/x', 'refs/r'];
    for (const name of own) {
      expect(isPerWorktreeRef(name), name).toBe(true);
      expect(stackFor(info, name), name).toEqual({ stack: 'wt', dir: path.join('/r/.git/worktrees/wt', 'reftable'), name });
    }
    for (const name of shared) {
      expect(isPerWorktreeRef(name), name).toBe(false);
      expect(stackFor(info, name), name).toEqual({ stack: 'main', dir: path.join('/r/.git', 'reftable'), name });
    }
    expect(stackFor(info, 'main-worktree/refs/bisect/bad')).toEqual({ stack: 'main', dir: path.join('/r/.git', 'reftable'), name: 'refs/bisect/bad' });
  });
});

describe('update-ref --stdin parser', () => {
  const opts = { hexLength: 40 };
  it('parses every command, quoting and -z', () => {
    const [tx] = parseUpdateStdin(`create refs/heads/a ${A}\nupdate "refs/heads/q\\303\\274" ${B} ${A}\ndelete refs/heads/c\nverify refs/heads/d\nsymref-create refs/heads/s refs/heads/a\nsymref-update HEAD refs/heads/a ref refs/heads/b\noption no-deref\nsymref-delete refs/heads/s\n`, opts);
    expect(tx.end).toBe('commit');
    expect(tx.updates.map((u) => u.op)).toEqual(['create', 'update', 'delete', 'verify', 'symref-create', 'symref-update', 'symref-delete']);
    expect(tx.updates[1].name).toBe('refs/heads/qü');
    expect(tx.updates[3]).toMatchObject({ op: 'verify', old: '0'.repeat(40) });
    const z = parseUpdateStdin(`update refs/heads/a\0${A}\0\0create refs/heads/b\0${B}\0`, { ...opts, z: true });
    expect(z[0].updates).toEqual([{ op: 'update', name: 'refs/heads/a', oid: A }, { op: 'create', name: 'refs/heads/b', oid: B }]);
    const multi = parseUpdateStdin(`start\ncreate refs/heads/a ${A}\ncommit\nstart\ncreate refs/heads/b ${A}\nabort\nstart\ncreate refs/heads/c ${A}\n`, opts);
    expect(multi.map((t) => t.end)).toEqual(['commit', 'abort', 'abort']);
  });
  it('names the malformed line', () => {
    const cases: [string, RegExp][] = [
      [`create refs/heads/a ${A}\nbogus\n`, /line 2: unknown command/],
      [`create refs/heads/a\n`, /line 1: create refs\/heads\/a: missing <new-oid>/],
      [`create refs/heads/a xyz\n`, /invalid <new-oid>/],
      [`create refs/heads/a ${'0'.repeat(40)}\n`, /zero <new-oid>/],
      [`update refs/heads/a..b ${A}\n`, /invalid ref format/],
      [`create refs/heads/a ${A} extra\n`, /extra input/],
      [` create refs/heads/a ${A}\n`, /whitespace before command/],
      [`\n`, /empty command/],
      [`update "refs/heads/a ${A}\n`, /badly quoted/],
      [`symref-delete refs/heads/s\n`, /cannot operate with deref mode/],
      [`start\nstart\n`, /line 2: cannot restart/],
      [`start\nprepare\ncreate refs/heads/a ${A}\n`, /line 3: prepared transactions can only be closed/],
    ];
    for (const [input, re] of cases) {
      let err: unknown;
      try {
        parseUpdateStdin(input, opts);
      } catch (e) {
        err = e;
      }
      expect(err, input).toBeInstanceOf(ReftableError);
      expect((err as ReftableError).code).toBe('USAGE');
      expect((err as ReftableError).message, input).toMatch(re);
    }
  });
  it('parses bulk lines in place exactly as the general parser does, errors included', () => {
    const Z = '0'.repeat(40);
    const lines = [
      `create refs/heads/a ${A}`, `create refs/heads/a ${A.toUpperCase()}`, `create refs/heads/a ${Z}`, `create refs/heads/a`, `create refs/heads/a `,
      `create refs/heads/a ${A} ${B}`, `create refs/heads/a ${A} `, `create refs/heads/a ${A}\r`, `create refs/heads/a\t${A}`, `create  refs/heads/a ${A}`,
      `create "refs/heads/a" ${A}`, `create refs/heads/a..b ${A}`, `create refs/heads/ü ${A}`, `create HEAD ${A}`, `create refs/heads/a ${A.slice(1)}`,
      `create refs/heads/a ${A}0`, `create refs/heads/a g${A.slice(1)}`, 'create ', 'create',
      `update refs/heads/a ${A}`, `update refs/heads/a ${A} ${B}`, `update refs/heads/a ${Z}`, `update refs/heads/a ${Z} ${B}`, `update refs/heads/a ${A} ${Z}`,
      `update refs/heads/a ${A} ${B.toUpperCase()}`, `update refs/heads/a ${A} ${B} ${B}`, `update refs/heads/a ${A}  ${B}`, `update refs/heads/a  ${A}`, 'update refs/heads/a',
      'delete refs/heads/a', `delete refs/heads/a ${B}`, `delete refs/heads/a ${Z}`, 'delete refs/heads/a ', `delete refs/heads/a ${B} ${B}`, 'delete "refs/heads/a"',
      'option no-deref', 'start', 'prepare', 'commit', 'abort', 'verify refs/heads/a', '', ' create refs/heads/a', 'created refs/heads/a',
    ];
    const opts = { hexLength: 40 };
    // Bulk lines come back as PackedUpdates (model updates read through accessors; noDeref is
    // false rather than absent): compared field by field.
    const fields = ['op', 'name', 'oid', 'old', 'target', 'oldTarget', 'noDeref'] as const;
    const plain = (u: StdinUpdate) => Object.fromEntries(fields.flatMap((k) => {
      const v = (u as Record<string, unknown>)[k];
      return v === undefined || v === false ? [] : [[k, v]];
    }));
    const outcome = (input: string, generalOnly: boolean) => {
      try {
        return { ok: parseUpdateStdin(input, { ...opts, generalOnly }).map((t) => ({ ...t, updates: t.updates.map(plain) })) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    let compared = 0;
    let withUpdates = 0;
    // Every line alone, after `option no-deref`, inside start…commit and after prepare, and every pair.
    const inputs = [
      ...lines.map((l) => `${l}\n`), ...lines.map((l) => l), ...lines.map((l) => `option no-deref\n${l}\n`),
      ...lines.map((l) => `start\n${l}\ncommit\n`), ...lines.map((l) => `start\nprepare\n${l}\n`),
      ...lines.flatMap((a) => lines.slice(0, 25).map((b) => `${a}\n${b}\n`)),
    ];
    for (const input of inputs) {
      const general = outcome(input, true);
      const quick = outcome(input, false);
      expect(quick, JSON.stringify(input)).toEqual(general);
      compared++;
      if (general.ok?.some((t) => t.updates.length > 0)) withUpdates++;
    }
    expect(compared).toBeGreaterThan(1000);
    expect(withUpdates).toBeGreaterThan(100);
  });
  it('keeps bulk ids packed, read back as lower-case hex, and the general parser for anything else', () => {
    const Z = '0'.repeat(40);
    const input = [
      `create refs/heads/a ${A.toUpperCase()}`, `update refs/heads/b ${B} ${A}`, `update refs/heads/c ${Z} ${B}`, `update refs/heads/d ${A} ${Z}`,
      `delete refs/heads/e ${B}`, 'delete refs/heads/f', 'verify refs/heads/g', `create "refs/heads/h" ${A}`,
    ].join('\n') + '\n';
    const [tx] = parseUpdateStdin(input, { hexLength: 40 });
    expect(tx.updates.map((u) => u instanceof PackedUpdate)).toEqual([true, true, true, true, true, true, false, false]);
    const [a, b, c, d, e, f] = tx.updates as unknown as PackedUpdate[];
    expect([a.op, a.oid, a.old]).toEqual(['create', A.toLowerCase(), undefined]);
    expect([b.op, b.oid, b.old]).toEqual(['update', B, A]);
    // A zero new value deletes, as an update (git's --create-reflog applies to it); its old value stays.
    expect([c.op, c.oid, c.old, c.parsedSlots.newSlot]).toEqual(['update', Z, B, -1]);
    expect([d.op, d.oid, d.old, d.parsedSlots.oldSlot]).toEqual(['update', A, Z, -1]);
    // The model's expectations, as toModel sets them for the same StdinUpdate.
    expect([a, b, c, d, e, f].map((u) => [u.haveNew, u.haveOld])).toEqual([[true, true], [true, true], [true, true], [true, true], [true, true], [true, false]]);
    expect([e.op, e.oid, e.old]).toEqual(['delete', undefined, B]);
    expect([f.op, f.oid, f.old]).toEqual(['delete', undefined, undefined]);
    // One store for every line's ids, not a string each.
    expect(new Set([a.ids, b.ids, c.ids, d.ids, e.ids]).size).toBe(1);
    const [t256] = parseUpdateStdin(`create refs/heads/x ${'ab'.repeat(32)}\n`, { hexLength: 64 });
    expect((t256.updates[0] as unknown as PackedUpdate).oid).toBe('ab'.repeat(32));
  });
});

describe('reflog policy', () => {
  it('normalises messages like refs.c and truncates to blockSize/2', () => {
    expect(Buffer.from(normalizeReflogMessage('  multi\nline   message  ', 4096)).toString()).toBe('multi line message');
    expect(normalizeReflogMessage(undefined, 4096).length).toBe(0);
    expect(normalizeReflogMessage('x'.repeat(5000), 4096).length).toBe(2048);
  });
  it('parses git dates and expiry dates', () => {
    expect(parseGitDate('1700000000 -0800')).toEqual({ time: 1700000000, tz: -800 });
    expect(parseGitDate('@1700000000 +0530')).toEqual({ time: 1700000000, tz: 530 });
    expect(parseGitDate('2023-11-14T22:13:20Z')).toEqual({ time: 1700000000, tz: 0 });
    expect(parseGitDate('2023-11-14 14:13:20 -0800')).toEqual({ time: 1700000000, tz: -800 });
    expect(parseGitDate('2023-11-15T03:43:20+05:30')).toEqual({ time: 1700000000, tz: 530 });
    expect(parseGitDate('Tue, 14 Nov 2023 22:13:20 +0000')).toEqual({ time: 1700000000, tz: 0 });
    const now = 1700000000_000;
    expect(parseExpiryDate('now', now)).toBe(EXPIRE_ALL);
    expect(parseExpiryDate('all', now)).toBe(EXPIRE_ALL);
    expect(parseExpiryDate('never', now)).toBe(0);
    expect(parseExpiryDate('90.days.ago', now)).toBe(1700000000 - 90 * 86400);
    expect(parseExpiryDate('2 weeks ago', now)).toBe(1700000000 - 14 * 86400);
    expect(parseExpiryDate('1600000000', now)).toBe(1600000000);
    expect(() => parseExpiryDate('someday', now)).toThrow(ReftableError);
  });
});

describe('transactions without git', () => {
  it('expectations fail cleanly and write nothing', () => {
    const info = repo('expect');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env });
    const rt = path.join(info.commonDir, 'reftable');
    const before = snapshot(rt);
    expect(code(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/x', oid: A }, { op: 'create', name: 'refs/heads/main', oid: B }], { env }))).toBe('EXPECTATION');
    expect(code(() => applyTransaction(info, [{ op: 'update', name: 'refs/heads/main', oid: B, old: B }], { env }))).toBe('EXPECTATION');
    expect(code(() => applyTransaction(info, [{ op: 'delete', name: 'refs/heads/nope', old: A }], { env }))).toBe('EXPECTATION');
    expect(code(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/main/sub', oid: A }], { env }))).toBe('REF_NAME');
    expect(code(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/a b', oid: A }], { env }))).toBe('REF_NAME');
    expect(code(() => applyTransaction(info, [{ op: 'update', name: 'refs/heads/main', oid: B }], { env, message: '' }))).toBe('USAGE');
    expect(snapshot(rt)).toEqual(before);
  });

  it('takes bulk stdin lines as its own updates once, and copies them as parsed when they are applied again', () => {
    const input = `create refs/heads/a ${A}\nupdate refs/heads/b ${B}\ncreate refs/heads/c ${B}\n`;
    const fresh = () => parseUpdateStdin(input, { hexLength: 40 })[0].updates;
    const [first, again] = [repo('adopt-1'), repo('adopt-2')];
    const once = fresh();
    applyTransaction(first, once, { env, message: 'm' });
    expect(once.every((u) => u instanceof PackedUpdate && u.adopted)).toBe(true);
    // The same parsed updates on another repository: the same result as freshly parsed ones.
    applyTransaction(again, once, { env, message: 'm' });
    const reference = repo('adopt-3');
    applyTransaction(reference, fresh(), { env, message: 'm' });
    const tables = (info: ReturnType<typeof repo>) => {
      const rt = path.join(info.commonDir, 'reftable');
      return fs.readFileSync(path.join(rt, 'tables.list'), 'utf8').trim().split('\n').map((t) => fs.readFileSync(path.join(rt, t)).toString('hex'));
    };
    expect(tables(again)).toEqual(tables(reference));
    expect(tables(first)).toEqual(tables(reference));
    // A second use still checks expectations: the refs now exist, so creating them fails.
    expect(code(() => applyTransaction(first, once, { env }))).toBe('EXPECTATION');
  });

  it('refuses bulk lines parsed for another hash instead of copying their bytes', () => {
    const info = initRepository(path.join(tmp, 'sha256'), { hash: 'sha256' });
    const [tx] = parseUpdateStdin(`create refs/heads/a ${A}\n`, { hexLength: 40 });
    let err: unknown;
    try {
      applyTransaction(info, tx.updates, { env });
    } catch (e) {
      err = e;
    }
    expect((err as ReftableError).code).toBe('USAGE');
    expect((err as ReftableError).message).toMatch(/refs\/heads\/a: new value: '[0-9a-f]{40}' is not a 64-digit hex object id/);
    // A delete without an old id carries no id of either width: it goes through, as it does
    // from the general parser.
    const [del] = parseUpdateStdin('delete refs/heads/a\n', { hexLength: 40 });
    const [delGeneral] = parseUpdateStdin('delete refs/heads/a\n', { hexLength: 40, generalOnly: true });
    expect(del.updates[0]).toBeInstanceOf(PackedUpdate);
    expect(code(() => applyTransaction(info, delGeneral.updates, { env }))).toBeUndefined();
    expect(code(() => applyTransaction(info, del.updates, { env }))).toBeUndefined();
  });

  it('a stale tables.list.lock is reported with its age and never removed', () => {
    const info = repo('lock');
    const lock = path.join(info.commonDir, 'reftable', 'tables.list.lock');
    fs.writeFileSync(lock, '');
    const t0 = Date.now();
    let err: ReftableError | undefined;
    try {
      applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env });
    } catch (e) {
      err = e as ReftableError;
    }
    expect(err?.code).toBe('LOCK');
    expect(err?.message).toMatch(/tables\.list\.lock exists \(\d+ (ms|s) old\)/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90); // reftable.lockTimeout default 100 ms
    expect(fs.existsSync(lock)).toBe(true);
    fs.unlinkSync(lock);
    expect(applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env }).tables).toHaveLength(1);
  });

  it('injected I/O failures (disk full, read-only) leave the stack untouched with no lock or temp', () => {
    const info = repo('faults');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env });
    const rt = path.join(info.commonDir, 'reftable');
    const before = snapshot(rt);
    const faults: [string, (op: string, f: string) => boolean, string][] = [
      ['ENOSPC on table write', (op, f) => op === 'writeSync' && f.includes('.temp.'), 'ENOSPC'],
      ['ENOSPC on list write', (op, f) => op === 'writeSync' && f.endsWith('tables.list.lock'), 'ENOSPC'],
      ['EIO on fsync', (op) => op === 'fsyncSync', 'EIO'],
      ['EROFS creating the lock', (op, f) => op === 'openSync' && f.endsWith('.lock'), 'EROFS'],
      ['EACCES creating the temp table', (op, f) => op === 'openSync' && f.includes('.temp.'), 'EACCES'],
      ['EIO renaming the table', (op, f) => op === 'renameSync' && f.includes('.temp.'), 'EIO'],
      ['EIO committing the list', (op, f) => op === 'renameSync' && f.endsWith('tables.list.lock'), 'EIO'],
    ];
    for (const [what, when, errno] of faults) {
      setFaultInjector((op, f) => {
        if (when(op, f)) throw Object.assign(new Error(`${errno}: injected`), { code: errno });
      });
      try {
        expect(code(() => applyTransaction(info, [{ op: 'update', name: 'refs/heads/main', oid: B }], { env })), what).toBe('IO');
      } finally {
        setFaultInjector(undefined);
      }
      expect(snapshot(rt), what).toEqual(before);
    }
    expect(applyTransaction(info, [{ op: 'update', name: 'refs/heads/main', oid: B }], { env }).tables).toHaveLength(1);
  });

  it('refuses to write on top of a corrupt stack and on unknown repository extensions', () => {
    const info = repo('corrupt');
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: A }], { env });
    const rt = path.join(info.commonDir, 'reftable');
    const name = fs.readFileSync(path.join(rt, 'tables.list'), 'utf8').trim().split('\n').pop()!;
    const file = path.join(rt, name);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff; // break the footer CRC
    fs.writeFileSync(file, bytes);
    const before = snapshot(rt);
    const c = code(() => applyTransaction(info, [{ op: 'create', name: 'refs/heads/x', oid: A }], { env }));
    expect(c).toBe('CHECKSUM');
    expect(code(() => packRefs(info))).toBe('CHECKSUM');
    expect(snapshot(rt)).toEqual(before);
    const cfg = path.join(info.commonDir, 'config');
    fs.appendFileSync(cfg, '\tmysteryext = yes\n');
    expect(code(() => discoverRepository(path.join(tmp, 'corrupt')))).toBe('REPOSITORY');
  });
});

/**
 * update-ref --stdin sessions in git's order (store/stdin-session.ts): a transaction is
 * checked at its prepare line and committed at its commit line before later lines are read,
 * status lines come out as git prints them, and names and zero values are judged as git 2.47
 * judges them. The differential suite (test/interop/update-stdin-differential.test.ts)
 * compares random sessions with git itself; these pin the cases it found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { A, B, env, scratchRepos } from './scratch';
import { main } from '../../../src/cli';
import { ReftableError } from '../../../src/engine/errors';
import { RefDatabase } from '../../../src/store/refdb';
import { shortenRefname } from '../../../src/store/refname';
import type { RepositoryInfo } from '../../../src/store/api';
import { runUpdateStdin } from '../../../src/store/stdin-session';
import { applyTransaction } from '../../../src/store/transaction';
import { parseUpdateStdin, readUpdateStdin } from '../../../src/store/update-stdin';

const { repo } = scratchRepos('rt-stdin-session-');
const Z = '0'.repeat(40);

function session(info: RepositoryInfo, input: string): { printed: string[]; error?: string } {
  const printed: string[] = [];
  try {
    runUpdateStdin(info, input, { env }, (line) => printed.push(line));
  } catch (e) {
    if (!(e instanceof ReftableError)) throw e;
    return { printed, error: e.message };
  }
  return { printed };
}

const oidOf = (info: RepositoryInfo, name: string) => RefDatabase.fromInfo(info).ref(name)?.oid;

describe('update --stdin session', () => {
  it('commits a transaction at its commit line: a bad line after it leaves it done', () => {
    const info = repo('after-commit');
    const r = session(info, `start\ncreate refs/heads/a ${A}\ncommit\nstart\ncreate refs/heads/b ${A}\nbogus\n`);
    expect(r.printed).toEqual(['start: ok', 'commit: ok', 'start: ok']);
    expect(r.error).toBe('line 6: unknown command: bogus');
    expect(oidOf(info, 'refs/heads/a')).toBe(A);
    expect(oidOf(info, 'refs/heads/b')).toBeUndefined();
  });

  it('checks a transaction at its prepare line, before reading on, even when it is aborted', () => {
    const info = repo('prepare');
    session(info, `create refs/heads/a ${A}\n`);
    // The prepare fails before the bad line is read, and names its phase.
    expect(session(info, `start\ncreate refs/heads/a ${B}\nprepare\nbogus\n`)).toEqual({
      printed: ['start: ok'], error: "prepare: cannot lock ref 'refs/heads/a': reference already exists",
    });
    expect(session(info, `start\ncreate refs/heads/a ${B}\nprepare\nabort\n`).error).toBe("prepare: cannot lock ref 'refs/heads/a': reference already exists");
    // Passing, it prints prepare: ok; aborted, nothing is written.
    expect(session(info, `start\ncreate refs/heads/b ${B}\nprepare\nabort\n`)).toEqual({ printed: ['start: ok', 'prepare: ok', 'abort: ok'] });
    expect(oidOf(info, 'refs/heads/b')).toBeUndefined();
    // A failing commit names its phase; the implicit transaction's failure does not.
    expect(session(info, `start\ncreate refs/heads/a ${B}\ncommit\n`).error).toBe("commit: cannot lock ref 'refs/heads/a': reference already exists");
    expect(session(info, `create refs/heads/a ${B}\n`).error).toBe("cannot lock ref 'refs/heads/a': reference already exists");
    // Left open at the end of input: aborted without a status line.
    expect(session(info, `start\ncreate refs/heads/c ${B}\nprepare\n`)).toEqual({ printed: ['start: ok', 'prepare: ok'] });
    expect(oidOf(info, 'refs/heads/c')).toBeUndefined();
  });

  it('update REF 0 0 asserts the ref is missing: refused when it exists, on both parse paths and the command line', async () => {
    const info = repo('zero-zero');
    session(info, `create refs/heads/a ${A}\n`);
    for (const generalOnly of [false, true]) {
      for (const tx of parseUpdateStdin(`update refs/heads/a ${Z} ${Z}\n`, { hexLength: 40, generalOnly })) {
        expect(() => applyTransaction(info, tx.updates, { env })).toThrow("cannot lock ref 'refs/heads/a': reference already exists");
      }
      expect(oidOf(info, 'refs/heads/a')).toBe(A);
    }
    // The command line's `update REF 0 ''` and `update REF 0 0` too (git update-ref's positional form).
    for (const old of ['', Z]) {
      const err: string[] = [];
      expect(await main(['-C', info.gitDir, 'update', 'refs/heads/a', Z, old], { stdout: () => undefined, stderr: (s) => err.push(s), env })).not.toBe(0);
      expect(err.join('')).toContain("cannot lock ref 'refs/heads/a': reference already exists");
      expect(oidOf(info, 'refs/heads/a')).toBe(A);
    }
    // Missing, it is a no-op; with a non-zero old value it still deletes.
    expect(session(info, `update refs/heads/none ${Z} ${Z}\n`)).toEqual({ printed: [] });
    expect(session(info, `update refs/heads/a ${Z} ${A}\n`)).toEqual({ printed: [] });
    expect(oidOf(info, 'refs/heads/a')).toBeUndefined();
  });

  it('judges names as git adds each line: one-level names get new ids, only safe names are deleted', () => {
    const info = repo('names');
    expect(session(info, `update foo ${A}\n`)).toEqual({ printed: [] });
    expect(oidOf(info, 'foo')).toBe(A);
    // Refused while its line is read: before the bad line after it, without a phase.
    expect(session(info, `start\ndelete foo\nbogus\n`)).toEqual({ printed: ['start: ok'], error: "refusing to update ref with bad name 'foo'" });
    expect(session(info, `verify FOO-BAR\n`).error).toBe("refusing to update ref with bad name 'FOO-BAR'");
    expect(session(info, `delete FETCH_HEAD\n`).error).toBe("refusing to update pseudoref 'FETCH_HEAD'");
    expect(session(info, `update FOO_BAR ${A}\ndelete FOO_BAR\n`).error).toBe("multiple updates for ref 'FOO_BAR' not allowed");
    expect(oidOf(info, 'foo')).toBe(A);
  });
  it('applies --create-reflog to what sets a value, not to deletions (as git update-ref does)', () => {
    const info = repo('create-reflog');
    const tables = () => fs.readFileSync(path.join(info.gitDir, 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean).length;
    applyTransaction(info, [{ op: 'symref-create', name: 'FOO_BAR', target: 'refs/heads/nothere' }], { env });
    // Deleting through the dangling symref: nothing to delete and no reflog entry forced for
    // FOO_BAR, so no table; the same deletion written as an update forces one (git passes the
    // flag with update lines only), an entry from zero to zero.
    const before = tables();
    runUpdateStdin(info, 'delete FOO_BAR\n', { env, createReflog: true }, () => undefined);
    expect(tables()).toBe(before);
    runUpdateStdin(info, `update FOO_BAR ${Z}\n`, { env, createReflog: true }, () => undefined);
    expect(tables()).toBe(before + 1);
  });
});

describe('reflog delete finds the reflog as git does (repo_dwim_log)', () => {
  it('by short name, through a symref without a reflog, never through a dangling symref', async () => {
    const info = repo('dwim-log');
    // Reflogs forced: the scratch repositories are bare, where git keeps none by default.
    runUpdateStdin(info, `create refs/heads/main ${A}\n`, { env, createReflog: true }, () => undefined);
    runUpdateStdin(info, `update refs/heads/main ${B} ${A}\n`, { env, createReflog: true }, () => undefined);
    applyTransaction(info, [{ op: 'symref-create', name: 'FOO_BAR', target: 'refs/heads/main' }, { op: 'symref-create', name: 'DANGLING', target: 'refs/heads/none' }], { env });
    const db = RefDatabase.fromInfo(info);
    expect(db.reflogNameFor('refs/heads/main')).toBe('refs/heads/main');
    expect(db.reflogNameFor('main')).toBe('refs/heads/main');
    // FOO_BAR has no reflog of its own here: it stands for its target's.
    expect(db.reflogExists('FOO_BAR')).toBe(false);
    expect(db.reflogNameFor('FOO_BAR')).toBe('refs/heads/main');
    expect(db.reflogNameFor('DANGLING')).toBeUndefined();
    expect(db.reflogNameFor('nothing')).toBeUndefined();
    db.close();
    // The command reports the one it cannot find and still deletes the other.
    const err: string[] = [];
    const code = await main(['-C', info.gitDir, 'reflog', 'delete', 'DANGLING@{0}', 'FOO_BAR@{0}'], { stdout: () => undefined, stderr: (s) => err.push(s), env });
    expect(code).toBe(1);
    expect(err.join('')).toContain("no reflog for 'DANGLING@{0}'");
    expect(RefDatabase.fromInfo(info).reflog('refs/heads/main')).toHaveLength(1);
  });
});

describe('reflog expire finds each reflog as git does', () => {
  it('expires a short name, reports one without a reflog, and still expires the rest', async () => {
    const info = repo('dwim-expire');
    runUpdateStdin(info, `create refs/heads/main ${A}\ncreate refs/heads/b ${A}\n`, { env, createReflog: true }, () => undefined);
    const tables = () => fs.readFileSync(path.join(info.gitDir, 'reftable', 'tables.list'), 'utf8');
    const before = tables();
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['-C', info.gitDir, 'reflog', 'expire', '--expire=now', 'main', 'refs/heads/none'], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env });
    expect(code).toBe(1);
    expect(err.join('')).toContain("no reflog for 'refs/heads/none'");
    expect(out.join('')).toBe('refs/heads/main: pruned 1\n');
    const db = RefDatabase.fromInfo(info);
    expect(db.reflog('refs/heads/main')).toHaveLength(0);
    expect(db.reflog('refs/heads/b')).toHaveLength(1);
    db.close();
    // One table, for main's reflog: none for the name that has no reflog.
    expect(tables().split('\n').filter(Boolean)).toHaveLength(before.split('\n').filter(Boolean).length + 1);
  });
});

describe('input that does not follow the format fails where and as git fails', () => {
  const parse = (input: string, z = false) => {
    try {
      return parseUpdateStdin(input, { hexLength: 40, z }).map((t) => t.updates.map((u) => `${u.op} ${u.name}${'old' in u && u.old ? ` old ${u.old}` : ''}${'oldTarget' in u && u.oldTarget ? ` from ${u.oldTarget}` : ''}`));
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('LF form: a last line without its LF is refused', () => {
    expect(parse(`create refs/heads/a ${A}`)).toBe('line 1: create refs/heads/a: extra input: ');
    expect(parse(`update refs/heads/a ${A}`)).toBe('line 1: update refs/heads/a: unexpected end of input when reading <old-oid>');
    expect(parse('start\ncommit')).toBe('line 2: unknown command: commit');
    expect(parse('option no-deref')).toBe('line 1: option unknown: no-deref');
    expect(parse(`create refs/heads/a ${A}\n`)).toEqual([['create refs/heads/a']]);
  });
  it('-z form: each command reads its number of records, whatever they hold', () => {
    // symref-update always reads four: with no old value, the record after it is swallowed.
    expect(parse(`symref-update refs/heads/s\0refs/heads/main\0\0create refs/heads/c\0${A}\0`, true)).toBe(`line 5: unknown command: ${A}`);
    expect(parse(`symref-update refs/heads/s\0refs/heads/main\0\0\0create refs/heads/c\0${A}\0`, true)).toEqual([['symref-update refs/heads/s', 'create refs/heads/c']]);
    expect(parse(`symref-update refs/heads/s\0refs/heads/main\0ref\0refs/heads/t\0`, true)).toEqual([['symref-update refs/heads/s from refs/heads/t']]);
    // The old-value record must be there, empty or not.
    expect(parse('delete refs/heads/a\0', true)).toBe('line 1: delete refs/heads/a: unexpected end of input when reading <old-oid>');
    expect(parse(`delete refs/heads/a\0${B}\0`, true)).toEqual([[`delete refs/heads/a old ${B}`]]);
    expect(parse('verify refs/heads/a\0\0', true)).toEqual([[`verify refs/heads/a old ${Z}`]]);
    expect(parse(`update refs/heads/a\0${A}\0`, true)).toBe('line 1: update refs/heads/a: unexpected end of input when reading <old-oid>');
  });
  it('-z form: an empty new value of update is zero, with git\'s warning', () => {
    const warned: string[] = [];
    readUpdateStdin('update refs/heads/a\0\0\0', { hexLength: 40, z: true }, { ended: () => undefined, warned: (w) => warned.push(w) });
    expect(warned).toEqual(['update refs/heads/a: missing <new-oid>, treating as zero']);
  });
});

describe('values that name refs, as git reads them without its object database', () => {
  it('resolves full ids, @, and refs by git\'s rules; refuses what needs objects or is ambiguous', async () => {
    const info = repo('revisions');
    runUpdateStdin(info, `create refs/heads/main ${A}\ncreate refs/tags/v1 ${B}\ncreate refs/remotes/o/HEAD ${A}\n`, { env }, () => undefined);
    applyTransaction(info, [{ op: 'symref-update', name: 'HEAD', target: 'refs/heads/main', noDeref: true }], { env });
    const db = RefDatabase.fromInfo(info);
    expect(db.resolveRevision(A.toUpperCase())).toBe(A);
    expect(['@', 'HEAD', 'main', 'heads/main', 'refs/heads/main', 'o'].map((v) => db.resolveRevision(v))).toEqual([A, A, A, A, A, A]);
    expect(['v1', 'tags/v1'].map((v) => db.resolveRevision(v))).toEqual([B, B]);
    for (const v of ['', 'nope', A.slice(0, 7), 'main~1', 'heads/', 'refs/heads//main', './main']) expect(db.resolveRevision(v), v).toBeUndefined();
    db.close();
    // In stdin lines and on the command line alike, read when the line is read.
    runUpdateStdin(info, 'create refs/heads/copy v1\nupdate refs/heads/main @ main\n', { env }, () => undefined);
    const err: string[] = [];
    expect(await main(['-C', info.gitDir, 'update', 'refs/heads/second', 'HEAD', ''], { stdout: () => undefined, stderr: (s) => err.push(s), env })).toBe(0);
    // An empty new value is refused, as git refuses it.
    expect(await main(['-C', info.gitDir, 'update', 'refs/heads/main', ''], { stdout: () => undefined, stderr: (s) => err.push(s), env })).toBe(2);
    const after = RefDatabase.fromInfo(info);
    expect([after.ref('refs/heads/copy')?.oid, after.ref('refs/heads/second')?.oid, after.ref('refs/heads/main')?.oid]).toEqual([B, A, A]);
    after.close();
  });
});

describe('symbolic-ref reads and deletes as git does', () => {
  it('shortens unambiguously, follows chains unless told not to, deletes only symrefs and never HEAD', async () => {
    const exists = (names: string[]) => (n: string) => names.includes(n);
    expect(shortenRefname('refs/heads/main', exists(['refs/heads/main']))).toBe('main');
    // A tag of the same name comes earlier in git's rules: the branch keeps heads/.
    expect(shortenRefname('refs/heads/main', exists(['refs/heads/main', 'refs/tags/main']))).toBe('heads/main');
    expect(shortenRefname('refs/remotes/o/HEAD', exists(['refs/remotes/o/HEAD']))).toBe('o');
    expect(shortenRefname('HEAD', exists([]))).toBe('HEAD');
    const info = repo('symbolic-ref');
    runUpdateStdin(info, `create refs/heads/main ${A}\n`, { env }, () => undefined);
    applyTransaction(info, [
      { op: 'symref-update', name: 'HEAD', target: 'refs/heads/alias', noDeref: true },
      { op: 'symref-create', name: 'refs/heads/alias', target: 'refs/heads/main' },
    ], { env });
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['-C', info.gitDir, 'symbolic-ref', ...args], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env });
      return { code, out: out.join(''), err: err.join('') };
    };
    expect(await run('HEAD')).toEqual({ code: 0, out: 'refs/heads/main\n', err: '' });
    expect((await run('--no-recurse', 'HEAD')).out).toBe('refs/heads/alias\n');
    expect((await run('--short', 'HEAD')).out).toBe('main\n');
    expect(await run('-q', 'refs/heads/main')).toEqual({ code: 1, out: '', err: '' });
    expect((await run('refs/heads/main')).err).toContain('ref refs/heads/main is not a symbolic ref');
    expect((await run('-d', 'HEAD')).err).toContain("deleting 'HEAD' is not allowed");
    expect((await run('-d', 'refs/heads/main')).err).toContain('Cannot delete refs/heads/main, not a symbolic ref');
    expect((await run('-d', 'refs/heads/alias')).code).toBe(0);
    const db = RefDatabase.fromInfo(info);
    expect([db.ref('refs/heads/alias'), db.ref('refs/heads/main')?.oid]).toEqual([undefined, A]);
    db.close();
  });
});

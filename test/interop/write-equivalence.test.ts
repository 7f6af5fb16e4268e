/**
 * Byte identity with git 2.47: the same update sequence through `git update-ref --stdin` and
 * through our transaction code, with the same committer identity and date, must add the same
 * tables byte for byte (auto-compaction off to compare each table).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRepository } from '../../src/store/repository';
import { applyTransaction } from '../../src/store/transaction';
import { parseUpdateStdin } from '../../src/store/update-stdin';
import { initRepository } from '../../src/store/init';
import { copyRef, renameRef } from '../../src/store/transaction';
import { deleteReflogEntry, expireReflogs } from '../../src/store/reflog-edit';
import { packRefs } from '../../src/store/compaction';
import { parseExpiryDate } from '../../src/store/reflog-policy';
import { envFor, git, gitBinary, makeCommits, runGit, scratch, stem, tableBytes, tablesList } from './write-helpers';

let G = '';
const tmp = scratch('rt-equiv-');
const stats = { steps: 0, tables: 0, identical: 0, bytes: 0 };

beforeAll(async () => {
  G = await gitBinary();
}, 600_000);
afterAll(() => {
  tmp.cleanup();
  console.log(`write equivalence: ${stats.steps} steps, ${stats.identical}/${stats.tables} tables byte-identical (${stats.bytes} bytes)`);
});

interface Step {
  script: string;
  m?: string;
  createReflog?: boolean;
  /** Expect both to fail. */
  fails?: boolean;
}

function setup(name: string, extraConfig: string[][] = [], hash: 'sha1' | 'sha256' = 'sha1', envExtra: Record<string, string> = {}) {
  const env = envFor(tmp.home, envExtra);
  const a = path.join(tmp.dir, `${name}-git`);
  const b = path.join(tmp.dir, `${name}-ours`);
  git(G, tmp.dir, ['init', '-q', '--ref-format=reftable', `--object-format=${hash}`, '-b', 'main', a], env);
  initRepository(b, { hash, initialBranch: 'main' });
  for (const [k, v] of extraConfig) {
    git(G, a, ['config', k, v], env);
    git(G, b, ['config', k, v], env);
  }
  const ca = makeCommits(G, a, env, 10);
  const cb = makeCommits(G, b, env, 10);
  expect(cb).toEqual(ca);
  return { a: path.join(a, '.git'), b: path.join(b, '.git'), c: ca, env };
}

function runBoth(r: ReturnType<typeof setup>, step: Step) {
  const script = step.script.replace(/\$c(\d)/g, (_, i) => r.c[Number(i)]);
  const args = ['update-ref', '--stdin', ...(step.m !== undefined ? ['-m', step.m] : []), ...(step.createReflog ? ['--create-reflog'] : [])];
  compareStep(r, step, script, () => runGit(G, r.a, args, r.env, script), () => {
    const info = discoverRepository(r.b);
    for (const tx of parseUpdateStdin(script, { hexLength: info.hash.size * 2 })) {
      if (tx.end === 'commit') applyTransaction(info, tx.updates, { message: step.m, createReflog: step.createReflog, env: r.env });
    }
  });
}

function compareStep(r: ReturnType<typeof setup>, step: { fails?: boolean }, script: string, theirs: () => { status: number; stderr: string }, ours: () => void) {
  const before = { a: tablesList(r.a), b: tablesList(r.b) };
  const ga = theirs();
  let ourError: unknown;
  try {
    ours();
  } catch (e) {
    ourError = e;
  }
  stats.steps++;
  if (step.fails) {
    expect(ga.status, `git should fail: ${script}`).not.toBe(0);
    expect(ourError, `we should fail: ${script}`).toBeDefined();
  } else {
    expect(ga.status, ga.stderr).toBe(0);
    expect(ourError).toBeUndefined();
  }
  const after = { a: tablesList(r.a), b: tablesList(r.b) };
  expect(after.a.length - before.a.length).toBe(after.b.length - before.b.length);
  expect(after.b.map(stem)).toEqual(after.a.map(stem));
  for (let i = before.a.length; i < after.a.length; i++) {
    const x = tableBytes(r.a, after.a[i]);
    const y = tableBytes(r.b, after.b[i]);
    stats.tables++;
    expect(Buffer.compare(x, y), `table ${after.a[i]} differs for:\n${script}`).toBe(0);
    stats.identical++;
    stats.bytes += x.length;
  }
}

describe('transactions are byte-identical to git update-ref --stdin', () => {
  it('init table equals git init', () => {
    const r = setup('init');
    expect(tablesList(r.b).map(stem)).toEqual(tablesList(r.a).map(stem));
    expect(Buffer.compare(tableBytes(r.a, tablesList(r.a)[0]), tableBytes(r.b, tablesList(r.b)[0]))).toBe(0);
    for (const f of ['HEAD', 'refs/heads', 'config']) {
      expect(fs.readFileSync(path.join(r.b, f), 'utf8')).toBe(fs.readFileSync(path.join(r.a, f), 'utf8'));
    }
  });

  it('creates, updates, deletes, symrefs, HEAD-branch updates, messages', () => {
    const r = setup('seq');
    const steps: Step[] = [
      { script: 'create refs/heads/main $c0\n', m: 'commit (initial): c0' },
      { script: 'update refs/heads/main $c1 $c0\n', m: 'commit: second' },
      { script: 'create refs/heads/feature $c1\ncreate refs/tags/v1 $c0\ncreate refs/custom/x $c2\n' },
      { script: 'update refs/heads/main $c1\n', m: 'no-op' },
      { script: 'create refs/heads/main $c3\n', fails: true },
      { script: 'update refs/heads/main $c2 $c0\n', fails: true },
      { script: 'symref-create refs/heads/alias refs/heads/feature\n', m: 'alias' },
      { script: 'symref-create refs/heads/dangling refs/heads/nowhere\n', m: 'dangling' },
      { script: 'update refs/heads/alias $c3\n', m: 'through alias' },
      { script: 'option no-deref\nsymref-update HEAD refs/heads/feature\n', m: 'checkout: moving from main to feature' },
      { script: 'update HEAD $c4\n', m: 'commit via HEAD' },
      { script: 'delete refs/heads/main\n', m: 'branch -D main' },
      { script: 'create refs/custom/logged $c4\ncreate refs/custom/nolog $c4\n', createReflog: true },
      { script: 'start\ncreate refs/heads/t1 $c5\nupdate refs/heads/feature $c5 $c4\nprepare\ncommit\n', m: '  multi\n  line   message  ' },
      { script: `update refs/heads/t1 $c6\n`, m: 'x'.repeat(3000) },
      { script: 'delete refs/heads/t1 $c6\n' },
      { script: 'option no-deref\nsymref-delete refs/heads/alias refs/heads/feature\n' },
      { script: 'verify refs/heads/feature $c5\nupdate refs/tags/v1 $c7\n' },
      { script: 'start\ncreate refs/heads/zz $c1\nabort\n' },
      { script: 'create refs/heads/feature/sub $c1\n', fails: true },
      { script: 'create refs/heads/a/b $c1\ncreate refs/heads/a $c2\n', fails: true },
      { script: 'option no-deref\nupdate HEAD $c8\n', m: 'detach' },
      { script: 'option no-deref\nsymref-update HEAD refs/heads/feature\n', m: 'back to feature' },
      { script: 'delete HEAD\n', m: 'delete through HEAD' },
    ];
    for (const s of steps) runBoth(r, s);
    expect(git(G, r.b, ['for-each-ref', '--format=%(refname) %(objectname) %(symref)'], r.env))
      .toBe(git(G, r.a, ['for-each-ref', '--format=%(refname) %(objectname) %(symref)'], r.env));
  });

  it('honours core.logAllRefUpdates=always and false', () => {
    for (const mode of ['always', 'false']) {
      const r = setup(`log-${mode}`, [['core.logAllRefUpdates', mode]]);
      runBoth(r, { script: 'create refs/heads/main $c0\ncreate refs/tags/t $c1\ncreate refs/other/o $c2\n', m: 'm' });
      runBoth(r, { script: 'update refs/heads/main $c1\n', m: 'again' });
    }
  });

  it('rename and copy like git branch -m / -c', () => {
    const r = setup('rename');
    runBoth(r, { script: 'create refs/heads/main $c0\n', m: 'commit (initial): c0' });
    runBoth(r, { script: 'update refs/heads/main $c1\n', m: 'commit: c1' });
    runBoth(r, { script: 'create refs/heads/side $c2\n', m: 'branch: Created from HEAD' });
    const env = r.env;
    compareStep(r, {}, 'branch -m main trunk', () => runGit(G, r.a, ['branch', '-m', 'main', 'trunk'], env),
      () => renameRef(discoverRepository(r.b), 'refs/heads/main', 'refs/heads/trunk', { message: 'Branch: renamed refs/heads/main to refs/heads/trunk', env }));
    compareStep(r, {}, 'branch -c side copy', () => runGit(G, r.a, ['branch', '-c', 'side', 'copy'], env),
      () => copyRef(discoverRepository(r.b), 'refs/heads/side', 'refs/heads/copy', { message: 'Branch: copied refs/heads/side to refs/heads/copy', env }));
    compareStep(r, {}, 'branch -m side other', () => runGit(G, r.a, ['branch', '-m', 'side', 'other'], env),
      () => renameRef(discoverRepository(r.b), 'refs/heads/side', 'refs/heads/other', { message: 'Branch: renamed refs/heads/side to refs/heads/other', env }));
    expect(git(G, r.b, ['reflog', 'show', '--format=%gd %H %gs', 'refs/heads/trunk'], env)).toBe(git(G, r.a, ['reflog', 'show', '--format=%gd %H %gs', 'refs/heads/trunk'], env));
  });

  it('reflog delete and expire', () => {
    const r = setup('reflog', [], 'sha1');
    runBoth(r, { script: 'create refs/heads/main $c0\n', m: 'one' });
    for (let i = 1; i < 6; i++) runBoth(r, { script: `update refs/heads/main $c${i}\n`, m: `step ${i}` });
    runBoth(r, { script: 'create refs/heads/other $c2\n', m: 'other' });
    const env = r.env;
    compareStep(r, {}, 'reflog delete main@{1}', () => runGit(G, r.a, ['reflog', 'delete', 'refs/heads/main@{1}'], env),
      () => deleteReflogEntry(discoverRepository(r.b), 'refs/heads/main', 1, { env }));
    compareStep(r, {}, 'reflog delete --rewrite main@{2}', () => runGit(G, r.a, ['reflog', 'delete', '--rewrite', 'refs/heads/main@{2}'], env),
      () => deleteReflogEntry(discoverRepository(r.b), 'refs/heads/main', 2, { env, rewrite: true }));
    compareStep(r, {}, 'reflog delete HEAD@{0}', () => runGit(G, r.a, ['reflog', 'delete', 'HEAD@{0}'], env),
      () => deleteReflogEntry(discoverRepository(r.b), 'HEAD', 0, { env }));
    compareStep(r, {}, 'expire --all old', () => runGit(G, r.a, ['reflog', 'expire', '--expire=1600000000', '--expire-unreachable=never', '--all'], env),
      () => expireReflogs(discoverRepository(r.b), 'all', parseExpiryDate('1600000000'), { env }));
    compareStep(r, {}, 'expire=now other', () => runGit(G, r.a, ['reflog', 'expire', '--expire=now', '--expire-unreachable=never', 'refs/heads/other'], env),
      () => expireReflogs(discoverRepository(r.b), ['refs/heads/other'], parseExpiryDate('now'), { env }));
    compareStep(r, {}, 'expire=all all', () => runGit(G, r.a, ['reflog', 'expire', '--expire=all', '--expire-unreachable=never', '--all'], env),
      () => expireReflogs(discoverRepository(r.b), 'all', parseExpiryDate('all'), { env }));
    runBoth(r, { script: 'update refs/heads/other $c7\n', m: 'after expiry' });
    expect(git(G, r.b, ['reflog', 'exists', 'refs/heads/main'], env)).toBe('');
  });

  it('with auto-compaction on: same stack shape and bytes, and pack-refs equal', () => {
    const r = setup('auto', [], 'sha1', { GIT_TEST_REFTABLE_AUTOCOMPACTION: 'true' });
    for (let i = 0; i < 12; i++) {
      const lines = Array.from({ length: 1 + ((i * 7) % 5) }, (_, j) => `update refs/heads/b${i % 4}-${j} $c${(i + j) % 10}\n`).join('');
      runBoth(r, { script: lines, m: `round ${i}` });
      if (i % 3 === 2) runBoth(r, { script: `delete refs/heads/b${i % 4}-0\n` });
    }
    compareStep(r, {}, 'pack-refs', () => runGit(G, r.a, ['pack-refs'], r.env), () => packRefs(discoverRepository(r.b)));
    expect(tablesList(r.b).length).toBe(1);
  });

  it('a large transaction on a small stack: the table auto-compaction makes of it is written at once, as git leaves it', () => {
    const r = setup('fold', [], 'sha1', { GIT_TEST_REFTABLE_AUTOCOMPACTION: 'true' });
    runBoth(r, { script: 'create refs/heads/main $c0\ncreate refs/heads/gone $c1\ncreate refs/tags/t $c2\n', m: 'seed' });
    // Older tables hold a tombstone and a reflog the bulk transaction supersedes.
    runBoth(r, { script: 'delete refs/heads/gone\n', m: 'drop' });
    const sameStack = () => {
      const a = tablesList(r.a);
      const b = tablesList(r.b);
      expect(b.map(stem)).toEqual(a.map(stem));
      for (let i = 0; i < a.length; i++) expect(Buffer.compare(tableBytes(r.a, a[i]), tableBytes(r.b, b[i])), a[i]).toBe(0);
    };
    sameStack();
    const bulk = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `create refs/heads/bulk/${String(from + i).padStart(5, '0')} $c${i % 10}\n`).join('');
    const results: ReturnType<typeof applyTransaction>[] = [];
    const ours = (script: string, m: string) => () => {
      const info = discoverRepository(r.b);
      for (const tx of parseUpdateStdin(script, { hexLength: 40 })) results.push(applyTransaction(info, tx.updates, { message: m, env: r.env }));
    };
    const expand = (s: string) => s.replace(/\$c(\d)/g, (_, i) => r.c[Number(i)]);
    const step = (raw: string, m: string) => {
      const script = expand(raw);
      compareStep(r, {}, script, () => runGit(G, r.a, ['update-ref', '--stdin', '-m', m], r.env, script), ours(script, m));
      sameStack();
    };
    step(`${bulk(0, 3000)}update refs/heads/main $c5\ndelete refs/tags/t\n`, 'bulk');
    // Folded: one table, reported as the transaction's table and as a compaction of everything.
    expect(tablesList(r.b)).toHaveLength(1);
    expect(results[0].tables.map((t) => t.name)).toEqual(tablesList(r.b));
    expect(results[0].compacted?.merged).toEqual({ start: 0, end: 2 });
    // A small transaction on the big table: added as usual, no compaction.
    step('update refs/heads/main $c6\n', 'small');
    expect(tablesList(r.b)).toHaveLength(2);
    expect(results[1].compacted).toBeUndefined();
    // A transaction about as big as the stack: whether git merges depends on compressed sizes,
    // so it is written and compacted as git does it.
    step(bulk(3000, 3000), 'second bulk');
  });

  it('SHA-256 repositories', () => {
    const r = setup('sha256', [], 'sha256');
    runBoth(r, { script: 'create refs/heads/main $c0\ncreate refs/heads/b $c1\n', m: 'sha256' });
    runBoth(r, { script: 'delete refs/heads/b\n' });
  });

  it('small blocks (restart interval, block size) and many refs', () => {
    const r = setup('small', [['reftable.blockSize', '512'], ['reftable.restartInterval', '3']]);
    const lines = Array.from({ length: 300 }, (_, i) => `create refs/heads/branch-${String(i).padStart(4, '0')} $c${i % 10}\n`).join('');
    runBoth(r, { script: lines, m: 'many' });
    runBoth(r, { script: 'update refs/heads/branch-0001 $c9\n', m: 'y'.repeat(400) });
  });
});

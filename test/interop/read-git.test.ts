/**
 * Fresh repositories made by git 2.47 at test time, read through the store and compared with
 * git's own output: a varied SHA-1 repo, a SHA-256 repo, linked worktrees, and a 50 000-ref
 * repo where lookups must touch only the blocks on the index path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockSource } from '../../src/engine/block';
import { utf8 } from '../../src/engine/bytes';
import type { SeekStep } from '../../src/engine/table';
import { main as cli } from '../../src/cli';
import { openFileSource } from '../../src/store/fs-source';
import { RefDatabase } from '../../src/store/refdb';
import { Scratch, gitOracle, loadGit, ourForEachRef, ourReflog, ourRootListing, ourShowRef } from './read-helpers';

let s: Scratch;
beforeAll(async () => {
  const { git, gitEnv } = await loadGit();
  s = new Scratch(git, gitEnv);
});
afterAll(() => s?.cleanup());

/** Commits, branches, tags of every kind, symref chains, remotes, deletions, reflog rewrites. */
function buildVaried(dir: string, objectFormat: 'sha1' | 'sha256'): void {
  s.run('.', ['init', '-q', '--ref-format=reftable', `--object-format=${objectFormat}`, '-b', 'main', dir]);
  const c = (m: string) => s.run(dir, ['commit', '-q', '--allow-empty', '-m', m]);
  c('one');
  c('two');
  s.run(dir, ['branch', 'feature']);
  s.run(dir, ['branch', 'topic/nested', 'HEAD~1']);
  c('three');
  s.run(dir, ['tag', 'light']);
  s.run(dir, ['tag', '-a', '-m', 'annotated', 'v1.0', 'HEAD~1']);
  s.run(dir, ['tag', '-a', '-m', 'outer', 'v1.0-outer', 'v1.0']);
  s.run(dir, ['tag', '-a', '-m', 'tree', 'tree-tag', 'HEAD^{tree}']);
  s.run(dir, ['symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
  s.run(dir, ['symbolic-ref', 'refs/heads/alias2', 'refs/heads/alias']);
  s.run(dir, ['symbolic-ref', 'refs/heads/dangling', 'refs/heads/nowhere']);
  s.run(dir, ['update-ref', 'refs/remotes/origin/main', 'HEAD~1']);
  s.run(dir, ['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main']);
  s.run(dir, ['update-ref', '-m', '  multi\nline   message  ', 'refs/heads/feature', 'HEAD']);
  s.run(dir, ['branch', 'temp']);
  s.run(dir, ['branch', '-D', 'temp']);
  s.run(dir, ['branch', '-m', 'feature', 'renamed']);
  s.run(dir, ['reset', '-q', '--hard', 'HEAD~1']);
  s.run(dir, ['checkout', '-q', '--detach']);
  s.run(dir, ['checkout', '-q', 'main']);
  s.run(dir, ['reflog', 'delete', 'refs/heads/main@{1}']);
  s.run(dir, ['update-ref', '--create-reflog', 'refs/custom/logged', 'HEAD']);
  s.run(dir, ['update-ref', 'refs/custom/nolog', 'HEAD']);
  // A symref chain longer than git follows: s1 → s2 → … → s6 → main.
  for (let i = 1; i <= 6; i++) s.run(dir, ['symbolic-ref', `refs/chain/s${i}`, i === 6 ? 'refs/heads/main' : `refs/chain/s${i + 1}`]);
}

function compareWithGit(cwd: string, db: RefDatabase, minRefs = 5): void {
  const o = gitOracle(s, cwd);
  expect(o.forEachRef.split('\n').length).toBeGreaterThan(minRefs);
  expect(ourForEachRef(db)).toBe(o.forEachRef);
  expect(ourRootListing(db)).toBe(o.root);
  expect(ourShowRef(db)).toBe(o.showRef);
  for (const [name, target] of o.symrefs) expect(db.ref(name), name).toMatchObject({ type: 'symref', target });
  expect(o.reflogs.size).toBeGreaterThan(1);
  for (const [name, text] of o.reflogs) expect(ourReflog(db, name), name).toBe(text);
  expect([...new Set([...db.allLogs()].map((e) => e.name))].sort()).toEqual([...o.reflogs.keys()].sort());
}

describe.each(['sha1', 'sha256'] as const)('a varied %s repository', (format) => {
  let dir: string;
  let db: RefDatabase;
  beforeAll(() => {
    dir = path.join(s.dir, `varied-${format}`);
    buildVaried(dir, format);
    db = RefDatabase.open(path.join(dir, 'sub-does-not-matter', '..'));
  });
  afterAll(() => db?.close());

  it('reads every ref, peeled value, symref and reflog entry as git does', () => {
    expect(db.info.hash.name).toBe(format);
    expect(db.stacks[0].stack.tables.length).toBeGreaterThan(1);
    compareWithGit(dir, db);
  });

  it('resolves symrefs as deep as git and no deeper', () => {
    // s3 → s4 → s5 → s6 → main is five names read: resolves. s2 needs six: git gives up.
    const ok = s.run(dir, ['rev-parse', '--verify', '-q', 'refs/chain/s3'], { allowFail: true }).trim();
    const tooDeep = s.run(dir, ['rev-parse', '--verify', '-q', 'refs/chain/s2'], { allowFail: true }).trim();
    expect(ok).toMatch(/^[0-9a-f]{40,64}$/);
    expect(tooDeep).toBe('');
    expect(db.resolve('refs/chain/s3').oid).toBe(ok);
    expect(db.resolve('refs/chain/s3').chain).toEqual(['refs/chain/s3', 'refs/chain/s4', 'refs/chain/s5', 'refs/chain/s6', 'refs/heads/main']);
    expect(db.resolve('refs/chain/s2').oid).toBeUndefined();
    expect(db.resolve('refs/chain/s2').chain).toHaveLength(5);
  });

  it('still reads everything the same after pack-refs and after reload', () => {
    s.run(dir, ['pack-refs']);
    expect(db.reload()).toBe(true);
    expect(db.stacks[0].stack.tables).toHaveLength(1);
    compareWithGit(dir, db);
    expect(db.reload()).toBe(false);
  });
});

describe('linked worktrees', () => {
  it('reads each worktree\'s HEAD and per-worktree refs like git from both sides', () => {
    const main = path.join(s.dir, 'wtmain');
    s.run('.', ['init', '-q', '--ref-format=reftable', '-b', 'main', main]);
    s.run(main, ['commit', '-q', '--allow-empty', '-m', 'base']);
    s.run(main, ['worktree', 'add', '-q', '../wt1', '-b', 'wt1branch']);
    s.run(main, ['worktree', 'add', '-q', '--detach', '../wt2']);
    const wt1 = path.join(s.dir, 'wt1');
    const wt2 = path.join(s.dir, 'wt2');
    s.run(wt1, ['commit', '-q', '--allow-empty', '-m', 'in wt1']);
    s.run(wt1, ['update-ref', 'refs/worktree/private', 'HEAD']);
    s.run(wt1, ['update-ref', 'refs/bisect/bad', 'HEAD~1']);
    s.run(wt1, ['reset', '-q', '--hard', 'HEAD']); // ORIG_HEAD in wt1's stack
    s.run(main, ['update-ref', 'refs/worktree/mainonly', 'HEAD']);
    fs.mkdirSync(path.join(wt1, 'deep', 'er'), { recursive: true });

    const dbMain = RefDatabase.open(main);
    const db1 = RefDatabase.open(path.join(wt1, 'deep', 'er'));
    const db2 = RefDatabase.open(wt2);
    try {
      expect(db1.info.worktreeId).toBe('wt1');
      expect(db1.info.workTree).toBe(wt1);
      compareWithGit(main, dbMain, 2);
      compareWithGit(wt1, db1, 2);
      compareWithGit(wt2, db2, 2);
      const rev = (cwd: string, r: string) => s.run(cwd, ['rev-parse', r]).trim();
      expect(db1.resolve('HEAD').oid).toBe(rev(wt1, 'HEAD'));
      expect(db2.resolve('HEAD').oid).toBe(rev(wt2, 'HEAD'));
      expect(db1.resolve('main-worktree/HEAD').oid).toBe(rev(wt1, 'main-worktree/HEAD'));
      expect(dbMain.resolve('worktrees/wt1/HEAD').oid).toBe(rev(main, 'worktrees/wt1/HEAD'));
      expect(dbMain.ref('worktrees/wt1/refs/worktree/private')?.oid).toBe(rev(main, 'worktrees/wt1/refs/worktree/private'));
      const wts = dbMain.worktrees();
      expect(wts.map((w) => [w.id, w.path])).toEqual([['wt1', wt1], ['wt2', wt2]]);
      expect(wts[0].head).toMatchObject({ type: 'symref', target: 'refs/heads/wt1branch', stack: 'wt1' });
      expect(wts[1].head).toMatchObject({ type: 'oid', oid: rev(wt2, 'HEAD'), stack: 'wt2' });
    } finally {
      dbMain.close();
      db1.close();
      db2.close();
    }
  });
});

describe('50 000 refs', () => {
  const N = 50_000;
  let dir: string;
  let commits: string[];
  beforeAll(() => {
    dir = path.join(s.dir, 'big');
    s.run('.', ['init', '-q', '--ref-format=reftable', '-b', 'main', dir]);
    for (let i = 0; i < 8; i++) s.run(dir, ['commit', '-q', '--allow-empty', '-m', `c${i}`]);
    commits = s.run(dir, ['rev-list', 'HEAD']).trim().split('\n');
    let input = 'start\n';
    for (let i = 0; i < N; i++) {
      const kind = i % 10 === 0 ? 'tags/t' : 'heads/b';
      input += `create refs/${kind}${String(i).padStart(5, '0')}-x ${commits[i % commits.length]}\n`;
    }
    input += 'commit\n';
    s.run(dir, ['update-ref', '--stdin'], { input });
  }, 300_000);

  /** Sources that record every read, mapped back to the table they belong to. */
  function countingDb(): { db: RefDatabase; reads: { file: string; offset: number; length: number }[] } {
    const reads: { file: string; offset: number; length: number }[] = [];
    const db = RefDatabase.open(dir, {
      stack: {
        openSource: (file) => {
          const src = openFileSource(file, 0); // positioned reads only, so every access is seen
          const wrapped: BlockSource & { close(): void } = {
            size: src.size,
            read: (offset, length) => {
              reads.push({ file: path.basename(file), offset, length });
              return src.read(offset, length);
            },
            close: () => src.close(),
          };
          return wrapped;
        },
      },
    });
    return { db, reads };
  }

  async function cliRefs(args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await cli(['-C', dir, 'refs', ...args], { stdout: (x) => (out += x), stderr: () => undefined });
    return { code, out };
  }

  for (const packed of [false, true]) {
    it(`reftable refs equals git for-each-ref byte for byte${packed ? ' after pack-refs' : ''}`, async () => {
      if (packed) s.run(dir, ['pack-refs']);
      const expected = s.run(dir, ['for-each-ref', '--format=%(objectname) %(refname)']);
      expect(expected.split('\n')).toHaveLength(N + 2); // + main + trailing empty
      const ours = await cliRefs([]);
      expect(ours.code).toBe(0);
      expect(ours.out === expected).toBe(true);
      const tagsExpected = s.run(dir, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/tags/', 'refs/heads/b0001*']);
      const tags = await cliRefs(['refs/tags/', 'refs/heads/b0001*']);
      expect(tags.out === tagsExpected).toBe(true);
    }, 120_000);

    it(`an exact lookup reads only the blocks on the index path${packed ? ' after pack-refs' : ''}`, () => {
      const { db, reads } = countingDb();
      try {
        const tables = db.stacks[0].stack.tables;
        const big = tables.reduce((a, b) => (a.size > b.size ? a : b));
        expect(big.table.sections.ref?.indexPosition).toBeGreaterThan(0);
        const name = 'refs/heads/b31337-x';
        reads.length = 0;
        const trace: SeekStep[] = [];
        const rec = big.table.ref(utf8(name), trace);
        expect(rec).toBeDefined();
        const path_ = trace.filter((t) => t.kind === 'index-block' || t.kind === 'data-block').map((t) => (t as { offset: number }).offset);
        expect(trace.some((t) => t.kind === 'index-block')).toBe(true);
        const blockSize = big.table.header.blockSize;
        // Every byte read falls inside a block on the path (plus git's one-byte peek past a block's end).
        for (const r of reads) {
          expect(r.file).toBe(big.name);
          expect(path_.some((p) => r.offset >= p && r.offset < p + blockSize + 1), `read at ${r.offset}`).toBe(true);
        }
        expect(new Set(reads.map((r) => r.offset)).size).toBeLessThanOrEqual(2 * path_.length);
        // The whole ref lookup through the merged view also stays small.
        reads.length = 0;
        expect(db.ref(name)?.oid).toBe(commits[31337 % commits.length]);
        const blocksTouched = new Set(reads.map((r) => `${r.file}:${Math.floor(r.offset / blockSize)}`)).size;
        expect(blocksTouched).toBeLessThanOrEqual(tables.length * 4);
        expect(big.table.size / blockSize).toBeGreaterThan(100);
      } finally {
        db.close();
      }
    });

    it(`prefix iteration stops at the end of the prefix${packed ? ' after pack-refs' : ''}`, () => {
      const { db, reads } = countingDb();
      try {
        reads.length = 0;
        const names = [...db.refs({ prefixes: ['refs/heads/b2000'] })].map((r) => r.name);
        expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `refs/heads/b2000${i}-x`).filter((n) => !n.endsWith('0-x')));
        const blockSize = db.stacks[0].stack.tables[0].table.header.blockSize;
        const blocksTouched = new Set(reads.map((r) => `${r.file}:${Math.floor(r.offset / blockSize)}`)).size;
        expect(blocksTouched).toBeLessThanOrEqual(db.stacks[0].stack.tables.length * 5);
      } finally {
        db.close();
      }
    });
  }
});

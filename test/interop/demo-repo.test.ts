/**
 * The demo repository `npm start` opens is made by our engine alone; git 2.47 must accept it
 * as its own: refs, peeled tag, symrefs, reflogs in order, a clean work tree, fsck without
 * errors, and further git writes on top of our tables.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepo, type DemoRepo } from '../../scripts/demo/create';

interface GitPath {
  reftableGit(): Promise<string>;
  gitEnv(home: string, date?: string): NodeJS.ProcessEnv;
}

let base = '';
let demo: DemoRepo;
let run: (...args: string[]) => string;

beforeAll(async () => {
  const m = (await import(new URL('../../scripts/git-path.mjs', import.meta.url).href)) as GitPath;
  const git = await m.reftableGit();
  base = mkdtempSync(path.join(tmpdir(), 'demo-repo-test-'));
  const env = m.gitEnv(path.join(base, 'home'));
  demo = createDemoRepo(path.join(base, 'demo'));
  run = (...args) => execFileSync(git, args, { cwd: demo.dir, env, encoding: 'utf8' }).trimEnd();
}, 600_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('demo repository made by the engine', () => {
  it('is a reftable repository spread over several tables', () => {
    expect(run('rev-parse', '--show-ref-format')).toBe('reftable');
    const list = readFileSync(path.join(demo.gitDir, 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean);
    expect(list).toEqual(demo.tables);
    expect(list.length).toBeGreaterThan(3);
    expect(list[0]).toMatch(/^0x000000000001-0x000000000006-[0-9a-f]{8}\.ref$/);
  });

  it('has the refs git lists, with the annotated tag peeled and the symrefs resolved', () => {
    const refs = run('for-each-ref', '--format=%(refname) %(objectname) %(objecttype) %(symref)');
    const expected = Object.entries(demo.refs).filter(([n]) => n.startsWith('refs/'));
    expect(refs.split('\n')).toHaveLength(expected.length);
    for (const [name, value] of expected) {
      if (value.startsWith('ref: ')) expect(refs).toContain(`${name} ${run('rev-parse', value.slice(5))} commit ${value.slice(5)}`);
      else expect(refs).toContain(`${name} ${value}`);
    }
    expect(run('rev-parse', 'refs/tags/v1.0^{}')).toBe(run('rev-parse', 'refs/heads/main~2'));
    expect(run('cat-file', '-t', 'refs/tags/v1.0')).toBe('tag');
    expect(run('symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    // Deleted before the base table was compacted: gone, tombstone and all.
    expect(run('for-each-ref', 'refs/heads/old-experiment')).toBe('');
  });

  it('keeps reflogs newest first with their messages', () => {
    expect(run('reflog', 'show', '--format=%gs', 'refs/heads/main').split('\n')).toEqual([
      'commit: Compact the stack', 'commit: Write tables', 'commit: Add parser notes', 'commit (initial): Initial commit',
    ]);
    expect(run('reflog', 'show', '--format=%gs', 'refs/heads/feature/inspector').split('\n')).toEqual([
      'commit: Highlight record bytes', 'commit: Sketch the inspector', 'branch: Created from main',
    ]);
    // `git reflog exists` fails for the deleted branch: its entries were tombstoned.
    expect(() => run('reflog', 'exists', 'refs/heads/old-experiment')).toThrow();
    expect(() => run('reflog', 'exists', 'refs/heads/main')).not.toThrow();
  });

  it('passes fsck and has a clean work tree', () => {
    expect(run('fsck', '--strict', '--no-progress')).not.toMatch(/error|broken|missing/i);
    expect(run('status', '--porcelain')).toBe('');
  });

  it('takes further writes from git', () => {
    run('branch', 'made-by-git', 'fix/typo');
    expect(run('rev-parse', 'made-by-git')).toBe(demo.refs['refs/heads/fix/typo']);
    run('pack-refs');
    expect(readFileSync(path.join(demo.gitDir, 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(run('rev-parse', 'refs/tags/v1.0')).toBe(demo.refs['refs/tags/v1.0']);
  });
});

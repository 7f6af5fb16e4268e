import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReftableError } from '../../../src/engine/errors';
import { discoverRepository, findRepositories } from '../../../src/store/repository';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-discover-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Copy a fixture git dir to `dest`, optionally as a non-bare `.git`. */
function copyGitDir(fixture: string, dest: string, bare: boolean): void {
  fs.cpSync(path.join(FIXTURES, `${fixture}.git`), dest, { recursive: true });
  const cfg = path.join(dest, 'config');
  fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/bare = true/, `bare = ${bare}`));
}

function expectRepoError(fn: () => unknown, re: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ReftableError);
  expect((err as ReftableError).code).toBe('REPOSITORY');
  expect((err as ReftableError).message).toMatch(re);
}

// main/ : work tree with .git dir; wt/ : linked worktree with a .git file (relative path).
const main = path.join(tmp, 'main');
const wt = path.join(tmp, 'wt');
fs.mkdirSync(path.join(main, 'src', 'deep'), { recursive: true });
copyGitDir('worktree', path.join(main, '.git'), false);
fs.mkdirSync(path.join(wt, 'sub'), { recursive: true });
fs.writeFileSync(path.join(wt, '.git'), 'gitdir: ../main/.git/worktrees/wt\n');
fs.writeFileSync(path.join(main, '.git', 'worktrees', 'wt', 'gitdir'), path.join(wt, '.git') + '\n');

describe('discoverRepository', () => {
  it('finds the repository from the work tree root and nested directories', () => {
    for (const start of [main, path.join(main, 'src'), path.join(main, 'src', 'deep')]) {
      const info = discoverRepository(start);
      expect(info.gitDir).toBe(path.join(main, '.git'));
      expect(info.commonDir).toBe(path.join(main, '.git'));
      expect(info.workTree).toBe(main);
      expect(info.bare).toBe(false);
      expect(info.refStorage).toBe('reftable');
      expect(info.hash.name).toBe('sha1');
      expect(info.worktreeId).toBeUndefined();
    }
  });

  it('accepts a file inside the work tree and the git dir itself', () => {
    fs.writeFileSync(path.join(main, 'src', 'a.txt'), 'x');
    expect(discoverRepository(path.join(main, 'src', 'a.txt')).gitDir).toBe(path.join(main, '.git'));
    const direct = discoverRepository(path.join(main, '.git'));
    expect(direct.gitDir).toBe(path.join(main, '.git'));
    expect(direct.workTree).toBe(main);
  });

  it('follows a .git file and commondir for a linked worktree', () => {
    const info = discoverRepository(path.join(wt, 'sub'));
    expect(info.gitDir).toBe(path.join(main, '.git', 'worktrees', 'wt'));
    expect(info.commonDir).toBe(path.join(main, '.git'));
    expect(info.workTree).toBe(wt);
    expect(info.worktreeId).toBe('wt');
    expect(info.bare).toBe(false);
  });

  it('opens a linked worktree git dir given directly, finding its checkout', () => {
    const info = discoverRepository(path.join(main, '.git', 'worktrees', 'wt'));
    expect(info.worktreeId).toBe('wt');
    expect(info.workTree).toBe(wt);
  });

  it('handles a submodule-style .git file with a relative gitdir', () => {
    const sm = path.join(main, 'modules-holder');
    copyGitDir('basic', path.join(main, '.git', 'modules', 'lib'), false);
    fs.mkdirSync(path.join(sm, 'lib', 'x'), { recursive: true });
    fs.writeFileSync(path.join(sm, 'lib', '.git'), 'gitdir: ../../.git/modules/lib\n');
    const info = discoverRepository(path.join(sm, 'lib', 'x'));
    expect(info.gitDir).toBe(path.join(main, '.git', 'modules', 'lib'));
    expect(info.workTree).toBe(path.join(sm, 'lib'));
  });

  it('recognises a bare repository', () => {
    const bare = path.join(tmp, 'bare.git');
    copyGitDir('sha256', bare, true);
    fs.mkdirSync(path.join(bare, 'reftable', 'nested'), { recursive: true });
    const info = discoverRepository(path.join(bare, 'reftable', 'nested'));
    expect(info.gitDir).toBe(bare);
    expect(info.bare).toBe(true);
    expect(info.workTree).toBeUndefined();
    expect(info.hash.name).toBe('sha256');
    expect(info.config.get('extensions.objectformat')).toEqual(['sha256']);
  });

  it('refuses a files-backend repository with a clear message', () => {
    const files = path.join(tmp, 'files');
    fs.mkdirSync(path.join(files, '.git', 'objects'), { recursive: true });
    fs.mkdirSync(path.join(files, '.git', 'refs', 'heads'), { recursive: true });
    fs.writeFileSync(path.join(files, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(files, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = false\n');
    expectRepoError(() => discoverRepository(files), /uses the "files" ref storage, not reftable/);
    expect(discoverRepository(files, { allowFiles: true }).refStorage).toBe('files');
  });

  it('rejects unknown extensions in version 1 and v1-only ones in version 0, like git', () => {
    const r = path.join(tmp, 'ext.git');
    copyGitDir('basic', r, true);
    const cfg = path.join(r, 'config');
    const base = fs.readFileSync(cfg, 'utf8');
    fs.writeFileSync(cfg, base + '\tfrobnicate = yes\n');
    expectRepoError(() => discoverRepository(r), /unknown repository extension found: frobnicate/);
    fs.writeFileSync(cfg, base.replace('repositoryformatversion = 1', 'repositoryformatversion = 0'));
    expectRepoError(() => discoverRepository(r), /repo version is 0, but v1-only extension found: refstorage/);
    fs.writeFileSync(cfg, base.replace('repositoryformatversion = 1', 'repositoryformatversion = 2'));
    expectRepoError(() => discoverRepository(r), /Expected git repo version <= 1, found 2/);
  });

  it('reports a broken .git file and a directory outside any repository', () => {
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, '.git'), 'nonsense\n');
    expectRepoError(() => discoverRepository(broken), /invalid gitfile format/);
    const nowhere = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-norepo-'));
    try {
      expectRepoError(() => discoverRepository(nowhere), /not a git repository/);
    } finally {
      fs.rmSync(nowhere, { recursive: true });
    }
  });
});

describe('findRepositories', () => {
  it('lists reftable repositories below a root, skipping node_modules and deep levels', () => {
    const ws = path.join(tmp, 'ws');
    copyGitDir('basic', path.join(ws, 'a', '.git'), false);
    copyGitDir('sha256', path.join(ws, 'group', 'b.git'), true);
    copyGitDir('basic', path.join(ws, 'node_modules', 'c', '.git'), false);
    copyGitDir('basic', path.join(ws, 'x', 'y', 'z', 'deep', '.git'), false);
    const found = findRepositories(ws).map((r) => r.gitDir).sort();
    expect(found).toEqual([path.join(ws, 'a', '.git'), path.join(ws, 'group', 'b.git')].sort());
    expect(findRepositories(ws, 4).map((r) => r.gitDir)).toContain(path.join(ws, 'x', 'y', 'z', 'deep', '.git'));
  });
});

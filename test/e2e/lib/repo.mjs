// The repository the end-to-end suite opens, made by a reftable-capable git so the extension is
// tested against git's own files: branches (one in a folder), a lightweight and an annotated
// tag, remote-tracking refs with a remote symref, reflogs over several tables, and a copy of a
// table inside the work tree for the inspector.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitEnv, reftableGit } from '../../../scripts/git-path.mjs';

export async function makeGitRepo(base) {
  const git = await reftableGit();
  const home = join(base, 'git-home');
  const dir = join(base, 'repo');
  mkdirSync(home, { recursive: true });
  let step = 0;
  const env = () => ({ ...gitEnv(home, `${1700000000 + 60 * step++} +0100`), GIT_TEST_REFTABLE_AUTOCOMPACTION: 'false' });
  const runIn = (cwd, args) => execFileSync(git, args, { cwd, env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  // Each step one minute later, so reflog entries have distinct, ordered times.
  const run = (...args) => runIn(dir, args);
  mkdirSync(dir, { recursive: true });
  run('init', '-q', '--ref-format=reftable', '-b', 'main');
  const commit = (file, text, msg) => {
    writeFileSync(join(dir, file), text);
    run('add', file);
    run('commit', '-q', '-m', msg);
  };
  commit('README.md', '# e2e\n', 'Initial commit');
  commit('notes.txt', 'one\n', 'Add notes');
  run('branch', 'feature/login');
  run('branch', 'fix/typo');
  run('tag', 'v0.9');
  commit('notes.txt', 'one\ntwo\n', 'Second note');
  run('tag', '-a', 'v1.0', '-m', 'Release 1.0');
  run('update-ref', '-m', 'fetch: fast-forward', 'refs/remotes/origin/main', 'HEAD~1');
  run('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  run('branch', 'doomed');
  run('branch', '-D', 'doomed');
  // A table holding every ref and log: pack a copy of the repository and keep its one table.
  const copy = join(base, 'packed');
  cpSync(join(dir, '.git'), join(copy, '.git'), { recursive: true });
  runIn(copy, ['pack-refs']);
  const packed = readFileSync(join(copy, '.git', 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean);
  mkdirSync(join(dir, 'tables'), { recursive: true });
  copyFileSync(join(copy, '.git', 'reftable', packed[0]), join(dir, 'tables', 'sample.ref'));
  rmSync(copy, { recursive: true, force: true });
  return {
    dir, gitPath: git, home,
    /** Run git in the repository with the suite's environment. */
    git: run,
    tables: () => readFileSync(join(dir, '.git', 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean),
  };
}

/**
 * Shared scaffolding for the write-side interop tests: scratch repositories made by git 2.47,
 * deterministic commits present in every repository, and a runner for `git` in them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';

interface GitPath {
  reftableGit(): Promise<string>;
  gitEnv(home: string, date?: string): NodeJS.ProcessEnv;
}
let gitPath: GitPath | undefined;
async function loadGitPath(): Promise<GitPath> {
  // A plain .mjs module: imported by URL so the type checker does not need its declarations.
  gitPath ??= (await import(new URL('../../scripts/git-path.mjs', import.meta.url).href)) as GitPath;
  return gitPath;
}

export const DATE = '1700000000 -0800';

/** The reftable-capable git; throws (the test fails) when none can be provisioned. */
export async function gitBinary(): Promise<string> {
  return (await loadGitPath()).reftableGit();
}

export function scratch(prefix = 'rt-write-'): { dir: string; home: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  return { dir, home, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function envFor(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  if (!gitPath) throw new Error('call gitBinary() first');
  return { ...gitPath.gitEnv(home, DATE), GIT_TEST_REFTABLE_AUTOCOMPACTION: 'false', ...extra };
}

export function runGit(git: string, cwd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(git, args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function git(gitBin: string, cwd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  return execFileSync(gitBin, args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Write `n` commits with fixed content (identical ids in every repo of the same hash). */
export function makeCommits(gitBin: string, repo: string, env: NodeJS.ProcessEnv, n: number): string[] {
  const tree = git(gitBin, repo, ['hash-object', '-w', '-t', 'tree', '--stdin'], env, '').trim();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = `tree ${tree}\nauthor A U Thor <author@example.com> ${1700000000 + i} -0800\ncommitter C O Mitter <committer@example.com> ${1700000000 + i} -0800\n\ncommit ${i}\n`;
    out.push(git(gitBin, repo, ['hash-object', '-w', '-t', 'commit', '--stdin'], env, body).trim());
  }
  return out;
}

export function tablesList(gitDir: string, stack = 'reftable'): string[] {
  const f = path.join(gitDir, stack, 'tables.list');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

export function tableBytes(gitDir: string, name: string): Buffer {
  return fs.readFileSync(path.join(gitDir, 'reftable', name));
}

/** Table name without its random part. */
export function stem(name: string): string {
  return name.replace(/-[0-9a-f]{8}\.ref$/, '');
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliSuite {
  /** The reftable-capable git (set once the suite's beforeAll has run). */
  git: string;
  tmp: ReturnType<typeof scratch>;
  /** Our bundled CLI, built by the suite's beforeAll. */
  cli: string;
}

/**
 * For suites that run git and our built CLI side by side: finds git and bundles dist/ before
 * the tests, removes the scratch directory after them.
 */
export function cliSuite(prefix: string): CliSuite {
  const suite: CliSuite = { git: '', tmp: scratch(prefix), cli: path.join(ROOT, 'dist', 'cli.js') };
  beforeAll(async () => {
    suite.git = await gitBinary();
    const b = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
  }, 600_000);
  afterAll(() => suite.tmp.cleanup());
  return suite;
}

/**
 * Where everything lives during a run: the repository root, the scratch area bench/tmp
 * (git-ignored), the git under comparison, and one deterministic environment shared by git and
 * our CLI so both write identical reflog identities.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mustRun, ProcOptions, ProcResult, runProc } from './proc.js';

export interface Context {
  root: string;
  tmp: string;
  git: string;
  gitVersion: string;
  env: NodeJS.ProcessEnv;
  /** Built CLI (dist/cli.js), absent when src/cli.ts has not been written yet. */
  cli?: string;
  /** This bundle, re-run as a child for in-process measurements. */
  self: string;
  log(msg: string): void;
}

interface GitPathModule {
  reftableGit(): Promise<string>;
  gitEnv(home: string, date?: string): NodeJS.ProcessEnv;
  unwrappedGit(git: string, env: NodeJS.ProcessEnv): string;
}

/** Import a project .mjs helper by absolute path (the bundle lives elsewhere than its source). */
export async function importRoot<T>(root: string, rel: string): Promise<T> {
  return (await import(pathToFileURL(path.join(root, rel)).href)) as T;
}

export async function makeContext(root: string, self: string, quiet = false): Promise<Context> {
  const tmp = path.join(root, 'bench', 'tmp');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home, { recursive: true });
  const gp = await importRoot<GitPathModule>(root, 'scripts/git-path.mjs');
  const env = gp.gitEnv(home, '1700000060 -0800');
  const git = gp.unwrappedGit(await gp.reftableGit(), env);
  const v = await mustRun(git, ['--version'], { cwd: tmp, env, capture: true });
  const cliPath = path.join(root, 'dist', 'cli.js');
  const t0 = Date.now();
  return {
    root,
    tmp,
    git,
    gitVersion: (v.stdout ?? '').trim().replace(/^git version /, ''),
    env,
    cli: fs.existsSync(cliPath) ? cliPath : undefined,
    self,
    log: (msg: string) => {
      if (!quiet) process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
    },
  };
}

export type RunOpts = Partial<Omit<ProcOptions, 'cwd'>>;

export function git(ctx: Context, cwd: string, args: readonly string[], opts: RunOpts = {}): Promise<ProcResult> {
  return runProc(ctx.git, args, { ...opts, cwd, env: opts.env ?? ctx.env });
}

/** Our CLI as a user runs it: a fresh node process on the bundled dist/cli.js. */
export function cli(ctx: Context, cwd: string, args: readonly string[], opts: RunOpts = {}): Promise<ProcResult> {
  if (!ctx.cli) throw new Error('dist/cli.js is not built');
  return runProc(process.execPath, [ctx.cli, ...args], { ...opts, cwd, env: opts.env ?? ctx.env });
}

/** Bytes of a stack directory on disk (tables + tables.list). */
export function stackBytes(gitDir: string): number {
  const dir = path.join(gitDir, 'reftable');
  let n = 0;
  for (const f of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, f));
    if (st.isFile()) n += st.size;
  }
  return n;
}

export function tableCount(gitDir: string): number {
  const list = fs.readFileSync(path.join(gitDir, 'reftable', 'tables.list'), 'utf8');
  return list.split('\n').filter((l) => l !== '').length;
}

/** Fresh scratch copy of a cached repository (mutating workloads never touch the cache). */
export function workCopy(ctx: Context, from: string, name: string): string {
  const dst = path.join(ctx.tmp, 'work', name);
  fs.rmSync(dst, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.cpSync(from, dst, { recursive: true });
  return dst;
}

/**
 * Running a command as a measured process. bench/lib/rusage.py forks and execs the command and
 * reports wall time, CPU time (user + system, from wait4, so it includes everything the command
 * waited for) and peak RSS. CPU time is what the tables compare: on a shared, loaded machine
 * wall time mostly measures the other tenants. stdout goes to /dev/null unless captured; stdin
 * comes from a file so no pipe feeding skews the timing.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProcResult {
  /** Wall time in ms, measured around fork/exec. */
  ms: number;
  /** User + system CPU time in ms (NaN when unmeasured). */
  cpuMs: number;
  /** Peak RSS in KiB. */
  rssKb?: number;
  code: number;
  stdout?: string;
  stderr: string;
}

export interface ProcOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** File fed as stdin. */
  stdinFile?: string;
  /** Keep stdout (otherwise it goes to /dev/null). */
  capture?: boolean;
  /** Skip the measuring wrapper (setup steps). */
  noTime?: boolean;
  /**
   * Kill the process (its whole group) after this many ms; 0 for never. Default: 4 minutes,
   * far above any single measured run. A Node process can hang at exit after finishing its
   * work (a shutdown deadlock between V8's background compiler and the platform's task
   * drain, nodejs/node#54918; seen once in ~1,000 CLI runs): the run then fails with exit
   * 124 and says so, instead of stalling the benchmark.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 240_000;

let python: string | null | undefined;
let wrapper: string | undefined;

/** A python3 able to run the wrapper (the real binary, not a slow version-manager shim). */
export function measurer(): { python: string; script: string } | undefined {
  if (python === undefined) {
    python = null;
    for (const cand of ['/usr/bin/python3', 'python3']) {
      const r = spawnSync(cand, ['-c', 'import os,sys; os.waitstatus_to_exitcode; print(sys.executable)'], { encoding: 'utf8' });
      if (r.status === 0) {
        python = r.stdout.trim() || cand;
        break;
      }
    }
  }
  if (!python) return undefined;
  wrapper ??= findWrapper();
  return { python, script: wrapper };
}

/** rusage.py beside the source, or (bundled run) in bench/lib of the repository. */
function findWrapper(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'rusage.py'), path.join(here, '..', 'lib', 'rusage.py')]) if (fs.existsSync(c)) return c;
  throw new Error('bench/lib/rusage.py not found');
}

export function runProc(cmd: string, args: readonly string[], opts: ProcOptions): Promise<ProcResult> {
  const stats = path.join(os.tmpdir(), `bench-rusage-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const m = opts.noTime ? undefined : measurer();
  const stdinFd = opts.stdinFile ? fs.openSync(opts.stdinFile, 'r') : undefined;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const p = spawn(m ? m.python : cmd, m ? [m.script, stats, cmd, ...args] : [...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [stdinFd ?? 'ignore', opts.capture ? 'pipe' : 'ignore', 'pipe'],
      // Its own process group, so a timeout kills the wrapper and the command together.
      detached: timeoutMs > 0,
    });
    let timedOut = false;
    const timer = timeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-p.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, timeoutMs)
      : undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout?.on('data', (d: Buffer) => out.push(d));
    p.stderr?.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => {
      if (stdinFd !== undefined) fs.closeSync(stdinFd);
      reject(e);
    });
    p.on('close', (code) => {
      if (timer) clearTimeout(timer);
      let ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (stdinFd !== undefined) fs.closeSync(stdinFd);
      let cpuMs = NaN;
      let rssKb: number | undefined;
      if (m) {
        try {
          const s = JSON.parse(fs.readFileSync(stats, 'utf8')) as { wall: number; user: number; sys: number; maxrss: number };
          ms = s.wall;
          cpuMs = s.user + s.sys;
          rssKb = s.maxrss;
          fs.rmSync(stats, { force: true });
        } catch {
          // No stats: the wrapper itself failed; the exit code and stderr say why.
        }
      }
      let stderr = Buffer.concat(err).toString('utf8');
      if (stderr.length > 4000) stderr = stderr.slice(0, 4000) + '…';
      if (timedOut) {
        stderr = `timed out after ${timeoutMs / 1000} s and was killed (for a Node process most likely the hang at exit of nodejs/node#54918)${stderr ? '; ' + stderr : ''}`;
        resolve({ ms, cpuMs: NaN, rssKb: undefined, code: 124, stdout: undefined, stderr });
        return;
      }
      resolve({ ms, cpuMs, rssKb, code: code ?? 1, stdout: opts.capture ? Buffer.concat(out).toString('utf8') : undefined, stderr });
    });
  });
}

/** Run and insist on exit 0 (generation and verification steps). */
export async function mustRun(cmd: string, args: readonly string[], opts: ProcOptions): Promise<ProcResult> {
  // Generating a 1M-ref repository with git can take minutes on a slow machine.
  const r = await runProc(cmd, args, { timeoutMs: 0, ...opts });
  if (r.code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.code}) in ${opts.cwd}: ${r.stderr.trim()}`);
  return r;
}

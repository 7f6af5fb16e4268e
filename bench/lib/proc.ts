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
}

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
    const p = spawn(m ? m.python : cmd, m ? [m.script, stats, cmd, ...args] : [...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [stdinFd ?? 'ignore', opts.capture ? 'pipe' : 'ignore', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout?.on('data', (d: Buffer) => out.push(d));
    p.stderr?.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => {
      if (stdinFd !== undefined) fs.closeSync(stdinFd);
      reject(e);
    });
    p.on('close', (code) => {
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
      resolve({ ms, cpuMs, rssKb, code: code ?? 1, stdout: opts.capture ? Buffer.concat(out).toString('utf8') : undefined, stderr });
    });
  });
}

/** Run and insist on exit 0 (generation and verification steps). */
export async function mustRun(cmd: string, args: readonly string[], opts: ProcOptions): Promise<ProcResult> {
  const r = await runProc(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.code}) in ${opts.cwd}: ${r.stderr.trim()}`);
  return r;
}

/** Repeated, interleaved runs of two tools, and in-process children. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Context, cli } from './context.js';
import { ProcResult, runProc } from './proc.js';
import { Row } from './report.js';
import { max, median } from './stats.js';

export interface Pair {
  ours?: { cpu: number[]; wall: number[] };
  git: { cpu: number[]; wall: number[] };
  oursRssKb?: number;
  gitRssKb?: number;
  error?: string;
}

type Step = (run: number) => Promise<ProcResult>;

/**
 * Run ours and git `runs` times each, alternating (so drift in machine load hits both), after
 * an unmeasured warm-up of each so the page cache holds the repository for both.
 * `setup` prepares fresh state before every single execution (outside the timing).
 */
export async function comparePair(opts: {
  runs: number;
  ours?: Step;
  git: Step;
  setup?: (tool: 'ours' | 'git', run: number) => void | Promise<void>;
  warmup?: boolean;
}): Promise<Pair> {
  const out: Pair = { git: { cpu: [], wall: [] } };
  if (opts.ours) out.ours = { cpu: [], wall: [] };
  const rss: { ours: (number | undefined)[]; git: (number | undefined)[] } = { ours: [], git: [] };
  const tools: ('ours' | 'git')[] = opts.ours ? ['ours', 'git'] : ['git'];
  const start = opts.warmup === false ? 0 : -1;
  for (let run = start; run < opts.runs; run++) {
    const order = run % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      if (tool === 'ours' && out.error) continue;
      await opts.setup?.(tool, run);
      const r = await (tool === 'ours' ? opts.ours! : opts.git)(run);
      if (r.code !== 0) {
        const msg = `${tool === 'ours' ? 'reftable' : 'git'} exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
        if (tool === 'git') throw new Error(msg);
        out.error = msg;
        out.ours = undefined;
        continue;
      }
      if (run < 0) continue;
      const bucket = tool === 'ours' ? out.ours! : out.git;
      bucket.cpu.push(r.cpuMs);
      bucket.wall.push(r.ms);
      rss[tool].push(r.rssKb);
    }
  }
  out.oursRssKb = max(rss.ours);
  out.gitRssKb = max(rss.git);
  return out;
}

/** Fill the timing columns of a row from a pair: CPU time is the compared figure. */
export function pairRow(base: Omit<Row, 'unit'> & { unit?: Row['unit'] }, p: Pair): Row {
  const med = (xs: number[] | undefined) => (xs?.length ? median(xs) : undefined);
  // Without the rusage wrapper there is no CPU time: compare wall time then.
  const cpuOr = (b: { cpu: number[]; wall: number[] } | undefined) => (b && b.cpu.every(Number.isFinite) ? b.cpu : b?.wall);
  const ours = med(cpuOr(p.ours));
  const git = med(cpuOr(p.git));
  const oursWall = med(p.ours?.wall);
  const gitWall = med(p.git.wall);
  return {
    unit: 'ms',
    processes: 1,
    ...base,
    ours,
    git,
    ratio: ours !== undefined && git ? ours / git : undefined,
    oursWall,
    gitWall,
    wallRatio: oursWall !== undefined && gitWall ? oursWall / gitWall : undefined,
    oursRssMb: p.oursRssKb !== undefined ? p.oursRssKb / 1024 : undefined,
    gitRssMb: p.gitRssKb !== undefined ? p.gitRssKb / 1024 : undefined,
    samples: { ours: p.ours, git: p.git },
    error: p.error ?? base.error,
  };
}

/** Run an in-process task in a fresh `node --expose-gc` child; its JSON result. */
export async function child<T>(ctx: Context, task: string, args: object): Promise<T> {
  const r = await runProc(process.execPath, ['--expose-gc', ctx.self, '--child', task, JSON.stringify(args)], {
    cwd: ctx.root, env: ctx.env, capture: true,
  });
  if (r.code !== 0) throw new Error(`in-process task ${task} failed: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  return JSON.parse(r.stdout ?? '') as T;
}

const helpCache = new Map<string, string>();

/** Whether the built CLI lists `command` in its help (other engineers add commands over time). */
export async function cliHas(ctx: Context, command: string): Promise<boolean> {
  if (!ctx.cli) return false;
  let help = helpCache.get(ctx.cli);
  if (help === undefined) {
    const r = await cli(ctx, ctx.root, ['help'], { capture: true, noTime: true });
    help = r.stdout ?? '';
    helpCache.set(ctx.cli, help);
  }
  return new RegExp(`^\\s+${command}\\b`, 'm').test(help);
}

/** A stdin file with `lines`, cached by name under bench/tmp/input. */
export function inputFile(ctx: Context, name: string, make: () => string): string {
  const dir = path.join(ctx.tmp, 'input');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, make());
  return file;
}

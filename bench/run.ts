/**
 * Benchmark driver: reftable engine / CLI against git on the same generated repositories in
 * the same run. Prints progress on stderr and writes bench/results.{md,json}. Never fails on
 * time: a missed target is a row in the table, not an exit code.
 *
 *   npm run bench                  sizes 10k, 100k, 1M
 *   npm run bench -- --quick       10k only (the layout table stays 40 MiB, cached)
 *   npm run bench -- --sizes=10k,100k --only=list-all,seek
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeContext } from './lib/context.js';
import { runChild } from './lib/inproc.js';
import * as os from 'node:os';
import { measurer } from './lib/proc.js';
import { Row, machineInfo, rerender, writeResults } from './lib/report.js';
import { bigTableFile, packedRepo, reflogRepo, unpackedRepo } from './lib/repos.js';
import * as W from './workloads.js';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..', '..');

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`bad size '${s}' (examples: 10000, 10k, 1M)`);
  const mult = m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1;
  return Math.round(Number(m[1]) * mult);
}

const WORKLOADS = ['list-all', 'seek', 'prefix', 'tx-n', 'tx-seq', 'delete', 'pack', 'reflog', 'extension'] as const;

async function main(argv: string[]): Promise<void> {
  const ci = argv.indexOf('--child');
  if (ci >= 0) {
    await runChild(argv[ci + 1], argv[ci + 2]);
    return;
  }
  if (argv.includes('--render')) {
    rerender(path.join(root, 'bench'));
    return;
  }
  const quick = argv.includes('--quick');
  let sizes = quick ? [10_000] : [10_000, 100_000, 1_000_000];
  let only: Set<string> = new Set(WORKLOADS);
  // Quick runs keep workload 5 short: 1,000 CLI processes alone take about a minute.
  let seqCount = quick ? 100 : 1000;
  let write = true;
  let generateOnly = false;
  for (const a of argv) {
    if (a.startsWith('--sizes=')) sizes = a.slice(8).split(',').map(parseSize);
    else if (a.startsWith('--only=')) only = new Set(a.slice(7).split(','));
    else if (a.startsWith('--seq=')) seqCount = parseSize(a.slice(6));
    else if (a === '--no-write') write = false;
    else if (a === '--generate-only') generateOnly = true;
    else if (a !== '--quick') throw new Error(`unknown option ${a}; see bench/README.md`);
  }
  for (const o of only) if (!(WORKLOADS as readonly string[]).includes(o)) throw new Error(`unknown workload ${o}; known: ${WORKLOADS.join(', ')}`);

  const loadStart = os.loadavg()[0];
  const ctx = await makeContext(root, self);
  if (!measurer()) ctx.log('python3 not found: CPU time and peak RSS are not measured; comparing wall time');
  const started = Date.now();
  ctx.log(`git ${ctx.gitVersion} (${ctx.git}); CLI ${ctx.cli ? 'built' : 'MISSING'}; sizes ${sizes.join(', ')}`);
  if (generateOnly) {
    for (const n of sizes) {
      await packedRepo(ctx, n);
      await unpackedRepo(ctx, n, W.UNPACKED_TABLES);
    }
    await reflogRepo(ctx, 100_000);
    await bigTableFile(ctx, 40);
    return;
  }
  const rows: Row[] = [];
  const floor = await W.startupFloor(ctx);
  if (floor) ctx.log(`start-up floor (reftable help): ${floor.cpuMs.toFixed(0)} ms CPU, ${floor.rssMb.toFixed(0)} MiB`);
  const machineAtStart = () => machineInfo(ctx.gitVersion, loadStart, floor);
  // Results are rewritten after every step, so an interrupted run still leaves its figures.
  const save = (final: boolean) => {
    if (!write) return;
    const seconds = (Date.now() - started) / 1000;
    writeResults(path.join(root, 'bench'), machineAtStart(), rows, { argv: final ? argv : [...argv, '(interrupted: partial)'], seconds, sizes });
  };
  const step = async (name: string, fn: () => Promise<Row[]>) => {
    if (!only.has(name)) return;
    try {
      const rs = await fn();
      for (const r of rs) {
        if (floor && r.processes && r.git) r.floorRatio = (floor.cpuMs * r.processes) / r.git;
      }
      rows.push(...rs);
      for (const r of rs) {
        const v = r.ours !== undefined ? r.ours.toFixed(2) : '—';
        const g = r.git !== undefined ? r.git.toFixed(2) : '—';
        ctx.log(`  ${r.workload} ${r.size ?? ''} ${r.variant}: ours ${v} ${r.unit}, git ${g}${r.ratio !== undefined ? `, ratio ${r.ratio.toFixed(2)}` : ''}${r.met === undefined ? '' : r.met ? ' [met]' : ' [MISSED]'}${r.error ? ` ERROR ${r.error}` : ''}`);
      }
    } catch (e) {
      ctx.log(`  ${name} failed: ${(e as Error).stack ?? e}`);
      rows.push({ workload: name, variant: 'failed', unit: 'ms', error: (e as Error).message });
    }
    save(false);
  };
  // Size-independent workloads first: the 1M part is the longest and the likeliest to be cut.
  await step('reflog', () => W.reflog(ctx, 100_000));
  await step('extension', () => W.extension(ctx, Math.max(...sizes), 40));
  for (const n of sizes) {
    await step('list-all', () => W.listAll(ctx, n));
    await step('seek', () => W.seek(ctx, n));
    await step('prefix', () => W.prefix(ctx, n));
    await step('tx-n', () => W.txN(ctx, n));
    // The CLI loop runs all the transactions too (one Node start each, about 0.2 s: some 3
    // minutes per size), so both loops end with the table count the workload reports.
    await step('tx-seq', () => W.txSeq(ctx, n, seqCount, seqCount));
    await step('delete', () => W.deleteOne(ctx, n));
    await step('pack', () => W.pack(ctx, n));
  }
  save(true);
  if (write) ctx.log(`wrote bench/results.md and bench/results.json (${((Date.now() - started) / 60000).toFixed(1)} min)`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

/**
 * In-process measurements. Each runs in a fresh child (`run.js --child <task> <json>`) so its
 * memory figures and caches start from zero and no workload warms another's.
 */
import * as fs from 'node:fs';
import { utf8 } from '../../src/engine/bytes.js';
import { Table } from '../../src/engine/table.js';
import { RefDatabase } from '../../src/store/refdb.js';
import { applyTransaction } from '../../src/store/transaction.js';
// Registers auto-compaction with the transaction code, as the CLI and the extension do.
import '../../src/store/compaction.js';
import { branchName } from './repos.js';
import { quantile } from './stats.js';
import { prng } from '../../test/prng.js';

declare const gc: (() => void) | undefined;

const now = () => Number(process.hrtime.bigint()) / 1e6;

function collect(): void {
  if (typeof gc === 'function') gc();
}


function memMb(): { heapMb: number; rssMb: number; peakRssMb: number } {
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

type Json = Record<string, unknown>;

/**
 * Random lookups: half existing branches, half misses (half past the last name, half between
 * two existing names so the seek lands inside a block).
 */
function seek(a: { dir: string; n: number; count: number }): Json {
  const t0 = now();
  const db = RefDatabase.open(a.dir);
  const openMs = now() - t0;
  const rnd = prng(42);
  const names: { name: string; hit: boolean }[] = [];
  for (let i = 0; i < a.count; i++) {
    const k = Math.floor(rnd() * a.n);
    if (i % 2 === 0) names.push({ name: branchName(k), hit: true });
    else if (i % 4 === 1) names.push({ name: branchName(a.n + k), hit: false });
    else names.push({ name: `${branchName(k)}x`, hit: false });
  }
  const merged = db.merged();
  const raw = names.map((x) => ({ key: utf8(x.name), hit: x.hit }));
  // Warm-up: JIT and the first blocks, as an editor session would have them.
  for (let i = 0; i < Math.min(1000, names.length / 10); i++) db.ref(names[i].name);
  const api = { hit: [] as number[], miss: [] as number[] };
  const engine = { hit: [] as number[], miss: [] as number[] };
  let wrong = 0;
  for (const x of names) {
    const s = process.hrtime.bigint();
    const r = db.ref(x.name);
    const us = Number(process.hrtime.bigint() - s) / 1e3;
    (x.hit ? api.hit : api.miss).push(us);
    if (!!r !== x.hit) wrong++;
  }
  for (const x of raw) {
    const s = process.hrtime.bigint();
    const r = merged.ref(x.key);
    const us = Number(process.hrtime.bigint() - s) / 1e3;
    (x.hit ? engine.hit : engine.miss).push(us);
    if (!!r !== x.hit) wrong++;
  }
  db.close();
  const sum = (xs: number[]) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), n: xs.length });
  return {
    openMs,
    wrong,
    api: { hit: sum(api.hit), miss: sum(api.miss) },
    engine: { hit: sum(engine.hit), miss: sum(engine.miss) },
  };
}

/** Every ref under one prefix, through RefDatabase.refs; first (cold) and median warm time. */
function prefix(a: { dir: string; prefix: string; runs: number }): Json {
  const times: number[] = [];
  let count = 0;
  const t0 = now();
  const db = RefDatabase.open(a.dir);
  const openMs = now() - t0;
  for (let r = 0; r < a.runs; r++) {
    const s = now();
    count = 0;
    for (const _ of db.refs({ prefixes: [a.prefix] })) count++;
    times.push(now() - s);
  }
  db.close();
  return { openMs, coldMs: times[0], warmMs: quantile(times.slice(1), 0.5), count };
}

/**
 * The tree view's first page: open the repository and take `limit` children of a namespace,
 * stopping the iterator there. Memory is what stays reachable while the page is shown.
 */
function firstPage(a: { dir: string; prefix: string; limit: number }): Json {
  collect();
  const before = memMb();
  const c0 = process.cpuUsage();
  const t0 = now();
  const db = RefDatabase.open(a.dir);
  const page = [];
  for (const r of db.refs({ prefixes: [a.prefix] })) {
    page.push(r);
    if (page.length >= a.limit) break;
  }
  const ms = now() - t0;
  const c = process.cpuUsage(c0);
  collect();
  const after = memMb();
  const again: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = now();
    let k = 0;
    for (const _ of db.refs({ prefixes: [a.prefix] })) if (++k >= a.limit) break;
    again.push(now() - s);
  }
  db.close();
  return { ms, cpuMs: (c.user + c.system) / 1000, warmMs: quantile(again, 0.5), count: page.length, heapDeltaMb: after.heapMb - before.heapMb, peakRssMb: after.peakRssMb };
}

/** The inspector's whole-table layout of a big table held in memory, as the editor holds it. */
async function layout(a: { file: string }): Promise<Json> {
  const mod = await import('../../src/engine/layout.js');
  collect();
  const before = memMb();
  const t0 = now();
  const bytes = new Uint8Array(fs.readFileSync(a.file));
  const table = Table.open(bytes, { name: a.file });
  const readMs = now() - t0;
  const c0 = process.cpuUsage();
  const t1 = now();
  const lay = mod.tableLayout(table);
  const ms = now() - t1;
  const c = process.cpuUsage(c0);
  collect();
  const after = memMb();
  return { readMs, ms, cpuMs: (c.user + c.system) / 1000, blocks: lay.blocks.length, sizeMb: bytes.length / 2 ** 20, heapDeltaMb: after.heapMb - before.heapMb, peakRssMb: after.peakRssMb };
}

/** Reflog of one ref: newest `limit` entries through the lazy merged iterator, and all via RefDatabase.reflog. */
function reflog(a: { dir: string; ref: string; limit: number; runs: number }): Json {
  const db = RefDatabase.open(a.dir);
  const newest: number[] = [];
  const all: number[] = [];
  let total = 0;
  const key = utf8(a.ref);
  for (let r = 0; r < a.runs; r++) {
    let s = now();
    let k = 0;
    for (const _ of db.merged().logsFor(key)) if (++k >= a.limit) break;
    newest.push(now() - s);
    s = now();
    total = db.reflog(a.ref).length;
    all.push(now() - s);
  }
  db.close();
  return { newestMs: quantile(newest, 0.5), allMs: quantile(all, 0.5), total };
}

/** `count` single-ref transactions through the store API, auto-compaction on. */
function txSeq(a: { dir: string; count: number; oid: string }): Json {
  const db = RefDatabase.open(a.dir);
  const per: number[] = [];
  let compactions = 0;
  const c0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < a.count; i++) {
    const s = now();
    const r = applyTransaction(db, [{ op: 'update', name: `refs/heads/seq/s${String(i).padStart(5, '0')}`, oid: a.oid }]);
    per.push(now() - s);
    if (r.compacted?.merged) compactions++;
  }
  const ms = now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  db.reload();
  const tables = db.tables().length;
  db.close();
  return { ms, cpuMs, tables, compactions, perTxP50: quantile(per, 0.5), perTxP99: quantile(per, 0.99) };
}

const tasks: Record<string, (a: never) => Json | Promise<Json>> = { seek, prefix, firstPage, layout, reflog, txSeq };

export async function runChild(task: string, argJson: string): Promise<void> {
  const fn = tasks[task];
  if (!fn) throw new Error(`unknown child task ${task}`);
  const out = await fn(JSON.parse(argJson) as never);
  process.stdout.write(JSON.stringify(out));
}

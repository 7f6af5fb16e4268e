/**
 * The generated repositories, cached under bench/tmp/repos/<key> and reused while their
 * parameters are unchanged. Git makes the base and the packed repositories; our own table
 * writer adds the shapes git would need hours for (1,000-table stacks, a 100,000-entry reflog,
 * a 40 MB table), and git then has to read them back before they are used.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromHex, utf8 } from '../../src/engine/bytes.js';
import { LogValueType, RefValueType, SHA1 } from '../../src/engine/format.js';
import type { LogRecord, RefRecord } from '../../src/engine/record.js';
import { TableWriter } from '../../src/engine/writer.js';
import { Context, git, importRoot } from './context.js';

/** Bump when the shape of a generated repository changes, to invalidate old caches. */
const GENERATION = 1;

export interface Repo {
  /** Work tree root (cwd for commands). */
  dir: string;
  gitDir: string;
  /** The one commit every ref points at. */
  oid: string;
  refs: number;
  tables: number;
}

interface BigRepoModule {
  makeBigRepo(dir: string, n: number, opts?: Record<string, unknown>): Promise<{ gitDir: string; oid: string }>;
}

export function branchName(i: number): string {
  return `refs/heads/branch-${String(i).padStart(6, '0')}`;
}

async function cached<T extends object>(ctx: Context, key: string, params: object, make: (dir: string) => Promise<T>): Promise<T & { dir: string }> {
  const base = path.join(ctx.tmp, 'repos');
  const dir = path.join(base, key);
  const marker = path.join(base, `${key}.json`);
  const want = JSON.stringify({ GENERATION, key, params });
  if (fs.existsSync(marker)) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8')) as { id: string; data: T };
    if (m.id === want && fs.existsSync(dir)) return { ...m.data, dir };
  }
  ctx.log(`generating ${key} …`);
  const t0 = Date.now();
  fs.rmSync(marker, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true });
  const data = await make(dir);
  fs.writeFileSync(marker, JSON.stringify({ id: want, data }));
  ctx.log(`generated ${key} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ...data, dir };
}

function lastMaxUpdateIndex(gitDir: string): number {
  const names = fs.readFileSync(path.join(gitDir, 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean);
  const m = /^0x[0-9a-f]{12}-0x([0-9a-f]{12})-/.exec(names[names.length - 1] ?? '');
  if (!m) throw new Error(`cannot read the newest table name in ${gitDir}`);
  return parseInt(m[1], 16);
}

function tableFileName(min: number, max: number, seq: number): string {
  const h = (n: number) => n.toString(16).padStart(12, '0');
  return `0x${h(min)}-0x${h(max)}-${(0x10000000 + seq).toString(16).slice(-8)}.ref`;
}

/** Append tables (already encoded) to a stack, as a committed addition would. */
function appendTables(gitDir: string, tables: { min: number; max: number; bytes: Uint8Array }[]): void {
  const dir = path.join(gitDir, 'reftable');
  const names: string[] = [];
  tables.forEach((t, i) => {
    const name = tableFileName(t.min, t.max, i);
    fs.writeFileSync(path.join(dir, name), t.bytes);
    names.push(name);
  });
  fs.appendFileSync(path.join(dir, 'tables.list'), names.map((n) => `${n}\n`).join(''));
}

const COMMITTER = utf8('C O Mitter');
const EMAIL = utf8('committer@example.com');

function logRecord(name: Uint8Array, ui: number, old: Uint8Array, nu: Uint8Array, time: number, message: string): LogRecord {
  return { kind: 'log', name, updateIndex: ui, valueType: LogValueType.Update, old, new: nu, committerName: COMMITTER, email: EMAIL, time, tz: -800, message: utf8(message) };
}

async function countLines(ctx: Context, cwd: string, args: string[]): Promise<number> {
  const r = await git(ctx, cwd, args, { capture: true });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return (r.stdout ?? '').split('\n').filter(Boolean).length;
}

/** `git init` + one commit on main: the start of every transaction workload. */
export function baseRepo(ctx: Context): Promise<Repo & { dir: string }> {
  return cached(ctx, 'base', {}, async (dir) => {
    const bm = await importRoot<BigRepoModule>(ctx.root, 'test/fixtures/bigrepo.mjs');
    const r = await bm.makeBigRepo(dir, 0, { git: ctx.git });
    return { gitDir: r.gitDir, oid: r.oid, refs: 1, tables: tablesIn(r.gitDir) };
  });
}

function tablesIn(gitDir: string): number {
  return fs.readFileSync(path.join(gitDir, 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean).length;
}

/** N branches made by git in one transaction, then `git pack-refs`: one table. */
export function packedRepo(ctx: Context, n: number): Promise<Repo & { dir: string }> {
  return cached(ctx, `packed-${n}`, { n }, async (dir) => {
    const bm = await importRoot<BigRepoModule>(ctx.root, 'test/fixtures/bigrepo.mjs');
    const r = await bm.makeBigRepo(dir, n, { pack: true, git: ctx.git });
    return { gitDir: r.gitDir, oid: r.oid, refs: n + 1, tables: tablesIn(r.gitDir) };
  });
}

/**
 * The same N branches (and one reflog entry each) spread over `tables` additions on top of
 * the base repository, ref i in table i mod `tables`, so every table covers the whole key
 * range — the worst case for a merged iterator and the state a busy repository with
 * auto-compaction disabled ends in.
 */
export function unpackedRepo(ctx: Context, n: number, tables: number): Promise<Repo & { dir: string }> {
  return cached(ctx, `unpacked-${n}-${tables}`, { n, tables }, async (dir) => {
    const base = await baseRepo(ctx);
    fs.cpSync(base.dir, dir, { recursive: true });
    const gitDir = path.join(dir, '.git');
    const oid = fromHex(base.oid);
    const zero = new Uint8Array(20);
    const first = lastMaxUpdateIndex(gitDir) + 1;
    const k = Math.min(tables, n);
    const out: { min: number; max: number; bytes: Uint8Array }[] = [];
    for (let t = 0; t < k; t++) {
      const ui = first + t;
      const w = new TableWriter({ hash: SHA1, minUpdateIndex: ui, maxUpdateIndex: ui });
      const names: Uint8Array[] = [];
      for (let i = t; i < n; i += k) names.push(utf8(branchName(i)));
      for (const name of names) w.addRef({ kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Val1, value: oid } satisfies RefRecord);
      for (const name of names) w.addLog(logRecord(name, ui, zero, oid, 1700000060 + t, 'bench: create'));
      const bytes = w.finish();
      if (bytes) out.push({ min: ui, max: ui, bytes });
    }
    appendTables(gitDir, out);
    const seen = await countLines(ctx, dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/']);
    if (seen !== n + 1) throw new Error(`git reads ${seen} branches from the generated ${k}-table stack, expected ${n + 1}`);
    return { gitDir, oid: base.oid, refs: n + 1, tables: tablesIn(gitDir) };
  });
}

export const REFLOG_REF = 'refs/heads/main';

/** refs/heads/main with `entries` reflog entries in one extra table. */
export function reflogRepo(ctx: Context, entries: number): Promise<Repo & { dir: string; entries: number }> {
  return cached(ctx, `reflog-${entries}`, { entries }, async (dir) => {
    const base = await baseRepo(ctx);
    fs.cpSync(base.dir, dir, { recursive: true });
    const gitDir = path.join(dir, '.git');
    const oid = fromHex(base.oid);
    const min = lastMaxUpdateIndex(gitDir) + 1;
    const max = min + entries - 1;
    const name = utf8(REFLOG_REF);
    const w = new TableWriter({ hash: SHA1, minUpdateIndex: min, maxUpdateIndex: max });
    w.addRef({ kind: 'ref', name, updateIndex: max, valueType: RefValueType.Val1, value: oid });
    // Log keys sort newest first within a ref.
    for (let ui = max; ui >= min; ui--) w.addLog(logRecord(name, ui, oid, oid, 1700000100 + (ui - min), `bench: entry ${ui - min}`));
    appendTables(gitDir, [{ min, max, bytes: w.finish()! }]);
    const seen = await countLines(ctx, dir, ['log', '-g', '--format=%H', REFLOG_REF]);
    if (seen < entries) throw new Error(`git sees ${seen} reflog entries for ${REFLOG_REF}, expected at least ${entries}`);
    return { gitDir, oid: base.oid, refs: 1, tables: tablesIn(gitDir), entries: seen };
  });
}

function refsForBigTable(count: number, w: TableWriter): void {
  for (let i = 0; i < count; i++) {
    const name = utf8(`refs/heads/feature/${String(i).padStart(8, '0')}`);
    const value = new Uint8Array(createHash('sha1').update(String(i)).digest());
    w.addRef({ kind: 'ref', name, updateIndex: 1, valueType: RefValueType.Val1, value });
  }
}

function bigTable(count: number): Uint8Array {
  const w = new TableWriter({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 1 });
  refsForBigTable(count, w);
  return w.finish()!;
}

/** One table of about `mb` MiB: distinct object ids, so it has a full obj section too. */
export function bigTableFile(ctx: Context, mb: number): Promise<{ dir: string; file: string; bytes: number; refs: number }> {
  return cached(ctx, `table-${mb}mb`, { mb }, async (dir) => {
    const sample = 50_000;
    const perRef = bigTable(sample).length / sample;
    const refs = Math.round((mb * 1024 * 1024) / perRef);
    const bytes = bigTable(refs);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, tableFileName(1, 1, 0));
    fs.writeFileSync(file, bytes);
    return { file, bytes: bytes.length, refs };
  });
}

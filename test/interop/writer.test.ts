/**
 * Writer and compaction against git 2.47: every table git writes must be reproduced byte for
 * byte from its own records; a TS compaction of a stack must equal `git pack-refs` (full) and
 * `git pack-refs --auto` (geometric, tombstones kept when the run does not start at the base);
 * tables the TS writer makes must read back through git's porcelain.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/engine/bytes';
import { compactTables, compactionSize, suggestCompaction } from '../../src/engine/compact';
import { BlockType, HashFormat, SHA1, SHA256 } from '../../src/engine/format';
import { IndexRecord, LogRecord, ObjRecord, RefRecord } from '../../src/engine/record';
import { Table } from '../../src/engine/table';
import { TableWriter } from '../../src/engine/writer';

interface GitPath {
  reftableGit(): Promise<string>;
  gitEnv(home: string, date?: string): NodeJS.ProcessEnv;
}

let git = '';
let gitEnv: GitPath['gitEnv'];
const scratch: string[] = [];
const tally = { tables: 0, refs: 0, logs: 0, fullCompactions: 0, autoCompactions: 0, autoKeepingTombstones: 0 };

beforeAll(async () => {
  // A plain .mjs module: imported by URL so the type checker does not need its declarations.
  const m = (await import(new URL('../../scripts/git-path.mjs', import.meta.url).href)) as GitPath;
  git = await m.reftableGit();
  gitEnv = m.gitEnv;
}, 600_000);

afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
  console.log(`writer interop: ${tally.tables} git tables re-written byte for byte (${tally.refs} refs, ${tally.logs} logs); ` +
    `${tally.fullCompactions} full and ${tally.autoCompactions} geometric compactions identical to git ` +
    `(${tally.autoKeepingTombstones} of them not starting at the base table)`);
});

interface RepoOptions {
  hash: HashFormat;
  blockSize?: number;
  restartInterval?: number;
  indexObjects?: boolean;
}

class Repo {
  private step = 0;
  constructor(readonly dir: string, readonly home: string, readonly opts: RepoOptions) {}

  static create(opts: RepoOptions): Repo {
    const root = mkdtempSync(path.join(tmpdir(), 'reftable-writer-'));
    scratch.push(root);
    const home = path.join(root, 'home');
    mkdirSync(home);
    const repo = new Repo(path.join(root, 'repo'), home, opts);
    const args = [...repo.configArgs(), 'init', '-q', '--ref-format=reftable', '-b', 'main'];
    if (opts.hash === SHA256) args.push('--object-format=sha256');
    execFileSync(git, [...args, repo.dir], { cwd: root, env: repo.env(), stdio: 'pipe' });
    if (opts.blockSize !== undefined) repo.git(['config', 'reftable.blockSize', String(opts.blockSize)]);
    if (opts.restartInterval !== undefined) repo.git(['config', 'reftable.restartInterval', String(opts.restartInterval)]);
    if (opts.indexObjects !== undefined) repo.git(['config', 'reftable.indexObjects', String(opts.indexObjects)]);
    return repo;
  }

  /** A copy of the whole repository (for running a compaction there). */
  clone(): Repo {
    const root = mkdtempSync(path.join(tmpdir(), 'reftable-writer-copy-'));
    scratch.push(root);
    const home = path.join(root, 'home');
    mkdirSync(home);
    const dir = path.join(root, 'repo');
    cpSync(this.dir, dir, { recursive: true });
    return new Repo(dir, home, this.opts);
  }

  private configArgs(): string[] {
    const a: string[] = [];
    if (this.opts.blockSize !== undefined) a.push('-c', `reftable.blockSize=${this.opts.blockSize}`);
    if (this.opts.restartInterval !== undefined) a.push('-c', `reftable.restartInterval=${this.opts.restartInterval}`);
    if (this.opts.indexObjects !== undefined) a.push('-c', `reftable.indexObjects=${this.opts.indexObjects}`);
    return a;
  }

  env(date?: string): NodeJS.ProcessEnv {
    this.step++;
    return { ...gitEnv(this.home, date ?? `${1700000000 + 60 * this.step} -0800`), GIT_TEST_REFTABLE_AUTOCOMPACTION: 'false' };
  }

  git(args: string[], o: { input?: string; date?: string } = {}): string {
    try {
      return execFileSync(git, args, { cwd: this.dir, env: this.env(o.date), input: o.input, encoding: 'utf8', stdio: 'pipe', maxBuffer: 1 << 28 });
    } catch (e) {
      const shown = args.map((a) => (a.length > 60 ? `${a.slice(0, 60)}…` : a)).join(' ');
      throw new Error(`git ${shown} failed: ${String((e as { stderr?: unknown }).stderr ?? e).slice(0, 500)}`);
    }
  }

  get reftableDir(): string {
    return path.join(this.dir, '.git', 'reftable');
  }

  tableNames(): string[] {
    return readFileSync(path.join(this.reftableDir, 'tables.list'), 'utf8').split('\n').filter((l) => l !== '');
  }

  tableBytes(name: string): Uint8Array {
    return new Uint8Array(readFileSync(path.join(this.reftableDir, name)));
  }

  tables(): Table[] {
    return this.tableNames().map((n) => Table.open(this.tableBytes(n), { name: n, hash: this.opts.hash }));
  }

  writerOptions(): { hash: HashFormat; blockSize?: number; restartInterval?: number; indexObjects?: boolean } {
    return { hash: this.opts.hash, blockSize: this.opts.blockSize, restartInterval: this.opts.restartInterval, indexObjects: this.opts.indexObjects };
  }
}

function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  expect(actual, `${what}: writer produced nothing`).toBeDefined();
  const a = actual!;
  if (a.length === expected.length && Buffer.from(a).equals(Buffer.from(expected))) return;
  let i = 0;
  while (i < a.length && i < expected.length && a[i] === expected[i]) i++;
  const ctx = (b: Uint8Array) => toHex(b.subarray(Math.max(0, i - 8), i + 24));
  expect.fail(`${what}: ${a.length} bytes written, git wrote ${expected.length}; first difference at ${i}\n` +
    `  ours: ${ctx(a)}\n  git:  ${ctx(expected)}`);
}

/** Re-write one git table from its own records, with its limits and the repository's options. */
function rewrite(t: Table, opts: ReturnType<Repo['writerOptions']>): Uint8Array | undefined {
  const w = new TableWriter({ ...opts, minUpdateIndex: t.minUpdateIndex, maxUpdateIndex: t.maxUpdateIndex });
  for (const r of t.refs()) {
    w.addRef(r);
    tally.refs++;
  }
  for (const l of t.logs()) {
    // Existence markers are stored with a zero-length message (git passes none); every other
    // message goes through the writer's cleaning, which must be idempotent on git's output.
    w.addLog(l, { exactMessage: l.message.length === 0 });
    tally.logs++;
  }
  return w.finish();
}

function checkEveryTable(repo: Repo): number {
  const names = repo.tableNames();
  for (const name of names) {
    const bytes = repo.tableBytes(name);
    const t = Table.open(bytes, { name, hash: repo.opts.hash });
    t.checkCrc();
    expectSameBytes(rewrite(t, repo.writerOptions()), bytes, name);
    tally.tables++;
  }
  return names.length;
}

/** `git pack-refs` on a copy vs compactTables over the original stack. */
function checkFullCompaction(repo: Repo): void {
  const tables = repo.tables();
  expect(tables.length).toBeGreaterThan(1);
  const copy = repo.clone();
  copy.git(['pack-refs']);
  const packed = copy.tableNames();
  expect(packed).toHaveLength(1);
  const ours = compactTables(tables, { ...repo.writerOptions(), dropDeletions: true });
  expectSameBytes(ours, copy.tableBytes(packed[0]), `full compaction of ${tables.length} tables`);
  tally.fullCompactions++;
}

/** `git pack-refs --auto` on a copy vs suggestCompaction + compactTables. */
function checkAutoCompaction(repo: Repo): Table | undefined {
  const names = repo.tableNames();
  const tables = repo.tables();
  const sizes = tables.map((t) => compactionSize(t.size, repo.opts.hash));
  const seg = suggestCompaction(sizes);
  const copy = repo.clone();
  copy.git(['pack-refs', '--auto']);
  const after = copy.tableNames();
  if (!seg) {
    expect(after).toEqual(names);
    return undefined;
  }
  const stem = (n: string) => n.slice(0, n.lastIndexOf('-'));
  expect(after.slice(0, seg.start)).toEqual(names.slice(0, seg.start));
  expect(after.slice(seg.start + 1)).toEqual(names.slice(seg.end + 1));
  const merged = after[seg.start];
  expect(stem(merged)).toBe(`${stem(names[seg.start]).split('-')[0]}-${stem(names[seg.end]).split('-')[1]}`);
  const ours = compactTables(tables.slice(seg.start, seg.end + 1), { ...repo.writerOptions(), dropDeletions: seg.start === 0 });
  expectSameBytes(ours, copy.tableBytes(merged), `geometric compaction of tables ${seg.start}..${seg.end}`);
  tally.autoCompactions++;
  if (seg.start > 0) tally.autoKeepingTombstones++;
  return Table.open(ours!, { hash: repo.opts.hash });
}

/** A history touching every kind of record git writes. */
function populate(repo: Repo): void {
  repo.git(['commit', '-q', '--allow-empty', '-m', 'c1']);
  repo.git(['branch', 'feature']);
  repo.git(['tag', 'light']);
  repo.git(['tag', '-a', '-m', 'annotated', 'v1']);
  repo.git(['tag', '-a', '-m', 'outer', 'v1-outer', 'v1']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 'c2'], { date: '1700003000 +0530' });
  repo.git(['symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
  repo.git(['update-ref', '-m', '  multi\nline   message  ', 'refs/heads/feature', 'HEAD']);
  repo.git(['update-ref', '--create-reflog', 'refs/custom/logged', 'HEAD']);
  repo.git(['update-ref', 'refs/custom/nolog', 'HEAD']);
  repo.git(['branch', 'temp']);
  repo.git(['branch', '-D', 'temp']);
  repo.git(['branch', '-m', 'feature', 'feature2']);
  repo.git(['branch', '-c', 'feature2', 'copy']);
  // A no-op update of HEAD's branch still logs HEAD: a log-only table.
  repo.git(['update-ref', 'refs/heads/main', 'HEAD']);
  repo.git(['checkout', '-q', '--detach']);
  repo.git(['checkout', '-q', 'main']);
  repo.git(['reset', '-q', '--soft', 'HEAD~1']);
  repo.git(['reset', '-q', '--soft', 'ORIG_HEAD']);
  // Expiry writes tombstones and an existence marker (zero-length message).
  repo.git(['reflog', 'expire', '--expire=all', 'refs/heads/feature2']);
  repo.git(['reflog', 'delete', '--rewrite', 'refs/heads/main@{1}']);
  const c1 = repo.git(['rev-parse', 'HEAD~1']).trim();
  const c2 = repo.git(['rev-parse', 'HEAD']).trim();
  const tag = repo.git(['rev-parse', 'v1']).trim();
  const lines = ['start'];
  for (let i = 0; i < 40; i++) {
    const where = i % 3 === 2 ? 'tags' : 'heads';
    lines.push(`create refs/${where}/bulk/b${String(i).padStart(3, '0')} ${[c1, c2, tag][i % 3]}`);
  }
  lines.push('delete refs/custom/nolog', 'symref-create refs/heads/sym2 refs/heads/copy', 'prepare', 'commit');
  // Longer than half the block: git truncates before the writer appends the LF.
  repo.git(['update-ref', '--stdin', '-m', `long ${'x'.repeat(5000)} end`], { input: lines.join('\n') + '\n' });
  repo.git(['update-ref', '-d', 'refs/heads/bulk/b001']);
  repo.git(['symbolic-ref', '-d', 'refs/heads/sym2']);
}

/** One transaction creating `n` refs (multi-level indexes, obj sections, log indexes). */
function populateBig(repo: Repo, n: number): void {
  repo.git(['commit', '-q', '--allow-empty', '-m', 'c1']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 'c2']);
  repo.git(['tag', '-a', '-m', 'annotated', 'v1']);
  const ids = ['HEAD~1', 'HEAD', 'v1'].map((r) => repo.git(['rev-parse', r]).trim());
  const lines = ['start'];
  for (let i = 0; i < n; i++) lines.push(`create refs/heads/branch-${String(i).padStart(5, '0')} ${ids[i % 2]}`);
  for (let i = 0; i < n / 10; i++) lines.push(`create refs/tags/t-${String(i).padStart(5, '0')} ${ids[2]}`);
  lines.push('prepare', 'commit');
  repo.git(['update-ref', '--stdin', '-m', 'bulk'], { input: lines.join('\n') + '\n' });
  // A table of deletions only: a ref index but no object ids (obj_id_len 2, obj_position 0).
  const del = ['start'];
  for (let i = 0; i < n; i += 4) del.push(`delete refs/heads/branch-${String(i).padStart(5, '0')}`);
  del.push('prepare', 'commit');
  repo.git(['update-ref', '--stdin'], { input: del.join('\n') + '\n' });
  repo.git(['update-ref', '-m', 'one more', 'refs/heads/branch-00001', ids[0]]);
}

const smallConfigs: [string, RepoOptions][] = [
  ['SHA-1, defaults', { hash: SHA1 }],
  ['SHA-1, block 300, restart interval 3', { hash: SHA1, blockSize: 300, restartInterval: 3 }],
  ['SHA-1, block 256, restart interval 1, no object index', { hash: SHA1, blockSize: 256, restartInterval: 1, indexObjects: false }],
  ['SHA-1, block 1000, restart interval 64', { hash: SHA1, blockSize: 1000, restartInterval: 64 }],
  ['SHA-256, defaults', { hash: SHA256 }],
  ['SHA-256, block 512, restart interval 5', { hash: SHA256, blockSize: 512, restartInterval: 5 }],
];

describe('git tables re-written byte for byte', () => {
  for (const [label, opts] of smallConfigs) {
    it(`history of every record kind: ${label}`, () => {
      const repo = Repo.create(opts);
      populate(repo);
      const n = checkEveryTable(repo);
      expect(n).toBeGreaterThan(20);
      const t = repo.tables();
      // The shapes the history must have produced, or the comparison proves less than it says.
      expect(t.some((x) => !x.sections.ref && x.sections.log && x.footer.logPosition === 0)).toBe(true);
      expect(t.some((x) => [...x.logs()].some((l) => l.valueType === 0))).toBe(true);
      expect(t.some((x) => [...x.refs()].some((r) => r.valueType === 0))).toBe(true);
      expect(t.some((x) => [...x.logs()].some((l) => l.valueType === 1 && l.message.length === 0))).toBe(true);
      checkFullCompaction(repo);
      checkAutoCompaction(repo);
    });
  }

  for (const hash of [SHA1, SHA256]) {
    it(`geometric compaction above a packed base keeps tombstones (${hash.name})`, () => {
      const repo = Repo.create({ hash, blockSize: 1024 });
      populate(repo);
      repo.git(['pack-refs']);
      expect(repo.tableNames()).toHaveLength(1);
      repo.git(['branch', 'x1']);
      repo.git(['branch', '-D', 'copy']);
      repo.git(['update-ref', '-d', 'refs/tags/light']);
      repo.git(['branch', 'x2']);
      repo.git(['branch', '-D', 'x1']);
      checkEveryTable(repo);
      const before = tally.autoKeepingTombstones;
      const merged = checkAutoCompaction(repo);
      expect(tally.autoKeepingTombstones).toBe(before + 1);
      expect([...merged!.refs()].some((r) => r.valueType === 0)).toBe(true);
      expect([...merged!.logs()].some((l) => l.valueType === 0)).toBe(true);
      checkFullCompaction(repo);
    });
  }

  const bigConfigs: [string, RepoOptions][] = [
    ['SHA-1, block 4096', { hash: SHA1 }],
    ['SHA-1, block 512', { hash: SHA1, blockSize: 512 }],
    ['SHA-256, block 512, no object index', { hash: SHA256, blockSize: 512, indexObjects: false }],
    ['SHA-256, block 1024', { hash: SHA256, blockSize: 1024 }],
    ['SHA-256, block 512', { hash: SHA256, blockSize: 512 }],
  ];
  for (const [label, opts] of bigConfigs) {
    it(`20 000-ref transaction: ${label}`, () => {
      const repo = Repo.create(opts);
      populateBig(repo, 20_000);
      checkEveryTable(repo);
      const big = repo.tables().find((t) => t.footer.refIndexPosition > 0 && t.footer.logIndexPosition > 0);
      expect(big, 'a table with ref and log indexes').toBeDefined();
      if (opts.indexObjects !== false) {
        expect(big!.footer.objPosition).toBeGreaterThan(0);
        // The deletions-only table: a ref index, no ids, yet obj_id_len 2.
        expect(repo.tables().some((t) => t.footer.refIndexPosition > 0 && t.footer.objPosition === 0 && t.footer.objIdLength === 2)).toBe(true);
      } else {
        expect(big!.footer.objIdLength).toBe(0);
      }
      if (opts.blockSize === 512) {
        // Several index levels: the top level points at index blocks, not at ref blocks.
        const top = big!.block(big!.footer.refIndexPosition)!;
        const first = top.records().next().value!.record as IndexRecord;
        expect(big!.block(first.position)!.type).toBe(BlockType.Index);
        if (opts.indexObjects !== false) {
          expect([...big!.sectionRecords<ObjRecord>('obj')].some((r) => r.positions.length === 0)).toBe(true);
        }
      }
      checkFullCompaction(repo);
      checkAutoCompaction(repo);
    }, 300_000);
  }
});

describe('tables written by TableWriter, read by git', () => {
  function nextName(min: number, max: number): string {
    const hex = (v: number) => `0x${v.toString(16).padStart(12, '0')}`;
    return `${hex(min)}-${hex(max)}-${(0x1234abcd + min).toString(16).padStart(8, '0')}.ref`;
  }

  function append(repo: Repo, bytes: Uint8Array, min: number, max: number): string {
    const name = nextName(min, max);
    writeFileSync(path.join(repo.reftableDir, name), bytes);
    const list = repo.tableNames();
    writeFileSync(path.join(repo.reftableDir, 'tables.list'), [...list, name].map((l) => l + '\n').join(''));
    return name;
  }

  for (const hash of [SHA1, SHA256]) {
    it(`refs, symrefs, peeled tags, reflogs and tombstones (${hash.name})`, () => {
      const repo = Repo.create({ hash, blockSize: 512 });
      repo.git(['commit', '-q', '--allow-empty', '-m', 'c1']);
      repo.git(['commit', '-q', '--allow-empty', '-m', 'c2']);
      repo.git(['tag', '-a', '-m', 'annotated', 'v1']);
      repo.git(['branch', 'gone']);
      const [c1, c2, tag] = ['HEAD~1', 'HEAD', 'v1'].map((r) => fromHex(repo.git(['rev-parse', r]).trim()));
      const ui = repo.tables().at(-1)!.maxUpdateIndex + 1;
      const zero = new Uint8Array(hash.size);
      const ident = { committerName: utf8('T S Writer'), email: utf8('ts@example.com'), tz: -130 };
      const refs: RefRecord[] = [
        { kind: 'ref', name: utf8('refs/heads/gone'), updateIndex: ui, valueType: 0 },
        { kind: 'ref', name: utf8('refs/heads/ts-a'), updateIndex: ui, valueType: 1, value: c1 },
        { kind: 'ref', name: utf8('refs/heads/ts-sym'), updateIndex: ui, valueType: 3, target: utf8('refs/heads/ts-a') },
        { kind: 'ref', name: utf8('refs/tags/ts-tag'), updateIndex: ui, valueType: 2, value: tag, peeled: c2 },
      ];
      const logs: LogRecord[] = [
        { kind: 'log', name: utf8('refs/heads/ts-a'), updateIndex: ui, valueType: 1, old: c2, new: c1, ...ident, time: 1700100000, message: utf8('second\n\n') },
        { kind: 'log', name: utf8('refs/heads/ts-a'), updateIndex: ui - 1, valueType: 1, old: zero, new: c2, ...ident, time: 1700090000, message: utf8('first') },
      ];
      const w = new TableWriter({ hash, blockSize: 512, minUpdateIndex: ui, maxUpdateIndex: ui });
      refs.forEach((r) => w.addRef(r));
      logs.forEach((l) => w.addLog(l));
      append(repo, w.finish()!, ui, ui);

      const refsOut = repo.git(['for-each-ref', '--format=%(refname) %(objectname) %(symref)']).split('\n');
      expect(refsOut).toContain(`refs/heads/ts-a ${toHex(c1)} `);
      expect(refsOut).toContain(`refs/heads/ts-sym ${toHex(c1)} refs/heads/ts-a`);
      expect(refsOut).toContain(`refs/tags/ts-tag ${toHex(tag)} `);
      expect(refsOut.some((l) => l.startsWith('refs/heads/gone '))).toBe(false);
      expect(repo.git(['show-ref', '-d', 'refs/tags/ts-tag'])).toContain(`${toHex(c2)} refs/tags/ts-tag^{}`);
      expect(repo.git(['log', '-g', '--date=raw', '--format=%H|%gn|%ge|%gD|%gs', 'refs/heads/ts-a']).trim().split('\n')).toEqual([
        `${toHex(c1)}|T S Writer|ts@example.com|refs/heads/ts-a@{1700100000 -0130}|second`,
        `${toHex(c2)}|T S Writer|ts@example.com|refs/heads/ts-a@{1700090000 -0130}|first`,
      ]);
      // Git keeps writing on top of our table, and its compaction reads it.
      repo.git(['branch', 'after', 'refs/heads/ts-a']);
      expect(repo.tables().at(-1)!.minUpdateIndex).toBe(ui + 1);
      repo.git(['pack-refs']);
      expect(repo.git(['rev-parse', 'after', 'ts-sym']).trim().split('\n')).toEqual([toHex(c1), toHex(c1)]);
      expect(repo.git(['reflog', 'exists', 'refs/heads/ts-a'])).toBe('');
    });
  }

  it('a large TS table (multi-level indexes, obj section, log index) at block size 512', () => {
    const repo = Repo.create({ hash: SHA1, blockSize: 512 });
    repo.git(['commit', '-q', '--allow-empty', '-m', 'c1']);
    const c1 = fromHex(repo.git(['rev-parse', 'HEAD']).trim());
    const zero = new Uint8Array(20);
    const ui = repo.tables().at(-1)!.maxUpdateIndex + 1;
    const n = 5000;
    const names = Array.from({ length: n }, (_, i) => utf8(`refs/heads/ts/${String(i).padStart(5, '0')}`));
    const w = new TableWriter({ hash: SHA1, blockSize: 512, minUpdateIndex: ui, maxUpdateIndex: ui });
    for (const name of names) w.addRef({ kind: 'ref', name, updateIndex: ui, valueType: 1, value: c1 });
    for (const name of names) {
      w.addLog({ kind: 'log', name, updateIndex: ui, valueType: 1, old: zero, new: c1, committerName: utf8('C'), email: utf8('c@x'), time: 1700000000, tz: 0, message: utf8(`made ${text(name)}`) });
    }
    const bytes = w.finish()!;
    append(repo, bytes, ui, ui);
    const t = Table.open(bytes, { hash: SHA1 });
    expect(t.footer.refIndexPosition).toBeGreaterThan(0);
    expect(t.footer.logIndexPosition).toBeGreaterThan(0);
    expect(t.footer.objPosition).toBeGreaterThan(0);
    const listed = repo.git(['for-each-ref', '--format=%(refname)', 'refs/heads/ts/']).trim().split('\n');
    expect(listed).toHaveLength(n);
    expect(listed[4321]).toBe('refs/heads/ts/04321');
    expect(repo.git(['rev-parse', 'refs/heads/ts/03999']).trim()).toBe(toHex(c1));
    expect(repo.git(['log', '-g', '--format=%gs', 'refs/heads/ts/02718']).trim()).toBe('made refs/heads/ts/02718');
  });
});

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

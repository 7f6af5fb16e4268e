/**
 * The refs of one repository as git sees them from one work tree: the main stack
 * (`commonDir/reftable`) plus, in a linked worktree, that worktree's own stack; names are
 * routed between them exactly as git's reftable backend does (reftable-format.md § 8.2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareBytes, fromHex, startsWith, text, utf8 } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { MergedTables, Sourced, isExistenceMarker, mergeByKey } from '../engine/merged.js';
import { LogRecord, RefRecord, logKey } from '../engine/record.js';
import type { TableRefCursor } from '../engine/ref-cursor.js';
import type { LogEntry, RefEntry, RepositoryInfo, TableInfo } from './api.js';
import { logEntry, refEntry } from './convert.js';
import { isHex } from './hex.js';
import { ambiguousPath, dwimNames, isPerWorktreeRef, isPseudoRef, isRootRefSyntax } from './refname.js';
import { discoverRepository } from './repository.js';
import { Stack, StackOptions } from './stack.js';
import { tableInfo } from './table-info.js';

export const MAIN_STACK = 'main';
/** git's SYMREF_MAXDEPTH: at most this many names are read while resolving. */
export const SYMREF_MAX_DEPTH = 5;

const REFS_PREFIX = utf8('refs/');

const IRREGULAR_ROOT_REFS = new Set(['HEAD', 'AUTO_MERGE', 'BISECT_EXPECTED_REV', 'NOTES_MERGE_PARTIAL', 'NOTES_MERGE_REF', 'MERGE_AUTOSTASH']);

/** refs.c is_root_ref: what `for-each-ref --include-root-refs` adds besides refs/. */
export function isRootRef(name: string): boolean {
  if (!isRootRefSyntax(name) || isPseudoRef(name)) return false;
  return name.endsWith('_HEAD') || IRREGULAR_ROOT_REFS.has(name);
}

export interface StackHandle {
  /** 'main' or a worktree id. */
  id: string;
  dir: string;
  stack: Stack;
}

export interface RefsOptions {
  /** Byte prefixes of names to list (each seeks and stops at the prefix end). */
  prefixes?: string[];
  /** Also list root refs (HEAD, ORIG_HEAD, …) like `for-each-ref --include-root-refs`. */
  includeRootRefs?: boolean;
  /** Start at this name (inclusive) instead of the prefix start: paging seeks, never skips. */
  from?: string;
}

export interface OpenRefDatabaseOptions {
  stack?: StackOptions;
}

interface Routed {
  handle: StackHandle;
  name: string;
}

export class RefDatabase {
  private readonly main: StackHandle;
  private readonly current: StackHandle;
  /** Other linked worktrees' stacks, opened on demand for `worktrees/<id>/…` names. */
  private readonly others = new Map<string, StackHandle>();

  private constructor(readonly info: RepositoryInfo, private readonly opts: OpenRefDatabaseOptions) {
    const mainDir = path.join(info.commonDir, 'reftable');
    this.main = { id: MAIN_STACK, dir: mainDir, stack: Stack.open(mainDir, info.hash, opts.stack) };
    if (info.worktreeId !== undefined) {
      const dir = path.join(info.gitDir, 'reftable');
      try {
        this.current = { id: info.worktreeId, dir, stack: Stack.open(dir, info.hash, opts.stack) };
      } catch (e) {
        this.main.stack.close();
        throw e;
      }
    } else {
      this.current = this.main;
    }
  }

  static open(startPath: string, opts: OpenRefDatabaseOptions = {}): RefDatabase {
    return new RefDatabase(discoverRepository(startPath), opts);
  }

  static fromInfo(info: RepositoryInfo, opts: OpenRefDatabaseOptions = {}): RefDatabase {
    return new RefDatabase(info, opts);
  }

  /** The stacks this view reads: main first, then the current worktree's. */
  get stacks(): StackHandle[] {
    return this.current === this.main ? [this.main] : [this.main, this.current];
  }

  /** Id of the stack holding this work tree's per-worktree refs. */
  get currentStackId(): string {
    return this.current.id;
  }

  stackById(id: string): StackHandle | undefined {
    if (id === this.main.id) return this.main;
    if (id === this.current.id) return this.current;
    return this.otherWorktree(id);
  }

  // ---- routing -----------------------------------------------------------------------

  /** Which stack holds `name`, and under which name (refs.c parse_worktree_ref). */
  private route(name: string): Routed | undefined {
    if (name.startsWith('main-worktree/')) {
      const rest = name.slice('main-worktree/'.length);
      if (isPerWorktreeRef(rest)) return { handle: this.main, name: rest };
    } else if (name.startsWith('worktrees/')) {
      const slash = name.indexOf('/', 'worktrees/'.length);
      if (slash > 'worktrees/'.length) {
        const id = name.slice('worktrees/'.length, slash);
        const rest = name.slice(slash + 1);
        if (isPerWorktreeRef(rest)) {
          const h = this.stackById(id);
          return h ? { handle: h, name: rest } : undefined;
        }
      }
    } else if (isPerWorktreeRef(name)) {
      return { handle: this.current, name };
    }
    return { handle: this.main, name };
  }

  /** In a linked worktree, each stack contributes only the names it owns. */
  private owns(handle: StackHandle, name: string): boolean {
    if (this.current === this.main) return true;
    return handle === this.current ? isPerWorktreeRef(name) : !isPerWorktreeRef(name);
  }

  private otherWorktree(id: string): StackHandle | undefined {
    const hit = this.others.get(id);
    if (hit) return hit;
    if (id.includes('/') || id.startsWith('.')) return undefined;
    const wtDir = path.join(this.info.commonDir, 'worktrees', id);
    if (!fs.existsSync(wtDir)) return undefined;
    const dir = path.join(wtDir, 'reftable');
    const h = { id, dir, stack: Stack.open(dir, this.info.hash, this.opts.stack) };
    this.others.set(id, h);
    return h;
  }

  // ---- refs --------------------------------------------------------------------------

  /** Refs in name order (under refs/, plus root refs on request), newest value per name. */
  *refs(opts: RefsOptions = {}): Iterable<RefEntry> {
    const admissible = (n: string) => n.startsWith('refs/') || (opts.includeRootRefs === true && isRootRef(n));
    const ranges = normalizePrefixes(opts.prefixes);
    for (const prefix of ranges) {
      const p = prefix === undefined ? undefined : utf8(prefix);
      const fromBytes = opts.from === undefined ? undefined : utf8(opts.from);
      const from = fromBytes && (p === undefined || compareBytes(fromBytes, p) > 0) ? fromBytes : undefined;
      const streams = this.stacks.map((h) => this.ownedRefs(h, p, from));
      for (const s of mergeByKey(streams, (e) => e.rec.name)) {
        const { rec, handle, table } = s.record;
        const name = text(rec.name);
        if (admissible(name)) yield refEntry(rec, handle.id, table, name);
      }
    }
  }

  /**
   * The refs that refs() lists by default (under refs/, within `prefixes`), visited without
   * an object per record: `visit` sees the merged cursor's winning table cursor, valid only
   * during the call. False (nothing visited) when only refs() applies: a linked worktree
   * merges two stacks under ownership rules.
   */
  scanRefs(prefixes: string[] | undefined, visit: (c: TableRefCursor) => void): boolean {
    if (this.current !== this.main) return false;
    const cursor = this.main.stack.merged.refCursor();
    for (const p of normalizePrefixes(prefixes)) {
      let range = REFS_PREFIX;
      if (p !== undefined) {
        const pb = utf8(p);
        if (startsWith(pb, REFS_PREFIX)) range = pb;
        else if (!startsWith(REFS_PREFIX, pb)) continue;
      }
      cursor.seek(range);
      while (cursor.next()) {
        const c = cursor.current!;
        if (!c.keyStartsWith(range)) break;
        visit(c);
      }
    }
    return true;
  }

  private *ownedRefs(h: StackHandle, prefix: Uint8Array | undefined, from?: Uint8Array): Generator<{ rec: RefRecord; handle: StackHandle; table: string }> {
    const m = h.stack.merged;
    const it: Iterable<Sourced<RefRecord>> = from
      ? (function* () {
        for (const s of m.refs(from)) {
          if (prefix && !startsWith(s.record.name, prefix)) return;
          yield s;
        }
      })()
      : prefix ? m.refsWithPrefix(prefix) : m.refs();
    const names = h.stack.tables.map((t) => t.name);
    for (const s of it) {
      if (this.current !== this.main && !this.owns(h, text(s.record.name))) continue;
      yield { rec: s.record, handle: h, table: names[s.tableIndex] };
    }
  }

  /** The ref record for `name` as git would read it (no symref resolution). */
  ref(name: string): RefEntry | undefined {
    if (isPseudoRef(name)) return this.pseudoRef(name);
    const r = this.route(name);
    if (!r) return undefined;
    const hit = r.handle.stack.merged.ref(utf8(r.name));
    if (!hit) return undefined;
    return refEntry(hit.record, r.handle.id, r.handle.stack.tables[hit.tableIndex].name, name);
  }

  /** FETCH_HEAD / MERGE_HEAD are plain files in the git dir: their first object id. */
  private pseudoRef(name: string): RefEntry | undefined {
    let raw: string;
    try {
      raw = fs.readFileSync(path.join(this.info.gitDir, name), 'utf8');
    } catch {
      return undefined;
    }
    const m = new RegExp(`^([0-9a-f]{${this.info.hash.size * 2}})`).exec(raw);
    if (!m) return undefined;
    return { name, type: 'oid', oid: m[1], updateIndex: 0, stack: this.current.id, table: name };
  }

  /** Follow symrefs (at most SYMREF_MAX_DEPTH names read, like git). */
  resolve(name: string): { oid?: string; chain: string[] } {
    const chain: string[] = [];
    let cur = name;
    for (let depth = 0; depth < SYMREF_MAX_DEPTH; depth++) {
      chain.push(cur);
      const r = this.ref(cur);
      if (!r) return { chain };
      if (r.type !== 'symref') return { oid: r.oid, chain };
      cur = r.target!;
    }
    return { chain };
  }

  /** Refs whose value or peeled value is `oid`, in name order. */
  refsPointingAt(oid: string): RefEntry[] {
    const want = fromHex(oid);
    const out: RefEntry[] = [];
    for (const h of this.stacks) {
      const names = h.stack.tables.map((t) => t.name);
      for (const s of h.stack.merged.refsFor(want)) {
        const name = text(s.record.name);
        if (this.owns(h, name)) out.push(refEntry(s.record, h.id, names[s.tableIndex], name));
      }
    }
    return out.sort((a, b) => compareNames(a.name, b.name));
  }

  // ---- logs --------------------------------------------------------------------------

  /** Reflog of `name`, newest first (at most `limit` entries), without existence markers and deleted entries. */
  reflog(name: string, limit = Infinity): LogEntry[] {
    return [...this.reflogEntries(name, limit)];
  }

  /**
   * reflog() one entry at a time. A caller that consumes entries as they come (the CLI prints
   * them) never holds a long reflog whole: held, 100,000 entries outlived the young
   * generation and garbage collection was a third of the run.
   */
  *reflogEntries(name: string, limit = Infinity): Generator<LogEntry> {
    const r = this.route(name);
    if (!r || limit <= 0) return;
    const names = r.handle.stack.tables.map((t) => t.name);
    let n = 0;
    // Newest first, so a limit stops the merge early instead of reading the whole reflog.
    for (const s of r.handle.stack.merged.logsFor(utf8(r.name))) {
      if (n >= limit) return;
      if (isExistenceMarker(s.record)) continue;
      n++;
      yield logEntry(s.record, names[s.tableIndex], name);
    }
  }

  /**
   * The object id a value argument of `update-ref` names, as far as refs alone tell
   * (object-name.c get_oid_basic without the object database): a full hex id as it is, `@`
   * for HEAD, else the first of NAME, refs/NAME, refs/tags/NAME, refs/heads/NAME,
   * refs/remotes/NAME and refs/remotes/NAME/HEAD that resolves to an object (a tag's own id,
   * not peeled). Undefined for anything else: abbreviated ids and expressions such as
   * `HEAD~1` need the objects, which this store does not read.
   */
  resolveRevision(arg: string): string | undefined {
    const hexLength = this.info.hash.size * 2;
    if (isHex(arg, hexLength)) return arg.toLowerCase();
    const name = arg === '@' ? 'HEAD' : arg;
    if (name === '' || ambiguousPath(name)) return undefined;
    for (const full of dwimNames(name)) {
      const { oid } = this.resolve(full);
      if (oid !== undefined) return oid;
    }
    return undefined;
  }

  /**
   * The reflog `NAME@{…}` means (refs.c repo_dwim_log): the first of NAME, refs/NAME,
   * refs/tags/NAME, refs/heads/NAME, refs/remotes/NAME and refs/remotes/NAME/HEAD that
   * resolves to an object, by its own reflog if it has one, else by that of the ref it
   * resolves to. Undefined when there is none: as in git, a dangling symref's reflog is not
   * found, and a symref without a reflog stands for its target's.
   */
  reflogNameFor(name: string): string | undefined {
    for (const full of dwimNames(name)) {
      const { oid, chain } = this.resolve(full);
      if (oid === undefined) continue;
      if (this.reflogExists(full)) return full;
      const target = chain[chain.length - 1];
      if (target !== full && this.reflogExists(target)) return target;
    }
    return undefined;
  }

  /** `git reflog exists`: any live entry, existence markers included. */
  reflogExists(name: string): boolean {
    const r = this.route(name);
    if (!r) return false;
    for (const _ of r.handle.stack.merged.logsFor(utf8(r.name))) return true;
    return false;
  }

  /** Every reflog entry, by ref name, newest first within a ref. */
  *allLogs(): Iterable<LogEntry> {
    const streams = this.stacks.map((h) => this.ownedLogs(h));
    for (const s of mergeByKey(streams, (e) => logKey(e.rec.name, e.rec.updateIndex))) {
      yield logEntry(s.record.rec, s.record.table);
    }
  }

  private *ownedLogs(h: StackHandle): Generator<{ rec: LogRecord; table: string }> {
    const names = h.stack.tables.map((t) => t.name);
    for (const s of h.stack.merged.logs()) {
      if (isExistenceMarker(s.record)) continue;
      if (this.current !== this.main && !this.owns(h, text(s.record.name))) continue;
      yield { rec: s.record, table: names[s.tableIndex] };
    }
  }

  // ---- shadowed history --------------------------------------------------------------

  /** Refs whose newest record is a tombstone while an older table still holds a value. */
  shadowedRefs(): { ref: RefEntry; deletedAt: number; table: string }[] {
    const out: { ref: RefEntry; deletedAt: number; table: string }[] = [];
    for (const h of this.stacks) {
      const tables = h.stack.tables;
      for (const s of h.stack.merged.refs(undefined, { includeDeletions: true })) {
        if (s.record.valueType !== 0) continue;
        for (let i = s.tableIndex - 1; i >= 0; i--) {
          const older = tables[i].table.ref(s.record.name);
          if (!older) continue;
          if (older.valueType !== 0) {
            out.push({ ref: refEntry(older, h.id, tables[i].name), deletedAt: s.record.updateIndex, table: tables[s.tableIndex].name });
          }
          break;
        }
      }
    }
    return out;
  }

  /** Reflog entries of `name` hidden by log tombstones but still present in older tables, newest first. */
  shadowedLogs(name: string): LogEntry[] {
    const r = this.route(name);
    if (!r) return [];
    const tables = r.handle.stack.tables;
    const key = utf8(r.name);
    // update index → records from newest table to oldest
    const byIndex = new Map<number, { rec: LogRecord; table: string }[]>();
    for (let i = tables.length - 1; i >= 0; i--) {
      for (const rec of tables[i].table.logsFor(key)) {
        const list = byIndex.get(rec.updateIndex) ?? [];
        list.push({ rec, table: tables[i].name });
        byIndex.set(rec.updateIndex, list);
      }
    }
    const out: LogEntry[] = [];
    for (const [, list] of [...byIndex].sort((a, b) => b[0] - a[0])) {
      if (list[0].rec.valueType !== 0) continue;
      const hidden = list.find((x) => x.rec.valueType !== 0);
      if (hidden) out.push(logEntry(hidden.rec, hidden.table, name));
    }
    return out;
  }

  // ---- stacks and worktrees ----------------------------------------------------------

  /** Statistics of every table of one stack (default: the main stack), oldest first. */
  tables(stackId: string = MAIN_STACK): TableInfo[] {
    const h = this.stackById(stackId);
    if (!h) throw new ReftableError(ErrorCode.NotFound, `no stack '${stackId}'`);
    return h.stack.tables.map((t) => tableInfo(t.table));
  }

  /** Linked worktrees (`commonDir/worktrees/*`) with their checkout path and HEAD. */
  worktrees(): { id: string; path?: string; head?: RefEntry }[] {
    const base = path.join(this.info.commonDir, 'worktrees');
    let ids: string[];
    try {
      ids = fs.readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch {
      return [];
    }
    return ids.map((id) => {
      const back = readFirstLine(path.join(base, id, 'gitdir'));
      const h = this.stackById(id);
      const rec = h?.stack.merged.ref(utf8('HEAD'));
      return {
        id,
        path: back ? path.dirname(path.resolve(base, id, back)) : undefined,
        head: rec && h ? refEntry(rec.record, id, h.stack.tables[rec.tableIndex].name) : undefined,
      };
    });
  }

  /** Re-read every open stack's tables.list; true if any changed. */
  reload(): boolean {
    let changed = false;
    for (const h of [...this.stacks, ...this.others.values()]) if (h.stack.reload()) changed = true;
    return changed;
  }

  close(): void {
    for (const h of [...this.stacks, ...this.others.values()]) h.stack.close();
    this.others.clear();
  }

  /** The merged view of one stack (for callers that need records, e.g. the inspector). */
  merged(stackId: string = MAIN_STACK): MergedTables {
    const h = this.stackById(stackId);
    if (!h) throw new ReftableError(ErrorCode.NotFound, `no stack '${stackId}'`);
    return h.stack.merged;
  }
}

function readFirstLine(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').split('\n')[0].replace(/\r$/, '') || undefined;
  } catch {
    return undefined;
  }
}

/** Byte order of UTF-8 names (what the tables sort by). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Sorted prefixes with those covered by a shorter one removed, so that iterating each range
 * in turn yields names in order without duplicates. `[undefined]` means everything.
 */
export function normalizePrefixes(prefixes: string[] | undefined): (string | undefined)[] {
  if (!prefixes || prefixes.length === 0) return [undefined];
  if (prefixes.includes('')) return [undefined];
  const sorted = [...new Set(prefixes)].sort(compareNames);
  const out: string[] = [];
  for (const p of sorted) {
    if (out.length && startsWith(utf8(p), utf8(out[out.length - 1]))) continue;
    out.push(p);
  }
  return out;
}


/**
 * The stack as the write path sees it (reftable-format.md §7.1–§7.3): `tables.list` read
 * fresh under the lock, every listed table opened and checked (a writer must never build on a
 * stack it cannot read), and the atomic replacement of the list through its lock file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { HashFormat } from '../engine/format.js';
import { MergedTables } from '../engine/merged.js';
import { Table } from '../engine/table.js';
import type { RepositoryInfo } from './api.js';
import { type FileSource, openFileSource } from './fs-source.js';
import { LockFile, sleepMs } from './lock.js';
import { isPerWorktreeRef, isPerWorktreeRefsPath } from './refname.js';
import { randomBytes } from './random.js';

export const TABLES_LIST = 'tables.list';

/** One stack directory and the repository's hash. */
export interface StackLocation {
  dir: string;
  hash: HashFormat;
}

export interface LoadedStack {
  dir: string;
  /** The exact text of tables.list as read ('' when absent). */
  listText: string;
  names: string[];
  tables: Table[];
  merged: MergedTables;
  /** Newest table's max update index + 1, or 1. */
  nextUpdateIndex: number;
}

export function parseTablesList(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

export function readListText(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, TABLES_LIST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new ReftableError(ErrorCode.Io, `cannot read ${TABLES_LIST}: ${(e as Error).message}`, { file: path.join(dir, TABLES_LIST) });
  }
}

/** Git's table names: `0x%012x-0x%012x-%08x.ref`. */
export const TABLE_NAME = /^0x([0-9a-f]{12})-0x([0-9a-f]{12})-([0-9a-f]{8})\.ref$/;

/** A fresh `0x<min>-0x<max>-<random>` stem. */
export function tableStem(min: number, max: number): string {
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  return `0x${hex(min)}-0x${hex(max)}-${randomBytes(4).toString('hex')}`;
}

/** Open one listed table, refusing anything git would not build on (bad header, CRC, hash). */
export function openTableFile(dir: string, name: string, hash: HashFormat): Table {
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
    throw new ReftableError(ErrorCode.Format, `tables.list names '${name}', which is not a file in the stack directory`, { file: path.join(dir, TABLES_LIST) });
  }
  const file = path.join(dir, name);
  // A listed table never changes (git and we only ever rename new files into place), so a
  // process that writes many times — the extension, a benchmark loop — reuses what it read
  // instead of re-reading a 30 MB base table per transaction. The file's identity guards it.
  const st = fs.statSync(file);
  const identity = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${hash.name}`;
  const hit = openedTables.get(file);
  if (hit && hit.identity === identity) {
    openedTables.delete(file);
    openedTables.set(file, hit);
    return hit.table;
  }
  // Positioned reads: a one-ref transaction on a 30 MB table touches its header, footer and
  // a few index and ref blocks, not the whole file (the source reads it whole by itself once
  // a compaction walks it).
  const source = openFileSource(file);
  let t: Table;
  try {
    t = Table.open(source, { name, hash });
    t.checkCrc();
  } catch (e) {
    source.close();
    throw e;
  }
  if (source.size >= REUSE_MIN_BYTES) {
    // Large sources keep a descriptor. A table evicted from the cache may still serve a
    // stack loaded before, so it is closed when nothing refers to it any more.
    closeWhenUnreachable.register(t, source);
    openedTables.set(file, { identity, table: t });
    if (openedTables.size > REUSE_MAX_TABLES) openedTables.delete(openedTables.keys().next().value as string);
  }
  return t;
}

/** Tables worth keeping between stack loads: the big ones (small ones are cheap to re-read). */
const REUSE_MIN_BYTES = 256 * 1024;
const REUSE_MAX_TABLES = 8;
const openedTables = new Map<string, { identity: string; table: Table }>();
const closeWhenUnreachable = new FinalizationRegistry<FileSource>((source) => source.close());

/**
 * Read tables.list and open every table. A listed table that is missing while the list keeps
 * changing is retried (a concurrent compaction replaced it), as git does for about 3 s.
 */
export function loadStack(loc: StackLocation): LoadedStack {
  const deadline = Date.now() + 3000;
  let delay = 1;
  for (let attempt = 0; ; attempt++) {
    const listText = readListText(loc.dir);
    const names = parseTablesList(listText);
    try {
      const tables = names.map((n) => openTableFile(loc.dir, n, loc.hash));
      const merged = new MergedTables(tables);
      const nextUpdateIndex = tables.length ? tables[tables.length - 1].maxUpdateIndex + 1 : 1;
      return { dir: loc.dir, listText, names, tables, merged, nextUpdateIndex };
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' || (e instanceof ReftableError && e.code === ErrorCode.NotExist);
      if (missing && readListText(loc.dir) !== listText && (attempt < 3 || Date.now() < deadline)) {
        sleepMs(delay + Math.floor(Math.random() * delay));
        delay = Math.min(delay * 2, 100);
        continue;
      }
      if (missing) {
        throw new ReftableError(ErrorCode.NotExist, `table listed in tables.list does not exist: ${(e as Error).message}`, { file: path.join(loc.dir, TABLES_LIST) });
      }
      if (e instanceof ReftableError) {
        throw new ReftableError(e.code, `stack is unreadable, refusing to write on top of it: ${e.message}`, { file: e.file ?? loc.dir, offset: e.offset, data: e.data, cause: e });
      }
      throw new ReftableError(ErrorCode.Io, `cannot read the stack: ${(e as Error).message}`, { file: loc.dir, cause: e });
    }
  }
}

/** Write the new list into the held lock and rename it over tables.list (fsynced first). */
export function commitTablesList(lock: LockFile, names: readonly string[]): void {
  const text = names.map((n) => `${n}\n`).join('');
  lock.write(Buffer.from(text, 'utf8'));
  lock.commit();
}

/** Acquire `tables.list.lock` of a stack directory. */
export function lockTablesList(dir: string, timeoutMs: number): LockFile {
  return LockFile.acquire(path.join(dir, TABLES_LIST), 'references', { timeoutMs });
}

/** Anything that knows its repository: a RepositoryInfo or an object holding one. */
export type RepoLike = RepositoryInfo | { info: RepositoryInfo } | { repo: RepositoryInfo } | { repository: RepositoryInfo };

export function repoInfoOf(db: RepoLike): RepositoryInfo {
  if ('commonDir' in db && 'hash' in db) return db;
  if ('info' in db && db.info) return db.info;
  if ('repo' in db && db.repo) return db.repo;
  if ('repository' in db && db.repository) return db.repository;
  throw new ReftableError(ErrorCode.Api, 'not a repository handle');
}

export interface StackRef {
  /** 'main' or a worktree id. */
  stack: string;
  dir: string;
  /** The name as stored in that stack (`main-worktree/HEAD` → `HEAD`). */
  name: string;
}

/** refs.c parse_worktree_ref + backend_for: which stack a name lives in. */
const stackDirs = new WeakMap<RepositoryInfo, { main: string; current?: string }>();

export function stackFor(info: RepositoryInfo, refname: string): StackRef {
  let dirs = stackDirs.get(info);
  if (!dirs) {
    dirs = { main: path.join(info.commonDir, 'reftable'), current: info.worktreeId ? path.join(info.gitDir, 'reftable') : undefined };
    stackDirs.set(info, dirs);
  }
  // Fast path for the common case (called per update in 200 000-ref transactions).
  if (refname.startsWith('refs/') && !isPerWorktreeRefsPath(refname)) {
    return { stack: 'main', dir: dirs.main, name: refname };
  }
  const main = { stack: 'main', dir: dirs.main };
  if (refname.startsWith('main-worktree/')) {
    const rest = refname.slice('main-worktree/'.length);
    if (rest && isPerWorktreeRef(rest)) return { ...main, name: rest };
  }
  if (refname.startsWith('worktrees/')) {
    const m = /^worktrees\/([^/]+)\/(.+)$/.exec(refname);
    if (m && isPerWorktreeRef(m[2])) {
      return { stack: m[1], dir: path.join(info.commonDir, 'worktrees', m[1], 'reftable'), name: m[2] };
    }
  }
  if (info.worktreeId && isPerWorktreeRef(refname)) {
    return { stack: info.worktreeId, dir: dirs.current!, name: refname };
  }
  return { ...main, name: refname };
}


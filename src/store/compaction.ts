/**
 * Compaction on disk (reftable-format.md §7.4–§7.5; git's stack_compact_range): lock
 * tables.list, lock each table of the range newest → oldest with `<table>.lock` (best effort in
 * auto mode: shrink to the newer tables already locked), release the list lock while merging,
 * re-lock, splice the new table where the range still is, commit, unlink the old tables.
 * `compactAll` is `git pack-refs`: whole stack, tombstones dropped, then stale tables cleaned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PendingRecords, compactTablesTo, compactionSize, suggestCompaction } from '../engine/compact.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { Table } from '../engine/table.js';
import type { CompactionResult, RepositoryInfo } from './api.js';
import { TempTableFile, WriteSettings, writeSettings } from './add-table.js';
import { LockFile, lockError, unlinkQuietly } from './lock.js';
import {
  LoadedStack, RepoLike, TABLE_NAME, commitTablesList, loadStack, lockTablesList, parseTablesList, readListText, repoInfoOf, stackFor,
} from './tables-list.js';

export interface CompactOptions {
  /** Auto mode: geometric segment and best-effort table locks. Otherwise the whole stack. */
  auto?: boolean;
}

function sizesOf(stack: LoadedStack, info: RepositoryInfo): number[] {
  return stack.tables.map((t) => compactionSize(t.size, info.hash));
}

function totalBytes(stack: LoadedStack): number {
  return stack.tables.reduce((s, t) => s + t.size, 0);
}

/**
 * Take `<table>.lock` of names[last] down to names[first], newest first as git does, adding
 * each to `held`; the index of the first table someone else holds locked, or -1 for all.
 */
function lockTables(dir: string, names: readonly string[], first: number, last: number, held: LockFile[]): number {
  for (let i = last; i >= first; i--) {
    const l = LockFile.tryAcquire(path.join(dir, names[i]));
    if (!l) return i;
    l.closeFd();
    held.push(l);
  }
  return -1;
}

/**
 * Compact the inclusive range [first, last] of the stack in `dir` as it is under the lock.
 * `choose` picks the range from the fresh stack (undefined = nothing to do).
 */
function compactRange(
  info: RepositoryInfo, dir: string, settings: WriteSettings, bestEffort: boolean,
  choose: (stack: LoadedStack) => { start: number; end: number } | undefined,
): CompactionResult {
  let listLock: LockFile | undefined = lockTablesList(dir, settings.lockTimeoutMs);
  const tableLocks: LockFile[] = [];
  let temp: TempTableFile | undefined;
  let tempWritten: string | undefined;
  try {
    const stack = loadStack({ dir, hash: info.hash });
    const base: CompactionResult = { tablesBefore: stack.tables.length, tablesAfter: stack.tables.length, bytesBefore: totalBytes(stack), bytesAfter: totalBytes(stack) };
    const range = choose(stack);
    if (!range || range.start >= range.end) return base;
    let first = range.start;
    const last = range.end;
    const busy = lockTables(dir, stack.names, first, last, tableLocks);
    if (busy >= 0) {
      // Someone is compacting older tables: in auto mode settle for the newer ones we hold.
      if (!bestEffort || last - busy < 2) {
        throw lockError(path.join(dir, `${stack.names[busy]}.lock`), `table ${stack.names[busy]} for compaction`);
      }
      first = busy + 1;
    }
    listLock.rollback();
    listLock = undefined;

    const tables: Table[] = stack.tables.slice(first, last + 1);
    const min = tables[0].minUpdateIndex;
    const max = tables[tables.length - 1].maxUpdateIndex;
    // Written and synced before the list is locked again, as git does: other writers wait
    // only for the rename and the new list.
    temp = TempTableFile.create(dir, min, max);
    const out = temp;
    const size = compactTablesTo(tables, {
      hash: info.hash, blockSize: settings.blockSize, restartInterval: settings.restartInterval,
      indexObjects: settings.indexObjects, dropDeletions: first === 0,
    }, (chunk) => out.write(chunk));
    if (size > 0) {
      temp.close();
    } else {
      temp.discard();
      temp = undefined;
    }

    listLock = lockTablesList(dir, settings.lockTimeoutMs);
    const nowText = readListText(dir);
    let names = stack.names;
    let replaceFirst = first;
    let replaceLast = last;
    if (nowText !== stack.listText) {
      // Writers appended meanwhile: our locked range must still be there, contiguous and in order.
      names = parseTablesList(nowText);
      const at = names.indexOf(stack.names[first]);
      const ok = at >= 0 && stack.names.slice(first, last + 1).every((n, j) => names[at + j] === n);
      if (!ok) throw new ReftableError(ErrorCode.Outdated, 'the stack changed under the compaction', { file: path.join(dir, 'tables.list') });
      replaceFirst = at;
      replaceLast = at + (last - first);
    }
    let newName: string | undefined;
    if (temp) {
      newName = temp.commit(min, max);
      temp = undefined;
      tempWritten = newName;
    }
    const list = [...names.slice(0, replaceFirst), ...(newName ? [newName] : []), ...names.slice(replaceLast + 1)];
    commitTablesList(listLock, list);
    listLock = undefined;
    tempWritten = undefined;
    for (const n of stack.names.slice(first, last + 1)) unlinkQuietly(path.join(dir, n));
    const after = list.reduce((s, n) => {
      try {
        return s + fs.statSync(path.join(dir, n)).size;
      } catch {
        return s;
      }
    }, 0);
    return { tablesBefore: names.length, tablesAfter: list.length, bytesBefore: base.bytesBefore, bytesAfter: after, merged: { start: first, end: last } };
  } catch (e) {
    temp?.discard();
    if (tempWritten) unlinkQuietly(path.join(dir, tempWritten));
    throw e;
  } finally {
    listLock?.rollback();
    for (const l of tableLocks) l.rollback();
  }
}

/**
 * Git commits a transaction's table and then lets auto-compaction merge it with the tables
 * the geometric rule picks. When that rule is sure to merge the new table with the whole
 * stack, whatever its compressed logs weigh (a large transaction on a small stack), this
 * writes the merged table at once under the list lock already held: the same final stack,
 * without writing, syncing and re-reading the intermediate table. The rule is monotone in
 * the new table's size, so a lower bound (`sizeAtLeast`: every ref record takes at least four
 * bytes plus its value, compressed logs count nothing) that already pulls in every table
 * decides it.
 *
 * Undefined (nothing done, the lock still held) when that is not certain or another process
 * holds a table lock; the caller then adds the table and auto-compacts as usual.
 */
export function commitFolded(
  info: RepositoryInfo, dir: string, settings: WriteSettings, stack: LoadedStack, listLock: LockFile, pending: PendingRecords,
  sizeAtLeast: number,
): { name?: string; compacted: CompactionResult } | undefined {
  const n = stack.tables.length;
  if (n === 0) return undefined;
  const sizes = [...sizesOf(stack, info), sizeAtLeast];
  const seg = suggestCompaction(sizes, settings.geometricFactor);
  if (!seg || seg.start !== 0 || seg.end !== n) return undefined;
  const tableLocks: LockFile[] = [];
  let temp: TempTableFile | undefined;
  let written: string | undefined;
  try {
    if (lockTables(dir, stack.names, 0, n - 1, tableLocks) >= 0) return undefined;
    const min = stack.tables[0].minUpdateIndex;
    const max = pending.maxUpdateIndex;
    temp = TempTableFile.create(dir, min, max);
    const out = temp;
    const size = compactTablesTo(stack.tables, {
      hash: info.hash, blockSize: settings.blockSize, restartInterval: settings.restartInterval,
      indexObjects: settings.indexObjects, dropDeletions: true,
    }, (chunk) => out.write(chunk), pending);
    if (size > 0) written = temp.commit(min, max);
    else temp.discard();
    temp = undefined;
    commitTablesList(listLock, written ? [written] : []);
    const name = written;
    written = undefined;
    for (const old of stack.names) unlinkQuietly(path.join(dir, old));
    return {
      name,
      compacted: {
        tablesBefore: n + 1, tablesAfter: name ? 1 : 0, bytesBefore: totalBytes(stack), bytesAfter: size, merged: { start: 0, end: n },
      },
    };
  } finally {
    temp?.discard();
    if (written) unlinkQuietly(path.join(dir, written));
    for (const l of tableLocks) l.rollback();
  }
}

/** Geometric auto-compaction of one stack directory (`git pack-refs --auto`). */
export function autoCompactStack(info: RepositoryInfo, dir: string, settings: WriteSettings = writeSettings(info.config)): CompactionResult {
  return compactRange(info, dir, settings, true, (stack) => suggestCompaction(sizesOf(stack, info), settings.geometricFactor));
}

/** Full compaction of one stack directory (`git pack-refs`); a one-table stack is left alone. */
export function compactAllStack(info: RepositoryInfo, dir: string, settings: WriteSettings = writeSettings(info.config)): CompactionResult {
  return compactRange(info, dir, settings, false, (stack) => (stack.tables.length > 1 ? { start: 0, end: stack.tables.length - 1 } : undefined));
}

/**
 * §7.5: under the list lock, delete unlisted `*.ref` files that parse and whose max update
 * index is not above the stack's; keep anything else (a newer table, temp files, locks).
 */
export function cleanStaleTables(info: RepositoryInfo, dir: string, settings: WriteSettings = writeSettings(info.config)): string[] {
  const lock = lockTablesList(dir, settings.lockTimeoutMs);
  try {
    const stack = loadStack({ dir, hash: info.hash });
    const max = stack.tables.length ? stack.tables[stack.tables.length - 1].maxUpdateIndex : 0;
    const listed = new Set(stack.names);
    const removed: string[] = [];
    for (const f of fs.readdirSync(dir)) {
      if (!TABLE_NAME.test(f) || listed.has(f)) continue;
      try {
        const b = fs.readFileSync(path.join(dir, f));
        const t = Table.open(new Uint8Array(b.buffer, b.byteOffset, b.length), { name: f });
        if (t.maxUpdateIndex <= max) {
          fs.unlinkSync(path.join(dir, f));
          removed.push(f);
        }
      } catch {
        /* unreadable or vanished: not ours to judge */
      }
    }
    return removed;
  } finally {
    lock.rollback();
  }
}

/** The stack directory `pack-refs` works on: the current worktree's in a linked worktree. */
function packDir(info: RepositoryInfo): string {
  return info.worktreeId ? path.join(info.gitDir, 'reftable') : stackFor(info, 'refs/heads/x').dir;
}

export interface PackResult extends CompactionResult {
  removedStale: string[];
}

/** `git pack-refs [--auto]`: compact, then clean stale tables. */
export function packRefs(db: RepoLike, opts: CompactOptions = {}): PackResult {
  const info = repoInfoOf(db);
  const settings = writeSettings(info.config);
  const dir = packDir(info);
  const r = opts.auto ? autoCompactStack(info, dir, settings) : compactAllStack(info, dir, settings);
  return { ...r, removedStale: cleanStaleTables(info, dir, settings) };
}

/** Full compaction of `db`'s stack (alias kept for callers that think in git's terms). */
export function compactAll(db: RepoLike): PackResult {
  return packRefs(db, { auto: false });
}

/** After each committed addition: auto-compaction, where lock conflicts are benign (§7.3 step 7). */
export function autoCompactAfterCommit(info: RepositoryInfo, settings: WriteSettings, dirs: string[]): CompactionResult | undefined {
  let last: CompactionResult | undefined;
  for (const dir of dirs) {
    try {
      const r = autoCompactStack(info, dir, settings);
      if (r.merged) last = r;
    } catch (e) {
      if (!(e instanceof ReftableError && e.code === ErrorCode.Lock)) throw e;
    }
  }
  return last;
}

/**
 * Reflog maintenance as git 2.47's reftable backend does it (reftable-format.md §8.7):
 * expiry and single-entry deletion rewrite every entry of the ref in a new table (type 0 for
 * pruned ones, possibly with a rewritten old id for kept ones) plus an existence marker when
 * nothing stays alive; dropping a reflog writes one tombstone per entry; creating one writes
 * a marker. Entries only disappear physically when a compaction from the base drops them.
 */
import { bytesEqual, isZero, text, utf8 } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { LogValueType, RefValueType } from '../engine/format.js';
import { isExistenceMarker } from '../engine/merged.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import { TableWriter } from '../engine/writer.js';
import type { RepositoryInfo } from './api.js';
import { WriteSettings, addTable, writeSettings } from './add-table.js';
import { autoCompactAfterCommit } from './compaction.js';
import { LoadedStack, RepoLike, loadStack, repoInfoOf, stackFor } from './tables-list.js';

export interface ExpireOptions {
  /** `--rewrite`: a kept entry's old id becomes the previous kept entry's new id. */
  rewrite?: boolean;
  /** `--updateref`: set the ref to the newest kept entry's new id. */
  updateRef?: boolean;
  autoCompact?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Decides per entry, oldest first; return true to prune. */
type Prune = (entry: LogRecord, indexFromOldest: number, total: number) => boolean;

function emptyLog(name: Uint8Array, ui: number, size: number, type: 0 | 1): LogRecord {
  const z = new Uint8Array(size);
  const e = new Uint8Array(0);
  return { kind: 'log', name, updateIndex: ui, valueType: type, old: z, new: z, committerName: e, email: e, time: 0, tz: 0, message: e };
}

function writer(info: RepositoryInfo, s: WriteSettings, ui: number): TableWriter {
  return new TableWriter({ hash: info.hash, blockSize: s.blockSize, restartInterval: s.restartInterval, indexObjects: s.indexObjects, minUpdateIndex: ui, maxUpdateIndex: ui });
}

/** Live entries of `name` (markers excluded), newest first. */
function liveEntries(stack: LoadedStack, name: Uint8Array): LogRecord[] {
  return [...stack.merged.logsFor(name)].map((s) => s.record).filter((r) => !isExistenceMarker(r));
}

function finish(info: RepositoryInfo, s: WriteSettings, dir: string, added: { name?: string }, autoCompact: boolean | undefined): void {
  if (added.name && autoCompact !== false && s.autoCompaction) autoCompactAfterCommit(info, s, [dir]);
}

/**
 * refs_reflog_expire for one ref: returns how many entries were pruned. `mustPrune`, when
 * given, is thrown (and nothing written) if the stack as read under the lock has no entry
 * to prune.
 */
function expireOne(db: RepoLike, refname: string, prune: Prune, opts: ExpireOptions, mustPrune?: () => ReftableError): number {
  const info = repoInfoOf(db);
  const s = writeSettings(info.config, opts.env);
  const at = stackFor(info, refname);
  const name = utf8(at.name);
  let pruned = 0;
  const added = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: s.lockTimeoutMs }, (stack, ui) => {
    pruned = 0;
    const logs = liveEntries(stack, name);
    const ref = stack.merged.ref(name)?.record;
    const rewritten: LogRecord[] = logs.map((l) => ({ ...l }));
    let lastNew: Uint8Array | undefined;
    for (let i = logs.length - 1; i >= 0; i--) {
      if (prune(logs[i], logs.length - 1 - i, logs.length)) {
        rewritten[i] = { ...logs[i], valueType: LogValueType.Deletion };
        pruned++;
      } else {
        if (opts.rewrite && lastNew) rewritten[i].old = lastNew;
        lastNew = logs[i].new;
      }
    }
    if (mustPrune && pruned === 0) throw mustPrune();
    const w = writer(info, s, ui);
    const val1 = ref && (ref.valueType === RefValueType.Val1 || ref.valueType === RefValueType.Val2);
    if (opts.updateRef && lastNew && val1 && !isZero(lastNew)) {
      // The reftable backend re-peels here; without an object store we keep the stored peel if the id is unchanged.
      const r: RefRecord = ref.valueType === RefValueType.Val2 && bytesEqual(ref.value!, lastNew)
        ? { ...ref, updateIndex: ui }
        : { kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Val1, value: lastNew };
      w.addRef(r);
    }
    const live = rewritten.filter((r) => r.valueType === LogValueType.Update).length;
    if (live === 0) w.addLog(emptyLog(name, ui, info.hash.size, 1), { exactMessage: true });
    for (const r of rewritten) w.addLog(r.valueType === LogValueType.Deletion ? emptyLog(name, r.updateIndex, info.hash.size, 0) : r);
    const bytes = w.finish();
    return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
  });
  finish(info, s, at.dir, added, opts.autoCompact);
  return pruned;
}

/** Names that have a reflog in the stack of `db` (main stack, plus the worktree's own). */
export function reflogNames(db: RepoLike): string[] {
  const info = repoInfoOf(db);
  const dirs = new Map<string, string>();
  dirs.set('main', stackFor(info, 'refs/heads/x').dir);
  if (info.worktreeId) dirs.set(info.worktreeId, stackFor(info, 'HEAD').dir);
  const names = new Set<string>();
  for (const dir of dirs.values()) {
    const stack = loadStack({ dir, hash: info.hash });
    let last = '';
    for (const { record } of stack.merged.logs()) {
      const n = text(record.name);
      if (n !== last) names.add((last = n));
    }
  }
  return [...names].sort();
}


/**
 * `git reflog expire --expire=<time>`: prune entries older than `expireBefore` (seconds;
 * entries with time < expireBefore go). One table per ref, written even when nothing changes.
 */
export function expireReflogs(db: RepoLike, refs: string[] | 'all', expireBefore: number, opts: ExpireOptions = {}): { ref: string; pruned: number }[] {
  const names = refs === 'all' ? reflogNames(db) : refs;
  return names.map((ref) => ({ ref, pruned: expireOne(db, ref, (e) => e.time < expireBefore, opts) }));
}

/** `git reflog delete REF@{N}`: N counts from the newest entry (0). */
export function deleteReflogEntry(db: RepoLike, refname: string, n: number, opts: ExpireOptions = {}): void {
  const info = repoInfoOf(db);
  const at = stackFor(info, refname);
  const stack = loadStack({ dir: at.dir, hash: info.hash });
  const exists = !stack.merged.logsFor(utf8(at.name)).next().done;
  if (!exists) throw new ReftableError(ErrorCode.NotFound, `no reflog for '${refname}'`, { data: { ref: refname } });
  // git counts the entries, then prunes the (count − N)-th oldest; an N past the end prunes nothing.
  expireOne(db, refname, (_e, i, total) => i === total - 1 - n, opts);
}

/**
 * Delete the entry of `refname`'s reflog written at `updateIndex`, found under the stack lock
 * (a position such as `REF@{N}` shifts when a concurrent writer adds an entry; an update index
 * does not). Throws NOT_FOUND, writing nothing, when the reflog has no such live entry.
 */
export function deleteReflogEntryByIndex(db: RepoLike, refname: string, updateIndex: number, opts: ExpireOptions = {}): void {
  if (!Number.isSafeInteger(updateIndex) || updateIndex < 0) {
    throw new ReftableError(ErrorCode.Usage, `bad update index ${updateIndex}`, { data: { ref: refname } });
  }
  expireOne(db, refname, (e) => e.updateIndex === updateIndex, opts,
    () => new ReftableError(ErrorCode.NotFound, `${refname} has no reflog entry at update index ${updateIndex}`, { data: { ref: refname, updateIndex } }));
}

/** Backend delete_reflog: a tombstone for every entry (markers included). */
export function dropReflog(db: RepoLike, refname: string, opts: ExpireOptions = {}): void {
  const info = repoInfoOf(db);
  const s = writeSettings(info.config, opts.env);
  const at = stackFor(info, refname);
  const name = utf8(at.name);
  const added = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: s.lockTimeoutMs }, (stack, ui) => {
    const w = writer(info, s, ui);
    for (const { record } of stack.merged.logsFor(name)) w.addLog(emptyLog(name, record.updateIndex, info.hash.size, 0));
    const bytes = w.finish();
    return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
  });
  finish(info, s, at.dir, added, opts.autoCompact);
}

/** Backend create_reflog: an existence marker, only when the ref has no reflog yet. */
export function createReflog(db: RepoLike, refname: string, opts: ExpireOptions = {}): boolean {
  const info = repoInfoOf(db);
  const s = writeSettings(info.config, opts.env);
  const at = stackFor(info, refname);
  const name = utf8(at.name);
  const added = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: s.lockTimeoutMs }, (stack, ui) => {
    if (!stack.merged.logsFor(name).next().done) return undefined;
    const w = writer(info, s, ui);
    w.addLog(emptyLog(name, ui, info.hash.size, 1), { exactMessage: true });
    const bytes = w.finish();
    return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
  });
  finish(info, s, at.dir, added, opts.autoCompact);
  return !!added.name;
}

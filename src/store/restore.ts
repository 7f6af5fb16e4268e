/**
 * Restore a deleted ref from the older tables that still hold it (until a full compaction
 * drops them). git has no such command; the table written is what `update-ref` would write for
 * a creation (ref record + one log entry at the new update index, reftable-format.md §8.3),
 * plus the reflog entries the deletion tombstoned, copied back under their original update
 * indexes the way a rename carries a reflog over (§8.6). Newest table wins per (name, update
 * index), so those copies hide the deletion's log tombstones again.
 */
import { bytesEqual, text, toHex, utf8 } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { LogValueType, RefValueType } from '../engine/format.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import { TableWriter } from '../engine/writer.js';
import type { TransactionOptions, TransactionResult } from './api.js';
import { addTable, writeSettings } from './add-table.js';
import { autoCompactAfterCommit } from './compaction.js';
import { parseTz } from './convert.js';
import { committerIdentity, normalizeReflogMessage } from './reflog-policy.js';
import { checkRefnameAvailable, checkWritableRefname } from './refname.js';
import type { LoadedStack, RepoLike } from './tables-list.js';
import { repoInfoOf, stackFor } from './tables-list.js';
import { sortLogs } from './transaction.js';

export interface RestoreOptions extends TransactionOptions {
  /** Name to restore under (default: the deleted name). */
  as?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RestoreResult extends TransactionResult {
  /** How many tombstoned reflog entries were brought back. */
  restoredLogs: number;
}

/**
 * The deletion of `name` in this stack: the newest table whose record for it is a tombstone,
 * and the newest older table that still holds a value. Undefined when `name` is not deleted.
 */
function findDeletion(stack: LoadedStack, key: Uint8Array): { at: number; value: RefRecord } | undefined {
  for (let i = stack.tables.length - 1; i >= 0; i--) {
    const r = stack.tables[i].ref(key);
    if (!r) continue;
    if (r.valueType !== RefValueType.Deletion) return undefined;
    for (let j = i - 1; j >= 0; j--) {
      const older = stack.tables[j].ref(key);
      if (!older) continue;
      return older.valueType === RefValueType.Deletion ? undefined : { at: i, value: older };
    }
    return undefined;
  }
  return undefined;
}

/**
 * Reflog entries of `key` whose newest record is a tombstone written by the deletion table
 * `at`; entries tombstoned elsewhere were expired on purpose and stay gone.
 */
function tombstonedByDeletion(stack: LoadedStack, key: Uint8Array, at: number): LogRecord[] {
  const newest = new Map<number, { rec: LogRecord; table: number }>();
  const hidden = new Map<number, LogRecord>();
  for (let i = stack.tables.length - 1; i >= 0; i--) {
    for (const rec of stack.tables[i].logsFor(key)) {
      const top = newest.get(rec.updateIndex);
      if (!top) newest.set(rec.updateIndex, { rec, table: i });
      else if (!hidden.has(rec.updateIndex) && rec.valueType !== LogValueType.Deletion) hidden.set(rec.updateIndex, rec);
    }
  }
  const out: LogRecord[] = [];
  for (const [ui, top] of newest) {
    const rec = hidden.get(ui);
    if (top.rec.valueType === LogValueType.Deletion && top.table === at && rec) out.push(rec);
  }
  return out;
}

/**
 * Write `name` back at `expectedOid` (the value the user saw in the shadowed record), under
 * `opts.as` when given. The new name must not exist (checked under the lock, like a `create`);
 * EXPECTATION when it does or when the deleted value is no longer what the user saw.
 */
export function restoreDeletedRef(db: RepoLike, name: string, expectedOid: string, opts: RestoreOptions = {}): RestoreResult {
  const info = repoInfoOf(db);
  const env = opts.env ?? process.env;
  const settings = writeSettings(info.config, env);
  const as = opts.as ?? name;
  checkWritableRefname(as);
  const from = stackFor(info, name);
  const to = stackFor(info, as);
  if (from.stack !== to.stack) throw new ReftableError(ErrorCode.Unsupported, `cannot restore '${name}' as '${as}' across worktree stacks`);
  const msg = normalizeReflogMessage(opts.message ?? `restore ${name}`, settings.blockSize);
  const who = opts.committer
    ? { ...opts.committer, tz: parseTz(opts.committer.tz) }
    : committerIdentity(info.config, env);
  const fromKey = utf8(from.name);
  const toKey = utf8(to.name);
  let restoredLogs = 0;

  const added = addTable({ dir: to.dir, hash: info.hash }, { lockTimeoutMs: settings.lockTimeoutMs }, (stack, ui) => {
    if (stack.merged.ref(toKey)) throw new ReftableError(ErrorCode.Expectation, `a ref named '${as}' already exists`, { data: { ref: as } });
    const del = findDeletion(stack, fromKey);
    if (!del) throw new ReftableError(ErrorCode.Expectation, `'${name}' is no longer a deleted ref with a recoverable value`, { data: { ref: name } });
    const value = del.value.value!;
    if (toHex(value) !== expectedOid.toLowerCase()) {
      throw new ReftableError(ErrorCode.Expectation, `the deleted '${name}' held ${toHex(value)}, not ${expectedOid}`, { data: { ref: name } });
    }
    checkRefnameAvailable(as, (n) => stack.merged.ref(utf8(n)) !== undefined, (p) => namesBelow(stack, p), new Set(), new Set());
    const logs = tombstonedByDeletion(stack, fromKey, del.at).map((r) => ({ ...r, name: toKey }));
    restoredLogs = logs.length;
    const zero = new Uint8Array(info.hash.size);
    logs.push({
      kind: 'log', name: toKey, updateIndex: ui, valueType: LogValueType.Update, old: zero, new: value,
      committerName: utf8(who.name), email: utf8(who.email), time: who.time, tz: who.tz, message: msg,
    });
    const ref: RefRecord = { ...del.value, name: toKey, updateIndex: ui };
    const w = new TableWriter({
      hash: info.hash, blockSize: settings.blockSize, restartInterval: settings.restartInterval,
      indexObjects: settings.indexObjects, minUpdateIndex: ui, maxUpdateIndex: ui,
    });
    w.addRef(ref);
    // Two copies with one key would make the table unreadable; the creation entry wins.
    const seen = new Set<number>();
    for (const l of sortLogs(logs)) {
      if (seen.has(l.updateIndex) && bytesEqual(l.name, toKey)) continue;
      seen.add(l.updateIndex);
      w.addLog(l);
    }
    const bytes = w.finish();
    return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
  });
  const result: RestoreResult = { tables: added.name ? [{ stack: to.stack, name: added.name }] : [], updateIndex: added.updateIndex, restoredLogs };
  if (added.name && opts.autoCompact !== false && settings.autoCompaction) result.compacted = autoCompactAfterCommit(info, settings, [to.dir]);
  return result;
}

function* namesBelow(stack: LoadedStack, prefix: string): Generator<string> {
  for (const s of stack.merged.refsWithPrefix(utf8(prefix))) yield text(s.record.name);
}

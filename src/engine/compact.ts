/**
 * Compaction (reftable-format.md §7.4): merging a run of tables into one, and git's geometric
 * choice of which run to merge. Pure: the store does the locking and the renaming.
 */
import { DEFAULT_GEOMETRIC_FACTOR, HashFormat, LogValueType, RefValueType, footerLength, headerLength } from './format.js';
import { logKey } from './record.js';
import { mergeByKey } from './merged.js';
import { Table } from './table.js';
import { TableWriter } from './writer.js';
import { ErrorCode, ReftableError } from './errors.js';

export interface CompactOptions {
  hash: HashFormat;
  blockSize?: number;
  restartInterval?: number;
  indexObjects?: boolean;
  /**
   * Omit ref and log tombstones. Git does so only when the run starts at the oldest table of
   * the stack (nothing older can hold what they hide).
   */
  dropDeletions: boolean;
}

/**
 * Merge `tables` (oldest first) into one table with limits (first.min, last.max). The newest
 * record wins for every key, tombstones included; logs pass through the writer's message
 * cleaning, as in git. Undefined when the result is empty.
 */
export function compactTables(tables: Table[], opts: CompactOptions): Uint8Array | undefined {
  if (tables.length === 0) return undefined;
  for (const t of tables) {
    if (t.hash.id !== opts.hash.id) {
      throw new ReftableError(ErrorCode.Format, `table uses ${t.hash.name} but the stack uses ${opts.hash.name}`, { file: t.name });
    }
  }
  const w = new TableWriter({
    hash: opts.hash,
    blockSize: opts.blockSize,
    restartInterval: opts.restartInterval,
    indexObjects: opts.indexObjects,
    minUpdateIndex: tables[0].minUpdateIndex,
    maxUpdateIndex: tables[tables.length - 1].maxUpdateIndex,
  });
  for (const { record } of mergeByKey(tables.map((t) => t.refs()), (r) => r.name)) {
    if (opts.dropDeletions && record.valueType === RefValueType.Deletion) continue;
    w.addRef(record);
  }
  for (const { record } of mergeByKey(tables.map((t) => t.logs()), (r) => logKey(r.name, r.updateIndex))) {
    if (opts.dropDeletions && record.valueType === LogValueType.Deletion) continue;
    w.addLog(record);
  }
  return w.finish();
}

/**
 * The size git's auto-compaction weighs a table by: its file size minus the footer and all but
 * one header byte, using the repository's hash (not the table's own version).
 */
export function compactionSize(fileSize: number, hash: HashFormat): number {
  return fileSize - footerLength(hash.version) - (headerLength(hash.version) - 1);
}

/**
 * Git's geometric segment choice: the inclusive run of tables (0 = oldest) whose merge restores
 * "each table at least `factor` times the size of the next newer one", or undefined.
 */
export function suggestCompaction(sizes: number[], factor = DEFAULT_GEOMETRIC_FACTOR): { start: number; end: number } | undefined {
  const n = sizes.length;
  if (n <= 1) return undefined;
  const f = factor > 0 ? factor : DEFAULT_GEOMETRIC_FACTOR;
  // The newest table that is too big for its predecessor ends the run; newer ones already fit.
  let i = n - 1;
  let end = -1;
  let bytes = 0;
  for (; i > 0; i--) {
    if (sizes[i - 1] < sizes[i] * f) {
      end = i;
      bytes = sizes[i];
      break;
    }
  }
  if (end < 0) return undefined;
  // Walk on to the oldest table: any older table smaller than `factor` times everything merged
  // after it must join too, even past a table that was big enough.
  let start = end;
  for (; i > 0; i--) {
    const cur = bytes;
    bytes += sizes[i - 1];
    if (sizes[i - 1] < cur * f) start = i - 1;
  }
  return start < end ? { start, end } : undefined;
}

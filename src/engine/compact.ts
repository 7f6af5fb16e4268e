/**
 * Compaction (reftable-format.md §7.4): merging a run of tables into one, and git's geometric
 * choice of which run to merge. Pure: the store does the locking and the renaming.
 */
import { DEFAULT_GEOMETRIC_FACTOR, HashFormat, LogValueType, RefValueType, footerLength, headerLength } from './format.js';
import { logKeyNameLength } from './record.js';
import type { LogRecord, RefRecord, StoredLog } from './record.js';
import { MergedRefCursor } from './ref-cursor.js';
import { Table } from './table.js';
import { TableWriter } from './writer.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import type { Block } from './block.js';
import { LoserTree } from './loser-tree.js';
import { bytesEqual, compareBytes, compareBytesN } from './bytes.js';

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
 * Records of a table that was never written, newer than every table merged with them: refs in
 * name order, logs in key order (as the writer wants them), with their update index limits.
 */
export interface PendingRecords {
  refs: Iterable<RefRecord>;
  logs: Iterable<LogRecord>;
  minUpdateIndex: number;
  maxUpdateIndex: number;
}

/**
 * Merge `tables` (oldest first), and optionally `newest` on top of them, into one table with
 * limits (first.min, last.max). The newest record wins for every key, tombstones included;
 * logs pass through the writer's message cleaning, as in git. Undefined when the result is
 * empty.
 */
export function compactTables(tables: Table[], opts: CompactOptions, newest?: PendingRecords): Uint8Array | undefined {
  if (tables.length === 0 && !newest) return undefined;
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
    minUpdateIndex: tables.length ? tables[0].minUpdateIndex : newest!.minUpdateIndex,
    maxUpdateIndex: newest ? newest.maxUpdateIndex : tables[tables.length - 1].maxUpdateIndex,
  });
  // Tombstones are merged too: a newer deletion must still hide an older table's value.
  const refs = new MergedRefCursor(tables, true);
  refs.seek();
  const top = (newest?.refs ?? [])[Symbol.iterator]();
  let t = top.next();
  let more = refs.next();
  while (more || !t.done) {
    let r: RefRecord;
    const c = !more ? 1 : !t.done ? refs.current!.compareWith(t.value.name) : -1;
    if (c >= 0) {
      r = t.value as RefRecord;
      t = top.next();
      // The pending record shadows an older table's record of the same name.
      if (c === 0) more = refs.next();
    } else {
      r = refs.current!.record();
      more = refs.next();
    }
    if (opts.dropDeletions && r.valueType === RefValueType.Deletion) continue;
    w.addRef(r);
  }
  const logs = new LogMerge(tables);
  const topLogs = (newest?.logs ?? [])[Symbol.iterator]();
  let tl = topLogs.next();
  let older = logs.next();
  while (older !== undefined || !tl.done) {
    const c = older === undefined ? 1 : !tl.done ? compareStoredWithPending(older, tl.value) : -1;
    if (c >= 0) {
      const r = tl.value as LogRecord;
      tl = topLogs.next();
      if (c === 0) older = logs.next();
      if (opts.dropDeletions && r.valueType === LogValueType.Deletion) continue;
      w.addLog(r);
    } else {
      // Added before the merge moves on: its value is a view into a recycled block buffer.
      const r = older!;
      if (!(opts.dropDeletions && r.valueType === LogValueType.Deletion)) {
        // Stored values are copied as they are unless the writer's message cleaning would change them.
        if (r.clean) w.addStoredLog(r);
        else w.addLog((r.source as Block).decodeAt(r.at, r.prevKey).record as LogRecord);
      }
      older = logs.next();
    }
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

/**
 * A stored log record against a pending one in log order: name bytes, then newer update index
 * first. That is the byte order of their keys for any name without a NUL byte (git's ref
 * names have none); stored records of two tables compare their keys directly.
 */
function compareStoredWithPending(a: StoredLog, b: Pick<LogRecord, 'name' | 'updateIndex'>): number {
  const c = compareBytesN(a.key, logKeyNameLength(a.key), b.name, b.name.length);
  return c !== 0 ? c : b.updateIndex - a.updateIndex;
}

/**
 * One table's log records in order, block by block, as stored: values are not decoded, so
 * compaction copies them without building an object per field.
 */
class LogReader {
  private block: Block | undefined;
  private pos = 0;
  private prev: Uint8Array = new Uint8Array(0);
  /**
   * Two buffers the table's log blocks inflate into in turn. A record's value is a view into
   * its block, and the merge hands out a record after its stream has moved on by one record
   * (so by at most one block); the caller copies it before asking for the next one.
   */
  private readonly bufs: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];
  private turn = 0;
  private readonly logData = (length: number): Uint8Array => {
    this.turn ^= 1;
    let buf = this.bufs[this.turn];
    if (buf.length < length) this.bufs[this.turn] = buf = new Uint8Array(Math.max(length, 2 * buf.length));
    return buf.subarray(0, length);
  };

  constructor(private readonly table: Table) {
    this.enter(table.firstBlock('log'));
  }

  next(): StoredLog | undefined {
    let b = this.block;
    if (!b) return undefined;
    while (this.pos >= b.restartsStart) {
      b = this.table.nextBlock(b, this.logData);
      this.enter(b);
      if (!b) return undefined;
    }
    const at = this.pos;
    const prevKey = this.prev;
    const r = b.storedLogAt(at, prevKey);
    if (r.next <= at) throw formatError('record does not advance', b.abs(at)).inFile(this.table.name);
    this.pos = r.next;
    this.prev = r.key;
    return r;
  }

  private enter(b: Block | undefined): void {
    this.block = b;
    if (!b) return;
    this.pos = b.recordsStart;
    this.prev = new Uint8Array(0);
  }
}

/**
 * Newest-wins merge of the tables' log sections (oldest first) as a loser tree: one comparison
 * per level when the winner advances, records compared in place.
 */
class LogMerge {
  private readonly its: LogReader[];
  private readonly cur: (StoredLog | undefined)[];
  private readonly tournament: LoserTree;
  private last: StoredLog | undefined;

  constructor(tables: readonly Table[]) {
    this.its = tables.map((t) => new LogReader(t));
    this.cur = this.its.map((it) => it.next());
    this.tournament = new LoserTree(tables.length, (a, b) => this.less(a, b));
    this.tournament.rebuild();
  }

  /** The next winning record, or undefined at the end. */
  next(): StoredLog | undefined {
    if (this.cur.length === 0) return undefined;
    for (;;) {
      const w = this.tournament.winner;
      const r = this.cur[w];
      if (r === undefined) return undefined;
      this.advance(w);
      // Older tables' records of the key just taken come out right after it: shadowed.
      // Same key as the record just returned: an older table's copy. Update indexes differ
      // far more often than names, so they are compared first.
      if (this.last !== undefined && this.last.updateIndex === r.updateIndex && bytesEqual(this.last.key, r.key)) continue;
      this.last = r;
      return r;
    }
  }

  private advance(j: number): void {
    this.cur[j] = this.its[j].next();
    this.tournament.replay(j);
  }

  /** Stream a sorts before stream b (the newer table first on equal keys); exhausted ones last. */
  private less(a: number, b: number): boolean {
    const ra = this.cur[a];
    const rb = this.cur[b];
    if (ra === undefined) return false;
    if (rb === undefined) return true;
    const c = compareBytes(ra.key, rb.key);
    return c < 0 || (c === 0 && a > b);
  }
}

/**
 * Compaction (reftable-format.md §7.4): merging a run of tables into one, and git's geometric
 * choice of which run to merge. Pure: the store does the locking and the renaming.
 */
import { DEFAULT_GEOMETRIC_FACTOR, HashFormat, LogValueType, RefValueType, footerLength, headerLength } from './format.js';
import type { LogRecord, RefRecord } from './record.js';
import { StoredLogCursor } from './record.js';
import { MergedRefCursor } from './ref-cursor.js';
import { Table } from './table.js';
import { TableWriter } from './writer.js';
import type { OutputSink } from './paged-output.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import type { Block } from './block.js';
import { OvcLoserTree } from './loser-tree.js';
import { HeldKey, commonPrefixLengthN, compareBytesN } from './bytes.js';

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
 * Each record is used up before the next one is asked for, so a producer may hand out one
 * record object (and its arrays) over and over, changed in place.
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
  const w = mergeInto(tables, opts, newest);
  return w.finish();
}

/**
 * compactTables handing the table to `sink` as it is written (in order, in chunks valid only
 * during the call) rather than returning it: the table's size, 0 when the result is empty
 * (then `sink` got nothing).
 */
export function compactTablesTo(tables: Table[], opts: CompactOptions, sink: OutputSink, newest?: PendingRecords): number {
  if (tables.length === 0 && !newest) return 0;
  return mergeInto(tables, opts, newest, sink).end();
}

/** Every record of the merge added to a new writer, left unfinished. */
function mergeInto(tables: Table[], opts: CompactOptions, newest?: PendingRecords, sink?: OutputSink): TableWriter {
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
    sink,
  });
  // Tombstones are merged too: a newer deletion must still hide an older table's value.
  const refs = new MergedRefCursor(tables, true);
  refs.seek();
  const top = (newest?.refs ?? [])[Symbol.iterator]();
  let t = top.next();
  let more = refs.next();
  while (more || !t.done) {
    const c = !more ? 1 : !t.done ? refs.current!.compareWith(t.value.name) : -1;
    if (c >= 0) {
      const r = t.value as RefRecord;
      // The pending record shadows an older table's record of the same name.
      if (c === 0) more = refs.next();
      if (!(opts.dropDeletions && r.valueType === RefValueType.Deletion)) w.addRef(r);
      // Only now: the producer may reuse r for its next record.
      t = top.next();
    } else {
      // Copied from the cursor's buffers before it moves on: no record object per ref.
      const cur = refs.current!;
      if (!(opts.dropDeletions && cur.valueType === RefValueType.Deletion)) {
        try {
          w.addStoredRef(cur);
        } catch (e) {
          corruptSource(e, cur.table.name, cur.blockOffset, 'ref');
        }
      }
      more = refs.next();
    }
  }
  const logs = new LogMerge(tables);
  const topLogs = (newest?.logs ?? [])[Symbol.iterator]();
  let tl = topLogs.next();
  let older = logs.current();
  while (older !== undefined || !tl.done) {
    const c = older === undefined ? 1 : !tl.done ? compareStoredWithPending(older, tl.value) : -1;
    if (c >= 0) {
      const r = tl.value as LogRecord;
      if (c === 0) older = logs.advance();
      if (!(opts.dropDeletions && r.valueType === LogValueType.Deletion)) w.addLog(r);
      tl = topLogs.next();
    } else {
      // Written before the merge moves on: the record lives in the reader's buffers.
      const r = older!;
      if (!(opts.dropDeletions && r.valueType === LogValueType.Deletion)) {
        // Stored values are copied as they are unless the writer's message cleaning would change them.
        try {
          if (r.clean) w.addStoredLog(r, r.block!.data);
          else w.addLog(r.block!.storedLogRecord(r));
        } catch (e) {
          corruptSource(e, r.table.name, r.block!.offset, 'log');
        }
      }
      older = logs.advance();
    }
  }
  return w;
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
 * The writer's objection to a record copied from a table (out of order, update index outside
 * the table's own limits) is a defect of that table: say which table, and where.
 */
function corruptSource(e: unknown, table: string, blockOffset: number, kind: 'ref' | 'log'): never {
  if (e instanceof ReftableError && e.code === ErrorCode.Api) {
    throw new ReftableError(ErrorCode.Format, `${kind} record in the block at ${blockOffset} cannot be copied: ${e.reason}`, {
      file: table, offset: blockOffset, cause: e,
    });
  }
  throw e;
}

/**
 * A stored log record against a pending one in log order: name bytes, then newer update index
 * first. That is the byte order of their keys for any name without a NUL byte (git's ref
 * names have none); stored records of two tables compare their keys directly.
 */
function compareStoredWithPending(a: LogReader, b: Pick<LogRecord, 'name' | 'updateIndex'>): number {
  const c = compareBytesN(a.key, a.keyLen - 9, b.name, b.name.length);
  return c !== 0 ? c : b.updateIndex - a.updateIndex;
}

/**
 * One table's log records in order, block by block, each decoded in place (the reader is its
 * own cursor): values are not decoded, so compaction copies them without building an object
 * per field or per record.
 */
class LogReader extends StoredLogCursor {
  /** The block of the current record; undefined once the section is exhausted. */
  block: Block | undefined;
  /**
   * The one buffer the table's log blocks inflate into (fresh arrays per block were a tenth
   * of a compaction, mostly first touches of new memory). One is enough: the current record
   * is written, and its key copied where it is still needed, before the reader moves on.
   */
  private buf = new Uint8Array(0);
  private readonly logData = (length: number): Uint8Array => {
    if (this.buf.length < length) this.buf = new Uint8Array(Math.max(length, 2 * this.buf.length));
    return this.buf.subarray(0, length);
  };

  constructor(readonly table: Table) {
    super();
    this.enter(table.firstBlock('log'));
    this.next = this.block?.recordsStart ?? 0;
  }

  /** Decode the next record; false (and no block) at the end of the section. */
  advance(): boolean {
    let b = this.block;
    if (!b) return false;
    while (this.next >= b.restartsStart) {
      b = this.table.nextBlock(b, this.logData);
      this.enter(b);
      if (!b) return false;
      this.next = b.recordsStart;
    }
    const at = this.next;
    b.storedLogAt(this, at);
    if (this.next <= at) throw formatError('record does not advance', b.abs(at)).inFile(this.table.name);
    return true;
  }

  private enter(b: Block | undefined): void {
    this.block = b;
    this.restart();
  }
}

/**
 * Newest-wins merge of the tables' log sections (oldest first) as a loser tree: one comparison
 * per level when the winner advances, keys compared in the readers' buffers.
 */
class LogMerge {
  private readonly its: LogReader[];
  private readonly tournament: OvcLoserTree;
  /** The key of the record handed out last (a copy: its reader has moved on since). */
  private readonly last = new HeldKey();
  private lastUpdateIndex = 0;

  constructor(tables: readonly Table[]) {
    this.its = tables.map((t) => new LogReader(t));
    for (const it of this.its) it.advance();
    this.tournament = new OvcLoserTree(tables.length, {
      live: (j) => this.its[j].block !== undefined,
      key: (j) => this.its[j].key,
      keyLen: (j) => this.its[j].keyLen,
    });
    this.tournament.rebuild();
  }

  /** The reader holding the next record, or undefined at the end. Valid until advance(). */
  current(): LogReader | undefined {
    if (this.its.length === 0) return undefined;
    const r = this.its[this.tournament.winner];
    return r.block ? r : undefined;
  }

  /**
   * Move past the current record and past older tables' copies of its key (they come out
   * right after it, shadowed); returns the new current reader.
   */
  advance(): LogReader | undefined {
    const r = this.current();
    if (!r) return undefined;
    this.last.set(r.key, r.keyLen);
    this.lastUpdateIndex = r.updateIndex;
    this.step(this.tournament.winner);
    for (;;) {
      const n = this.current();
      // Update indexes differ far more often than names, so they are compared first.
      if (!n || n.updateIndex !== this.lastUpdateIndex || !this.last.equals(n.key, n.keyLen)) return n;
      this.step(this.tournament.winner);
    }
  }

  /** Move stream j (whose key is the last one handed out) on, and replay it. */
  private step(j: number): void {
    const r = this.its[j];
    // The tree codes the new head against the key it replaces: the last one handed out.
    this.tournament.replay(j, r.advance() ? commonPrefixLengthN(r.key, r.keyLen, this.last.bytes, this.last.length) : 0);
  }
}

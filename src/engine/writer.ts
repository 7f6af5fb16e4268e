/**
 * Table writer (reftable-format.md §6; git's reftable/writer.c behaviour, byte for byte):
 * limits first, then refs in name order, then logs in key order; sections are closed with
 * multi-level indexes while a level has more than three blocks, the obj section follows a ref
 * section that needed an index, and padding is written lazily so it never precedes the log
 * section or the footer.
 */
import { ByteWriter, HeldKey, crc32, writeU24, writeU32, writeU64 } from './bytes.js';
import { BlockWriter } from './block.js';
import { ErrorCode, ReftableError } from './errors.js';
import {
  BlockType, DEFAULT_BLOCK_SIZE, DEFAULT_RESTART_INTERVAL, HashFormat, INDEX_THRESHOLD, LogValueType, MAGIC,
  MAX_BLOCK_SIZE, MAX_RESTARTS, RefValueType, footerLength, headerLength,
} from './format.js';
import { ObjectIndex } from './obj-index.js';
import { OutputSink, PagedOutput } from './paged-output.js';
import { AnyRecord, IndexRecord, LogRecord, ObjRecord, RefRecord, StoredLogCursor, encodeValue, isCleanLogMessage, logKeyInto, recordExtra } from './record.js';

/**
 * A ref record as another table stores it, in buffers the caller reuses (compaction's cursors,
 * TableRefCursor): key[0, keyLen); the object id(s) or symref target at data[valuePos…).
 */
export interface StoredRef {
  readonly key: Uint8Array;
  readonly keyLen: number;
  readonly valueType: number;
  readonly updateIndex: number;
  readonly data: Uint8Array;
  readonly valuePos: number;
  readonly targetLen: number;
}

export interface WriterOptions {
  hash: HashFormat;
  /** Default 4096; 0 means the default (git's `reftable.blockSize`). */
  blockSize?: number;
  /** Default 16; 0 means the default (git's `reftable.restartInterval`). */
  restartInterval?: number;
  /** Default true (git's `reftable.indexObjects`). */
  indexObjects?: boolean;
  minUpdateIndex: number;
  maxUpdateIndex: number;
  /**
   * Hand the table's bytes to this function as they are produced (in order, in chunks valid
   * only during the call) instead of keeping them; finish with end() instead of finish().
   */
  sink?: OutputSink;
}

export interface AddLogOptions {
  /**
   * Store the message verbatim instead of git's cleaning (strip trailing LFs, refuse an inner
   * LF, append one LF). Git writes existence markers this way: their message is absent, so it
   * is stored with length 0.
   */
  exactMessage?: boolean;
}

const LF = 0x0a;
const EMPTY = new Uint8Array(0);

function apiError(reason: string, data?: Record<string, unknown>): ReftableError {
  return new ReftableError(ErrorCode.Api, reason, { data });
}

function checkUpdateIndex(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw apiError(`${what} ${v} is not a non-negative integer below 2^53`);
}

/** §4.4: what git's writer does to a reflog message unless asked to keep it exact. */
export function cleanLogMessage(message: Uint8Array): Uint8Array {
  // Most messages already are one LF-terminated line: keep them as they are.
  if (isCleanLogMessage(message, 0, message.length)) return message;
  let end = message.length;
  while (end > 0 && message[end - 1] === LF) end--;
  for (let i = 0; i < end; i++) {
    if (message[i] === LF) throw apiError('reflog message spans several lines');
  }
  const out = new Uint8Array(end + 1);
  out.set(message.subarray(0, end));
  out[end] = LF;
  return out;
}

interface SectionStats {
  blocks: number;
  /** Offset of the first block (0 when the section starts the file or has no block). */
  offset: number;
  indexOffset: number;
  indexBlocks: number;
}

function emptyStats(): SectionStats {
  return { blocks: 0, offset: 0, indexOffset: 0, indexBlocks: 0 };
}

type Phase = 'ref' | 'log' | 'closed';

export class TableWriter {
  private readonly hash: HashFormat;
  private readonly blockSize: number;
  private readonly restartInterval: number;
  private readonly indexObjects: boolean;
  private readonly minUpdateIndex: number;
  private readonly maxUpdateIndex: number;
  private readonly sink: OutputSink | undefined;
  private readonly version: 1 | 2;
  private readonly headerLen: number;

  private readonly out: PagedOutput;
  /** Offset where the next block starts, pending padding included. */
  private next = 0;
  /** Zeros owed after the last block; only written if another non-log block follows. */
  private pendingPadding = 0;
  /** The one block builder, reused for every block; `blockOpen` says whether one is started. */
  private readonly block: BlockWriter;
  private blockOpen = false;
  private blockType: BlockType = BlockType.Ref;
  /** One entry per flushed block of the section (or index level) being written. */
  private index: IndexRecord[] = [];
  private phase: Phase = 'ref';
  private readonly stats: Record<'ref' | 'obj' | 'log', SectionStats> = { ref: emptyStats(), obj: emptyStats(), log: emptyStats() };
  private objIdLength = 0;
  /** Which ref blocks name which object ids; dropped once the obj section is written. */
  private objects: ObjectIndex | undefined;
  /** Value bytes of the record being added, encoded once even when it moves to a new block. */
  private readonly value = new ByteWriter(256);
  /** The key of the log record being added (addLog). */
  private readonly logKey = new HeldKey();

  constructor(opts: WriterOptions) {
    const bs = opts.blockSize ?? 0;
    if (!Number.isSafeInteger(bs) || bs < 0) throw apiError(`block size ${bs} is not a non-negative integer`);
    if (bs > MAX_BLOCK_SIZE) throw apiError(`block size ${bs} exceeds the maximum of ${MAX_BLOCK_SIZE}`);
    const ri = opts.restartInterval ?? 0;
    if (!Number.isSafeInteger(ri) || ri < 0 || ri > MAX_RESTARTS) throw apiError(`restart interval ${ri} is outside 1..${MAX_RESTARTS}`);
    checkUpdateIndex(opts.minUpdateIndex, 'minimum update index');
    checkUpdateIndex(opts.maxUpdateIndex, 'maximum update index');
    this.hash = opts.hash;
    this.blockSize = bs === 0 ? DEFAULT_BLOCK_SIZE : bs;
    this.restartInterval = ri === 0 ? DEFAULT_RESTART_INTERVAL : ri;
    this.indexObjects = opts.indexObjects ?? true;
    this.minUpdateIndex = opts.minUpdateIndex;
    this.maxUpdateIndex = opts.maxUpdateIndex;
    this.sink = opts.sink;
    // §2.2: git writes v1 exactly for SHA-1.
    this.version = opts.hash.version;
    this.headerLen = headerLength(this.version);
    this.out = new PagedOutput(undefined, opts.sink);
    if (this.indexObjects) this.objects = new ObjectIndex(opts.hash.size);
    this.block = new BlockWriter({
      blockSize: this.blockSize, restartInterval: this.restartInterval, minUpdateIndex: this.minUpdateIndex, hashSize: this.hash.size,
    });
  }

  addRef(r: RefRecord): void {
    this.checkRefStart(r.name.length, r.updateIndex);
    this.checkRef(r);
    this.addRecord(r, r.name, BlockType.Ref);
    // Recorded after the add so the offset is that of the block the ref landed in.
    if (this.objects) {
      if (r.valueType === RefValueType.Val1 || r.valueType === RefValueType.Val2) this.objects.add(r.value!, this.next);
      if (r.valueType === RefValueType.Val2) this.objects.add(r.peeled!, this.next);
    }
  }

  /**
   * Copy the ref record `c` is positioned on, as another table stores it (compaction): key and
   * value bytes are taken from `c`'s buffers, the update index re-encoded against this
   * table's minimum. Nothing of `c` is kept; no record object is made.
   */
  addStoredRef(c: StoredRef): void {
    this.checkRefStart(c.keyLen, c.updateIndex);
    const type = c.valueType;
    const h = this.hash.size;
    const v = this.value;
    v.length = 0;
    v.varint(c.updateIndex - this.minUpdateIndex);
    if (type === RefValueType.Val1) v.copy(c.data, c.valuePos, c.valuePos + h);
    else if (type === RefValueType.Val2) v.copy(c.data, c.valuePos, c.valuePos + 2 * h);
    else if (type === RefValueType.Symref) {
      v.varint(c.targetLen);
      v.copy(c.data, c.valuePos, c.valuePos + c.targetLen);
    } else if (type !== RefValueType.Deletion) throw apiError(`unknown ref value type ${String(type)}`);
    this.addParts(c.key, c.keyLen, type, v.raw(), 0, v.length, BlockType.Ref, 'ref');
    // Recorded after the add so the offset is that of the block the ref landed in.
    if (this.objects && (type === RefValueType.Val1 || type === RefValueType.Val2)) {
      this.objects.addFrom(c.data, c.valuePos, this.next);
      if (type === RefValueType.Val2) this.objects.addFrom(c.data, c.valuePos + h, this.next);
    }
  }

  addLog(r: LogRecord, opts?: AddLogOptions): void {
    if (this.phase === 'closed') throw apiError('writer is closed');
    if (r.name.length === 0) throw apiError('log ref name is empty');
    checkUpdateIndex(r.updateIndex, 'log update index');
    let rec = r;
    if (r.valueType === LogValueType.Update) {
      this.checkLog(r);
      const message = opts?.exactMessage ? r.message : cleanLogMessage(r.message);
      if (message !== r.message) rec = { ...r, message };
    } else if (r.valueType !== LogValueType.Deletion) {
      throw apiError(`unknown log value type ${String(r.valueType)}`);
    }
    // The key is built in a buffer kept for it: the block copies what it keeps.
    const keyLen = r.name.length + 9;
    const key = this.logKey.room(keyLen);
    logKeyInto(key, r.name, r.updateIndex);
    this.enterLogSection();
    this.addRecord(rec, key, BlockType.Log, keyLen);
  }

  /**
   * Copy the log record `c` last decoded from `data` as it is stored (compaction). Only for
   * records the writer would store unchanged (`clean`); others go through addLog and its
   * cleaning. Nothing of `c` or `data` is kept.
   */
  addStoredLog(c: StoredLogCursor, data: Uint8Array): void {
    if (this.phase === 'closed') throw apiError('writer is closed');
    if (!c.clean) throw apiError('a stored log record with an unclean message must be added with addLog');
    checkUpdateIndex(c.updateIndex, 'log update index');
    this.enterLogSection();
    this.addParts(c.key, c.keyLen, c.valueType, data, c.valueStart, c.next, BlockType.Log, 'log');
  }

  /** Close the ref section on the first log (the block writer checks the log's key order). */
  private enterLogSection(): void {
    if (this.phase === 'ref') {
      this.finishPublicSection();
      this.phase = 'log';
    }
    // §6.5: the log section starts right after the last byte written, never padded to it.
    this.next -= this.pendingPadding;
    this.pendingPadding = 0;
  }

  /** The table bytes, or undefined when nothing was added (git never adds an empty table). */
  finish(): Uint8Array | undefined {
    if (this.sink) throw apiError('this writer hands its bytes to a sink: finish it with end()');
    return this.close() ? this.out.toBytes() : undefined;
  }

  /**
   * Finish a writer made with a sink: the rest of the table goes to it. The table's size; 0
   * when nothing was added, and then the sink never received anything.
   */
  end(): number {
    if (!this.sink) throw apiError('this writer has no sink: finish it with finish()');
    return this.close() ? this.out.end() : 0;
  }

  /** Close the sections and append the footer; false when nothing was added. */
  private close(): boolean {
    if (this.phase === 'closed') throw apiError('writer is closed');
    this.finishPublicSection();
    this.phase = 'closed';
    this.pendingPadding = 0;
    if (this.next === 0) return false;

    const fl = footerLength(this.version);
    const footer = new Uint8Array(fl);
    this.writeHeader(footer);
    let p = this.headerLen;
    writeU64(footer, p, this.stats.ref.indexOffset);
    // (obj_position << 5) | obj_id_len, without 32-bit shifts.
    writeU64(footer, p + 8, this.stats.obj.offset * 32 + this.objIdLength);
    writeU64(footer, p + 16, this.stats.obj.indexOffset);
    writeU64(footer, p + 24, this.stats.log.offset);
    writeU64(footer, p + 32, this.stats.log.indexOffset);
    p += 40;
    writeU32(footer, p, crc32(footer, 0, p));
    this.out.bytes(footer);
    return true;
  }

  // ---- validation ------------------------------------------------------------------------

  private checkId(id: Uint8Array | undefined, what: string): void {
    if (!id || id.length !== this.hash.size) throw apiError(`${what} must be ${this.hash.size} bytes`);
  }

  /** What every added ref must satisfy before its value is looked at. */
  private checkRefStart(nameLength: number, updateIndex: number): void {
    if (this.phase !== 'ref') throw apiError(this.phase === 'log' ? 'refs must be added before logs' : 'writer is closed');
    if (nameLength === 0) throw apiError('ref name is empty');
    checkUpdateIndex(updateIndex, 'ref update index');
    if (updateIndex < this.minUpdateIndex || updateIndex > this.maxUpdateIndex) {
      throw apiError(`ref update index ${updateIndex} is outside the table limits [${this.minUpdateIndex}, ${this.maxUpdateIndex}]`,
        { updateIndex });
    }
  }

  private checkRef(r: RefRecord): void {
    switch (r.valueType) {
      case RefValueType.Deletion:
        return;
      case RefValueType.Val1:
        this.checkId(r.value, 'ref value');
        return;
      case RefValueType.Val2:
        this.checkId(r.value, 'ref value');
        this.checkId(r.peeled, 'peeled ref value');
        return;
      case RefValueType.Symref:
        if (!r.target) throw apiError('symref has no target');
        return;
      default:
        throw apiError(`unknown ref value type ${String(r.valueType)}`);
    }
  }

  private checkLog(r: LogRecord): void {
    this.checkId(r.old, 'log old id');
    this.checkId(r.new, 'log new id');
    if (!Number.isSafeInteger(r.time) || r.time < 0) throw apiError(`log time ${r.time} is not a non-negative integer`);
    if (!Number.isInteger(r.tz) || r.tz < -0x8000 || r.tz > 0x7fff) throw apiError(`time zone ${r.tz} does not fit in 16 bits`);
  }

  // ---- blocks ----------------------------------------------------------------------------

  private newBlock(type: BlockType): BlockWriter {
    this.blockType = type;
    this.blockOpen = true;
    this.block.reset(type, this.next === 0 ? this.headerLen : 0);
    return this.block;
  }

  /** Encode `r` once and add it under key[0, keyLen) (see addParts). */
  private addRecord(r: AnyRecord, key: Uint8Array, type: BlockType, keyLen = key.length): void {
    this.value.length = 0;
    encodeValue(this.value, r, this.minUpdateIndex, this.hash.size);
    this.addParts(key, keyLen, recordExtra(r), this.value.raw(), 0, this.value.length, type, r.kind);
  }

  /**
   * Add key[0, keyLen) with the value data[valueStart, valueEnd) to the open block; on
   * overflow flush, start a fresh block and try once more.
   */
  private addParts(
    key: Uint8Array, keyLen: number, extra: number, data: Uint8Array, valueStart: number, valueEnd: number, type: BlockType, kind: AnyRecord['kind'],
  ): void {
    const b = this.blockOpen && this.blockType === type ? this.block : this.newBlock(type);
    if (b.addParts(key, keyLen, extra, data, valueStart, valueEnd)) return;
    this.flushBlock();
    if (this.newBlock(type).addParts(key, keyLen, extra, data, valueStart, valueEnd)) return;
    throw new ReftableError(ErrorCode.EntryTooBig, `record does not fit in a block of ${this.blockSize} bytes`, {
      data: { blockSize: this.blockSize, kind },
    });
  }

  private flushBlock(): void {
    if (!this.blockOpen) return;
    this.blockOpen = false;
    const b = this.block;
    if (b.count === 0) return;
    const type = this.blockType;
    const { bytes } = b.finish();
    const padding = type === BlockType.Log ? 0 : this.blockSize - bytes.length;
    const section = type === BlockType.Ref ? 'ref' : type === BlockType.Obj ? 'obj' : type === BlockType.Log ? 'log' : undefined;
    if (section) {
      const s = this.stats[section];
      if (s.blocks === 0 && this.next > 0) s.offset = this.next;
      s.blocks++;
    }
    if (this.next === 0) this.writeHeader(bytes);
    if (this.pendingPadding > 0) this.out.zeros(this.pendingPadding);
    this.pendingPadding = padding;
    // Copied out now: the block builder's buffer is reused for the next block.
    this.out.bytes(bytes);
    this.index.push({ kind: 'index', lastKey: b.lastKey, position: this.next });
    this.next += padding + bytes.length;
  }

  private writeHeader(dst: Uint8Array): void {
    for (let i = 0; i < 4; i++) dst[i] = MAGIC[i];
    dst[4] = this.version;
    writeU24(dst, 5, this.blockSize);
    writeU64(dst, 8, this.minUpdateIndex);
    writeU64(dst, 16, this.maxUpdateIndex);
    if (this.version === 2) writeU32(dst, 24, this.hash.id);
  }

  // ---- sections --------------------------------------------------------------------------

  /** §6.3: flush, then index levels while a level has more than three blocks. */
  private finishSection(section: 'ref' | 'obj' | 'log'): void {
    this.flushBlock();
    let indexStart = 0;
    let indexBlocks = 0;
    while (this.index.length > INDEX_THRESHOLD) {
      indexStart = this.next;
      const level = this.index;
      this.index = [];
      this.block.startKeySequence();
      this.newBlock(BlockType.Index);
      for (const rec of level) {
        this.addRecord(rec, rec.lastKey, BlockType.Index);
      }
      this.flushBlock();
      indexBlocks += this.index.length;
    }
    this.index = [];
    this.stats[section].indexOffset = indexStart;
    this.stats[section].indexBlocks = indexBlocks;
    this.block.startKeySequence();
  }

  /** Close the ref section (and write the obj section it calls for) or the log section. */
  private finishPublicSection(): void {
    if (this.phase === 'log') {
      this.finishSection('log');
      return;
    }
    if (this.phase !== 'ref') return;
    this.finishSection('ref');
    const objects = this.objects;
    this.objects = undefined;
    if (objects && this.stats.ref.indexBlocks > 0) this.writeObjSection(objects);
  }

  /** §6.4. */
  private writeObjSection(objects: ObjectIndex): void {
    // obj_id_len = 1 + the longest prefix two neighbours share, but at least 2.
    this.objIdLength = Math.max(1, objects.longestSharedPrefix()) + 1;
    this.newBlock(BlockType.Obj);
    for (const e of objects.entries()) {
      const rec: ObjRecord = { kind: 'obj', prefix: e.id.subarray(0, this.objIdLength), positions: e.offsets };
      if (this.block.add(rec, rec.prefix)) continue;
      this.flushBlock();
      const fresh = this.newBlock(BlockType.Obj);
      if (fresh.add(rec, rec.prefix)) continue;
      // Too many positions even for an empty block: "count 0" sends readers to a scan.
      if (!fresh.add({ ...rec, positions: [] }, rec.prefix)) {
        throw new ReftableError(ErrorCode.EntryTooBig, `obj record does not fit in a block of ${this.blockSize} bytes`);
      }
    }
    this.finishSection('obj');
  }
}

/** Write a whole table; undefined when there is nothing to write. */
export function writeTable(opts: WriterOptions, refs: Iterable<RefRecord>, logs: Iterable<LogRecord>): Uint8Array | undefined {
  const w = new TableWriter(opts);
  for (const r of refs) w.addRef(r);
  for (const l of logs) w.addLog(l);
  return w.finish();
}

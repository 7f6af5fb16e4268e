/**
 * Blocks (reftable.adoc § Block format, § Restart points, § Log block format):
 * reading a block out of a table (inflating log blocks), iterating and seeking its records,
 * and building one block with git's exact restart and fit rules.
 */
import {
  ByteWriter, HeldKey, commonPrefixLengthN, compareBytes, readU16, readU24, toHex, varintLength, writeU16, writeU24, writeVarint,
} from './bytes.js';
import { deflateLevel9 } from './deflate.js';
import { inflateInto } from './inflate.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import { BlockType, MAX_RESTARTS, blockTypeName, isBlockType } from './format.js';
import { AnyRecord, EntryHeader, LogRecord, StoredLogCursor, countRecords, decodeEntryHeader, decodeRecord, encodeValue, recordExtra, recordKey } from './record.js';

/** Random access to a table's bytes. The store backs it with positioned file reads. */
export interface BlockSource {
  readonly size: number;
  /** Bytes [offset, offset+length); may return fewer only at the end of the source. */
  read(offset: number, length: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): BlockSource {
  return { size: bytes.length, read: (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)) };
}

/** What a table tells a block about itself. */
export interface BlockContext {
  headerLength: number;
  blockSize: number;
  /** End of the data area (start of the footer). */
  dataEnd: number;
  minUpdateIndex: number;
  hashSize: number;
  /** File name for errors raised while decoding records (block readers are lazy iterators). */
  file?: string;
}

export class Block {
  /** Restart offsets (relative to the block start), validated on construction. */
  readonly restarts: Uint32Array;

  constructor(
    /** Absolute file offset where the block starts (0 for the first block). */
    readonly offset: number,
    readonly type: BlockType,
    /** Bytes from the block start; for log blocks, inflated. `data.length === blockLen`. */
    readonly data: Uint8Array,
    /** Header bytes before the block's type byte (the file header in the first block). */
    readonly headerOff: number,
    readonly blockLen: number,
    /** Bytes the block occupies on disk, padding included (compressed size for logs). */
    readonly fullSize: number,
    readonly restartsStart: number,
    private readonly ctx: BlockContext,
    /** For log blocks: bytes of the zlib stream on disk. */
    readonly compressedLength?: number,
  ) {
    const count = readU16(data, blockLen - 2);
    const r = new Uint32Array(count);
    const first = headerOff + 4;
    let last = -1;
    for (let i = 0; i < count; i++) {
      const v = readU24(data, restartsStart + 3 * i);
      if (v < first || v >= restartsStart) {
        throw formatError(`restart ${i} points at ${v}, outside the records [${first}, ${restartsStart})`, this.abs(restartsStart + 3 * i));
      }
      if (v <= last) throw formatError(`restart ${i} (${v}) is not after the previous one (${last})`, this.abs(restartsStart + 3 * i));
      last = v;
      r[i] = v;
    }
    this.restarts = r;
  }

  get recordsStart(): number {
    return this.headerOff + 4;
  }
  get restartCount(): number {
    return this.restarts.length;
  }
  get typeName(): string {
    return blockTypeName(this.type);
  }

  /** File offset of a position inside the block (meaningful for uncompressed blocks). */
  abs(pos: number): number {
    return this.type === BlockType.Log ? this.offset + Math.min(pos, this.headerOff + 4) : this.offset + pos;
  }

  private wrap(e: unknown, pos: number): never {
    if (e instanceof ReftableError && this.type !== BlockType.Log) {
      // Record decoders report offsets inside `data`; make them absolute.
      throw new ReftableError(e.code, e.reason, { file: this.ctx.file, offset: this.offset + (e.offset ?? pos), data: e.data, cause: e });
    }
    if (e instanceof ReftableError) {
      throw new ReftableError(e.code, `${e.reason} (at ${e.offset ?? pos} in the inflated log block)`, {
        file: this.ctx.file, offset: this.offset, data: { ...e.data, inflatedOffset: e.offset ?? pos }, cause: e,
      });
    }
    throw e;
  }

  /** How many records the block holds and how many are deletions, without decoding them. */
  count(): { records: number; deletions: number } {
    try {
      return countRecords(this.type, this.data, this.recordsStart, this.restartsStart, this.ctx.hashSize);
    } catch (e) {
      this.wrap(e, this.recordsStart);
    }
  }

  /** Decode the record at `pos` given the previous key. */
  decodeAt(pos: number, prevKey: Uint8Array): { header: EntryHeader; record: AnyRecord; next: number } {
    try {
      return decodeRecord(this.type, this.data, pos, this.restartsStart, prevKey, this.ctx.minUpdateIndex, this.ctx.hashSize);
    } catch (e) {
      this.wrap(e, pos);
    }
  }

  /** Decode the log record at `pos` into `cursor`, as stored (log blocks only). */
  storedLogAt(cursor: StoredLogCursor, pos: number): void {
    try {
      cursor.decode(this.data, pos, this.restartsStart, this.ctx.hashSize);
    } catch (e) {
      this.wrap(e, pos);
    }
  }

  /** The record `cursor` last decoded from this block, in full. */
  storedLogRecord(cursor: StoredLogCursor): LogRecord {
    try {
      return cursor.record(this.data, this.restartsStart, this.ctx.hashSize);
    } catch (e) {
      this.wrap(e, cursor.at);
    }
  }

  /** Key of the record at a restart point (prefix length must be 0 there). */
  restartKey(i: number): Uint8Array {
    const pos = this.restarts[i];
    let h: EntryHeader;
    try {
      h = decodeEntryHeader(this.data, pos, this.restartsStart, EMPTY);
    } catch (e) {
      this.wrap(e, pos);
    }
    if (h.prefixLen !== 0) this.wrap(formatError(`record at restart ${i} shares a prefix with a previous key`, pos), pos);
    return h.key;
  }

  /**
   * seekStart without the trace: the same binary search, comparing each restart key in place
   * (a seek probes several restarts per block; allocating a key per probe dominated lookups).
   */
  scanStart(want: Uint8Array): number {
    const r = this.restarts;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareKeyAt(r[mid], want, mid) > 0) hi = mid;
      else lo = mid + 1;
    }
    return lo === 0 ? this.recordsStart : r[lo - 1];
  }

  /**
   * Compare the key of the record at `pos` — a restart point (index `restart`, -1 for the
   * block's first record), so its key is stored whole — with `want`, without copying it.
   */
  compareKeyAt(pos: number, want: Uint8Array, restart: number): number {
    const d = this.data;
    const end = this.restartsStart;
    let o = pos;
    let prefixLen: number;
    let len: number;
    if (o + 1 < end && d[o] < 0x80 && d[o + 1] < 0x80) {
      prefixLen = d[o];
      len = d[o + 1] >> 3;
      o += 2;
    } else if (o + 2 < end && d[o] < 0x80 && d[o + 1] >= 0x80 && d[o + 2] < 0x80) {
      // Keys of 16 bytes and more: the suffix length takes a second varint byte.
      prefixLen = d[o];
      len = Math.floor((((d[o + 1] & 0x7f) + 1) * 128 + d[o + 2]) / 8);
      o += 3;
    } else {
      // Long keys: the general decoder with all its checks.
      const h = this.headerAt(pos);
      prefixLen = h.prefixLen;
      len = h.suffixLen;
      o = h.suffixStart;
    }
    if (prefixLen !== 0) {
      const what = restart < 0 ? 'first record of the block' : `record at restart ${restart}`;
      this.wrap(formatError(`${what} shares a prefix with a previous key`, pos), pos);
    }
    if (len > end - o) this.wrap(formatError(`key suffix of ${len} bytes runs past the end of the records`, pos), pos);
    if (len === 0) this.wrap(formatError('record has an empty key', pos), pos);
    const n = len < want.length ? len : want.length;
    for (let i = 0; i < n; i++) {
      const c = d[o + i] - want[i];
      if (c !== 0) return c;
    }
    return len - want.length;
  }

  private headerAt(pos: number): EntryHeader {
    try {
      return decodeEntryHeader(this.data, pos, this.restartsStart, EMPTY);
    } catch (e) {
      this.wrap(e, pos);
    }
  }

  firstKey(): Uint8Array {
    return this.decodeAt(this.recordsStart, EMPTY).header.key;
  }

  /** Iterate all records from the start. */
  *records(): Generator<{ header: EntryHeader; record: AnyRecord; next: number }> {
    yield* this.recordsFrom(this.recordsStart);
  }

  /** Iterate records starting at a restart position (or the block start). */
  *recordsFrom(pos: number): Generator<{ header: EntryHeader; record: AnyRecord; next: number }> {
    let prev = EMPTY;
    while (pos < this.restartsStart) {
      const r = this.decodeAt(pos, prev);
      if (r.next <= pos) this.wrap(formatError('record does not advance', pos), pos);
      yield r;
      prev = r.header.key;
      pos = r.next;
    }
  }

  /**
   * Position of the scan start for `want` (§ binary search over restarts): the last restart
   * whose key is <= want, or the first record. Returned with the restart index used.
   */
  seekStart(want: Uint8Array): { pos: number; restart: number; probes: { restart: number; key: Uint8Array; cmp: number }[] } {
    let lo = 0;
    let hi = this.restarts.length;
    const probes: { restart: number; key: Uint8Array; cmp: number }[] = [];
    // Find the first restart whose key is strictly greater than want.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.restartKey(mid);
      const c = compareBytes(k, want);
      probes.push({ restart: mid, key: k, cmp: c });
      if (c > 0) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) return { pos: this.recordsStart, restart: -1, probes };
    return { pos: this.restarts[lo - 1], restart: lo - 1, probes };
  }

  /** First record with key >= want in this block, and everything after it. */
  *seek(want: Uint8Array): Generator<{ header: EntryHeader; record: AnyRecord; next: number }> {
    const { pos } = this.seekStart(want);
    let found = false;
    for (const r of this.recordsFrom(pos)) {
      if (!found) {
        if (compareBytes(r.header.key, want) < 0) continue;
        found = true;
      }
      yield r;
    }
  }
}

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Read the block at `offset`; undefined when `offset` is at or past the data end. `logData`,
 * when given, supplies the buffer a log block inflates into (a one-pass reader recycles its
 * buffers; see compact.ts) instead of a fresh array.
 */
export function readBlock(src: BlockSource, offset: number, ctx: BlockContext, logData?: (length: number) => Uint8Array): Block | undefined {
  if (offset >= ctx.dataEnd) return undefined;
  const headerOff = offset === 0 ? ctx.headerLength : 0;
  if (offset + headerOff + 4 > ctx.dataEnd) throw formatError('block header runs into the footer', offset + headerOff);
  const head = src.read(offset + headerOff, 4);
  if (head.length < 4) throw formatError('block header truncated', offset + headerOff);
  const type = head[0];
  if (!isBlockType(type)) throw formatError(`unknown block type 0x${type.toString(16)}`, offset + headerOff);
  const blockLen = readU24(head, 1);
  const minLen = headerOff + 4 + 2;
  if (blockLen < minLen) throw formatError(`block length ${blockLen} is too small`, offset + headerOff + 1);
  if (ctx.blockSize > 0 && blockLen > ctx.blockSize && type !== BlockType.Log) {
    throw formatError(`block length ${blockLen} exceeds the table's block size ${ctx.blockSize}`, offset + headerOff + 1);
  }

  if (type === BlockType.Log) return readLogBlock(src, offset, headerOff, blockLen, ctx, logData);

  if (offset + blockLen > ctx.dataEnd) throw formatError(`block length ${blockLen} runs past the end of the data`, offset + headerOff + 1);
  const data = src.read(offset, blockLen);
  if (data.length < blockLen) throw formatError('block truncated', offset);
  // On-disk extent, as git computes it (§ padding): an unpadded block directly followed by
  // a non-zero byte (the next block's type) is stepped over by its own length.
  let fullSize: number;
  if (ctx.blockSize === 0) fullSize = blockLen;
  else if (blockLen < ctx.blockSize && offset + blockLen < ctx.dataEnd && src.read(offset + blockLen, 1)[0] !== 0) fullSize = blockLen;
  else fullSize = ctx.blockSize;
  return makeBlock(offset, type, data, headerOff, blockLen, fullSize, ctx);
}

function makeBlock(
  offset: number, type: BlockType, data: Uint8Array, headerOff: number, blockLen: number, fullSize: number, ctx: BlockContext, compressed?: number,
): Block {
  const count = readU16(data, blockLen - 2);
  const restartsStart = blockLen - 2 - 3 * count;
  if (restartsStart < headerOff + 4) {
    throw formatError(`restart count ${count} does not fit in a block of ${blockLen} bytes`, type === BlockType.Log ? offset : offset + blockLen - 2);
  }
  if (count === 0 && restartsStart > headerOff + 4) {
    throw formatError('block has records but no restart points', type === BlockType.Log ? offset : offset + blockLen - 2);
  }
  return new Block(offset, type, data, headerOff, blockLen, fullSize, restartsStart, ctx, compressed);
}

function readLogBlock(src: BlockSource, offset: number, headerOff: number, blockLen: number, ctx: BlockContext, logData?: (length: number) => Uint8Array): Block {
  const zStart = offset + headerOff + 4;
  const want = blockLen - headerOff - 4;
  // zlib never expands data by more than ~0.1% + a few bytes; read just enough.
  const window = Math.min(ctx.dataEnd - zStart, want + (want >> 8) + 64);
  const z = src.read(zStart, window);
  const data = logData ? logData(blockLen) : new Uint8Array(blockLen);
  data.set(src.read(offset, headerOff + 4), 0);
  const { consumed } = inflateInto(z, data, headerOff + 4, want, zStart);
  return makeBlock(offset, BlockType.Log, data, headerOff, blockLen, headerOff + 4 + consumed, ctx, consumed);
}

// ---- writing -----------------------------------------------------------------------------

export interface BlockWriterOptions {
  blockSize: number;
  restartInterval: number;
  minUpdateIndex: number;
  hashSize: number;
}

/**
 * Builds blocks with git's rules (§ restart selection, § fit test), one at a time in one
 * reused buffer, as git's writer does: a table writer makes thousands of blocks.
 */
export class BlockWriter {
  /** Room for a block plus zlib's worst-case growth, since a log block is compressed in place. */
  private buf: Uint8Array;
  private type: BlockType = BlockType.Ref;
  private headerOff = 0;
  private next = 0;
  /** Restart offsets of the open block, restartCount of them (a typed array: no regrowth per block). */
  private restarts = new Uint32Array(64);
  private restartCount = 0;
  private entries = 0;
  /**
   * The previous key of the key sequence (see startKeySequence), copied: callers may pass
   * views of buffers they reuse (compaction's cursors). Prefixes are computed against it, and
   * the same pass checks the order, so it outlives reset().
   */
  private readonly prevKey = new HeldKey();
  private readonly value = new ByteWriter(256);

  constructor(private readonly opts: BlockWriterOptions) {
    this.buf = new Uint8Array(opts.blockSize + (opts.blockSize >> 8) + 64);
    this.reset(BlockType.Ref, 0);
  }

  /**
   * Start an empty block. `headerOff` is the file header length for the first block of the
   * file, else 0. Bytes returned by the previous finish() are overwritten from here on.
   */
  reset(type: BlockType, headerOff: number): void {
    this.type = type;
    this.headerOff = headerOff;
    this.next = headerOff + 4;
    this.restartCount = 0;
    this.entries = 0;
    this.buf.fill(0, 0, headerOff);
    this.buf[headerOff] = type;
  }

  /**
   * Keys added from here on must rise strictly again from nothing: each section and each
   * index level of a table is one sequence, however many blocks it spans.
   */
  startKeySequence(): void {
    this.prevKey.length = 0;
  }

  get count(): number {
    return this.entries;
  }
  /** A copy of the last key added. */
  get lastKey(): Uint8Array {
    return this.prevKey.bytes.slice(0, this.prevKey.length);
  }

  /**
   * Add a record; false when it does not fit (the block is unchanged). Callers that already
   * hold the record's key pass it (a log key is otherwise rebuilt here).
   */
  add(r: AnyRecord, key: Uint8Array = recordKey(r)): boolean {
    this.value.length = 0;
    encodeValue(this.value, r, this.opts.minUpdateIndex, this.opts.hashSize);
    return this.addEncoded(key, recordExtra(r), this.value.view());
  }

  /** add() for a record whose value is already encoded. */
  addEncoded(key: Uint8Array, extra: number, value: Uint8Array): boolean {
    return this.addParts(key, key.length, extra, value, 0, value.length);
  }

  /**
   * add() of key[0, keyLen) with the encoded value data[valueStart, valueEnd): compaction
   * copies stored log records this way without a view per record. The key is copied. A key
   * that does not sort after the previous one of the sequence is an API error, raised before
   * anything changes.
   */
  addParts(key: Uint8Array, keyLen: number, extra: number, data: Uint8Array, valueStart: number, valueEnd: number): boolean {
    const prev = this.prevKey;
    // One pass over the shared prefix serves the order check, prefix compression and the copy.
    const shared = commonPrefixLengthN(prev.bytes, prev.length, key, keyLen);
    if (shared === keyLen || (shared < prev.length && prev.bytes[shared] > key[shared])) throw outOfOrder(key, keyLen, prev);
    const forceRestart = this.entries % this.opts.restartInterval === 0;
    const prefixLen = forceRestart ? 0 : shared;
    const suffixLen = keyLen - prefixLen;
    const lenAndType = suffixLen * 8 + extra;
    const valueLen = valueEnd - valueStart;
    const n = smallVarintLength(prefixLen) + smallVarintLength(lenAndType) + suffixLen + valueLen;
    const isRestart = prefixLen === 0 && this.restartCount < MAX_RESTARTS;
    const r3 = this.restartCount + (isRestart ? 1 : 0);
    if (this.next + n + 3 * r3 + 2 > this.opts.blockSize) return false;
    if (isRestart) {
      if (this.restartCount === this.restarts.length) {
        const grown = new Uint32Array(this.restarts.length * 2);
        grown.set(this.restarts);
        this.restarts = grown;
      }
      this.restarts[this.restartCount++] = this.next;
    }
    // Encoded straight into the block: the fit test above already knows the exact size.
    const buf = this.buf;
    let o = writeSmallVarint(buf, this.next, prefixLen);
    o = writeSmallVarint(buf, o, lenAndType);
    for (let i = prefixLen; i < keyLen; i++) buf[o++] = key[i];
    if (valueLen < 64) {
      for (let i = valueStart; i < valueEnd; i++) buf[o++] = data[i];
    } else {
      buf.set(data.subarray(valueStart, valueEnd), o);
      o += valueLen;
    }
    this.next = o;
    this.entries++;
    prev.set(key, keyLen, shared);
    return true;
  }

  /**
   * Finish: restart table, count, block length. Returns the block bytes as written to disk
   * (log blocks compressed), valid until the next reset(); bytes [0, headerOff) are zero, left
   * for the caller's file header.
   */
  finish(): { bytes: Uint8Array; blockLen: number } {
    let o = this.next;
    for (let i = 0; i < this.restartCount; i++) {
      writeU24(this.buf, o, this.restarts[i]);
      o += 3;
    }
    writeU16(this.buf, o, this.restartCount);
    o += 2;
    const blockLen = o;
    writeU24(this.buf, this.headerOff + 1, blockLen);
    if (this.type !== BlockType.Log) return { bytes: this.buf.subarray(0, blockLen), blockLen };
    const start = this.headerOff + 4;
    const z = deflateLevel9(this.buf.subarray(start, blockLen));
    // The stream replaces the records it was made from (the deflater's output is only valid
    // until its next call).
    if (start + z.length > this.buf.length) {
      const bigger = new Uint8Array(start + z.length);
      bigger.set(this.buf.subarray(0, start));
      this.buf = bigger;
    }
    this.buf.set(z, start);
    return { bytes: this.buf.subarray(0, start + z.length), blockLen };
  }
}

function outOfOrder(key: Uint8Array, keyLen: number, prev: HeldKey): ReftableError {
  return new ReftableError(ErrorCode.Api,
    `records out of order: ${toHex(key.subarray(0, keyLen))} does not sort after ${toHex(prev.bytes.subarray(0, prev.length))}`);
}

// Key framing varints are almost always below 128: one byte, no general encoder.
function smallVarintLength(v: number): number {
  return v < 0x80 ? 1 : varintLength(v);
}
function writeSmallVarint(b: Uint8Array, o: number, v: number): number {
  if (v < 0x80) {
    b[o] = v;
    return o + 1;
  }
  return writeVarint(b, o, v);
}

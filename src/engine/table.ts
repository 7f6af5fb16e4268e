/**
 * One open table (reftable.adoc § File format, § Footer, § Index, § Obj): header and footer
 * validation, section discovery, seeks through (multi-level) indexes touching only the blocks
 * on the path, sequential iteration, and object-id reverse lookup.
 */
import { bytesEqual, compareBytes, crc32, readU24, readU32, readU64, startsWith } from './bytes.js';
import { Block, BlockContext, BlockSource, memorySource, readBlock } from './block.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import {
  BlockType, HashFormat, MAGIC, MIN_TABLE_SIZE, SHA1, blockTypeName, footerLength, hashById, headerLength, isBlockType,
} from './format.js';
import { TableRefCursor } from './ref-cursor.js';
import { AnyRecord, IndexRecord, LogRecord, ObjRecord, RefRecord, logKey } from './record.js';

export interface TableHeader {
  version: 1 | 2;
  blockSize: number;
  minUpdateIndex: number;
  maxUpdateIndex: number;
  hash: HashFormat;
  headerLength: number;
}

export interface TableFooter {
  offset: number;
  length: number;
  refIndexPosition: number;
  objPosition: number;
  objIdLength: number;
  objIndexPosition: number;
  logPosition: number;
  logIndexPosition: number;
  crcStored: number;
  crcActual: number;
}

export type SectionKind = 'ref' | 'obj' | 'log';

export interface Section {
  kind: SectionKind;
  /** Offset of the section's first block. */
  start: number;
  blockType: BlockType;
  /** Offset of the first block of the top index level, or 0. */
  indexPosition: number;
}

/** One step of a seek, recorded for the inspector's "seek path". */
export type SeekStep =
  | { kind: 'index-block'; offset: number; level: number; probes: { restart: number; key: Uint8Array; cmp: number }[]; chosen?: IndexRecord }
  | { kind: 'scan-blocks'; offsets: number[]; chosen: number }
  | { kind: 'data-block'; offset: number; probes: { restart: number; key: Uint8Array; cmp: number }[]; scanFrom: number; scanned: { offset: number; key: Uint8Array }[] };

export interface OpenOptions {
  /** The file name (for error messages). */
  name?: string;
  /** Expected hash (from the repository); a mismatch is an error, like git's stack check. */
  hash?: HashFormat;
  /** How many decoded blocks to keep. */
  cacheBlocks?: number;
}

type Positioned<T> = { record: T; block: Block; pos: number };

export class Table {
  readonly name: string;
  readonly header: TableHeader;
  readonly footer: TableFooter;
  readonly size: number;
  readonly dataEnd: number;
  readonly ctx: BlockContext;
  readonly sections: { ref?: Section; obj?: Section; log?: Section };
  private readonly cache = new Map<number, Block>();
  private readonly cacheLimit: number;
  /** Reused by ref(): lookups need no cursor of their own. */
  private lookup: TableRefCursor | undefined;

  private constructor(readonly source: BlockSource, opts: OpenOptions) {
    this.name = opts.name ?? '<table>';
    this.cacheLimit = opts.cacheBlocks ?? 32;
    this.size = source.size;
    try {
      this.header = parseHeader(source);
      if (opts.hash && opts.hash.id !== this.header.hash.id) {
        throw new ReftableError(ErrorCode.Format, `table uses ${this.header.hash.name} but the repository uses ${opts.hash.name}`, { offset: 24 });
      }
      this.footer = parseFooter(source, this.header);
      this.dataEnd = this.footer.offset;
      this.ctx = {
        headerLength: this.header.headerLength,
        blockSize: this.header.blockSize,
        dataEnd: this.dataEnd,
        minUpdateIndex: this.header.minUpdateIndex,
        hashSize: this.header.hash.size,
        file: this.name,
      };
      this.sections = this.findSections();
    } catch (e) {
      throw e instanceof ReftableError ? e.inFile(this.name) : e;
    }
  }

  static open(source: BlockSource | Uint8Array, opts: OpenOptions = {}): Table {
    return new Table(source instanceof Uint8Array ? memorySource(source) : source, opts);
  }

  get hash(): HashFormat {
    return this.header.hash;
  }
  get minUpdateIndex(): number {
    return this.header.minUpdateIndex;
  }
  get maxUpdateIndex(): number {
    return this.header.maxUpdateIndex;
  }

  /** Fails when the footer CRC does not match (opening tolerates it so the inspector can show it). */
  checkCrc(): void {
    if (this.footer.crcStored !== this.footer.crcActual) {
      throw new ReftableError(ErrorCode.Checksum,
        `footer CRC-32 is 0x${this.footer.crcStored.toString(16).padStart(8, '0')}, computed 0x${this.footer.crcActual.toString(16).padStart(8, '0')}`,
        { file: this.name, offset: this.footer.offset + this.footer.length - 4 });
    }
  }

  private findSections(): Table['sections'] {
    const s: Table['sections'] = {};
    const hl = this.header.headerLength;
    const first = hl < this.dataEnd ? this.source.read(hl, 1)[0] : undefined;
    const f = this.footer;
    if (first === BlockType.Ref) s.ref = { kind: 'ref', start: 0, blockType: BlockType.Ref, indexPosition: f.refIndexPosition };
    if (f.objPosition > 0) s.obj = { kind: 'obj', start: f.objPosition, blockType: BlockType.Obj, indexPosition: f.objIndexPosition };
    if (f.logPosition > 0 || first === BlockType.Log) {
      s.log = { kind: 'log', start: f.logPosition, blockType: BlockType.Log, indexPosition: f.logIndexPosition };
    }
    for (const sec of Object.values(s)) {
      if (sec.start >= this.dataEnd && !(sec.start === 0 && this.dataEnd > hl)) {
        throw formatError(`${sec.kind} section position ${sec.start} is past the end of the data (${this.dataEnd})`, this.dataEnd);
      }
      if (sec.indexPosition >= this.dataEnd) {
        throw formatError(`${sec.kind} index position ${sec.indexPosition} is past the end of the data`, this.dataEnd);
      }
    }
    return s;
  }

  /** Read (or fetch from cache) the block at `offset`. */
  block(offset: number): Block | undefined {
    const hit = this.cache.get(offset);
    if (hit) {
      // Recency only matters once eviction can happen; most tables never fill their cache.
      if (this.cache.size >= this.cacheLimit) {
        this.cache.delete(offset);
        this.cache.set(offset, hit);
      }
      return hit;
    }
    const b = this.readUncached(offset);
    if (!b) return undefined;
    this.cache.set(offset, b);
    if (this.cache.size > this.cacheLimit) this.cache.delete(this.cache.keys().next().value as number);
    return b;
  }

  /** The block at `offset` read from the source, naming this table in errors. */
  private readUncached(offset: number, logData?: (length: number) => Uint8Array): Block | undefined {
    try {
      return readBlock(this.source, offset, this.ctx, logData);
    } catch (e) {
      throw e instanceof ReftableError ? e.inFile(this.name) : e;
    }
  }

  private expectBlock(offset: number, type: BlockType, why: string): Block {
    const b = this.block(offset);
    if (!b) throw formatError(`${why}: no block at ${offset}`, offset).inFile(this.name);
    if (b.type !== type) {
      throw formatError(`${why}: expected a ${blockTypeName(type)} block, found ${b.typeName}`, offset + b.headerOff).inFile(this.name);
    }
    return b;
  }

  /** Blocks of a section (data blocks only, in file order), stopping at a type change. */
  *sectionBlocks(kind: SectionKind): Generator<Block> {
    const sec = this.sections[kind];
    if (!sec) return;
    yield* this.blocksFrom(sec.start, sec.blockType);
  }

  /** First block of a section, or undefined when the section is absent or empty. */
  firstBlock(kind: SectionKind): Block | undefined {
    const sec = this.sections[kind];
    return sec ? this.blockOfType(sec.start, sec.blockType) : undefined;
  }

  /** The ref block at `offset` (from an index), or undefined when a different section starts there. */
  refBlockAt(offset: number): Block | undefined {
    return this.blockOfType(offset, BlockType.Ref);
  }

  /**
   * The block after `b` in the same section (blocksFrom's rules), or undefined at its end.
   * With `logData`, for a single pass over a section: the block is not kept in the cache, and a
   * log block inflates into `logData`'s buffer (compaction reads every log block of every table
   * once; fresh arrays for each were a tenth of its time, mostly first touches of new memory).
   */
  nextBlock(b: Block, logData?: (length: number) => Uint8Array): Block | undefined {
    if (b.fullSize <= 0) throw formatError('block has no extent', b.offset).inFile(this.name);
    return this.blockOfType(b.offset + b.fullSize, b.type, logData);
  }

  private blockOfType(off: number, type: BlockType, logData?: (length: number) => Uint8Array): Block | undefined {
    if (off >= this.dataEnd) return undefined;
    if (!this.cache.has(off)) {
      const t = this.typeAt(off);
      if (t !== type && t !== undefined && isBlockType(t)) return undefined;
    }
    const b = logData ? this.cache.get(off) ?? this.readUncached(off, logData) : this.block(off);
    return b && b.type === type ? b : undefined;
  }

  /** Offset of the data block where a seek for `want` starts, or undefined when past the end. */
  locateBlock(kind: SectionKind, want: Uint8Array): number | undefined {
    const sec = this.sections[kind];
    return sec ? this.locate(sec, want) : undefined;
  }

  /** Consecutive blocks of `type` starting at `offset`. */
  *blocksFrom(offset: number, type: BlockType): Generator<Block> {
    let off = offset;
    let guard = 0;
    while (off < this.dataEnd) {
      // Peek at the type byte first: the block after a section's last one is usually a log
      // block, and reading it whole would inflate it only to stop here.
      // An unknown byte still goes through block() so it is reported as corruption.
      if (!this.cache.has(off)) {
        const t = this.typeAt(off);
        if (t !== type && t !== undefined && isBlockType(t)) return;
      }
      const b = this.block(off);
      if (!b || b.type !== type) return;
      yield b;
      if (b.fullSize <= 0) throw formatError('block has no extent', off).inFile(this.name);
      off += b.fullSize;
      if (++guard > this.size) throw formatError('block chain does not end', off).inFile(this.name);
    }
  }

  /** Type byte of the block at `offset` (after the file header for the first block). */
  private typeAt(offset: number): number | undefined {
    const at = offset === 0 ? this.header.headerLength : offset;
    return at < this.dataEnd ? this.source.read(at, 1)[0] : undefined;
  }

  /** Records of one section from the start. */
  *sectionRecords<T extends AnyRecord>(kind: SectionKind): Generator<T> {
    for (const b of this.sectionBlocks(kind)) for (const r of b.records()) yield r.record as T;
  }

  /**
   * Locate the block that would hold `want` and position there. Yields records with key >= want
   * in order to the end of the section. `trace` collects the seek path.
   */
  *seekSection<T extends AnyRecord>(kind: SectionKind, want: Uint8Array, trace?: SeekStep[]): Generator<T> {
    const sec = this.sections[kind];
    if (!sec) return;
    const target = this.locate(sec, want, trace);
    if (target === undefined) return;
    let first = true;
    for (const b of this.blocksFrom(target, sec.blockType)) {
      if (first) {
        first = false;
        const { pos, probes } = b.seekStart(want);
        const step: SeekStep | undefined = trace ? { kind: 'data-block', offset: b.offset, probes, scanFrom: pos, scanned: [] } : undefined;
        if (step) trace!.push(step);
        let found = false;
        for (const r of b.recordsFrom(pos)) {
          if (!found) {
            if (step && step.kind === 'data-block') step.scanned.push({ offset: b.abs(r.header.start), key: r.header.key });
            if (compareBytes(r.header.key, want) < 0) continue;
            found = true;
          }
          yield r.record as T;
        }
      } else {
        for (const r of b.records()) yield r.record as T;
      }
    }
  }

  /** Offset of the data block to start a seek for `want` at, or undefined when past the end. */
  private locate(sec: Section, want: Uint8Array, trace?: SeekStep[]): number | undefined {
    if (sec.indexPosition === 0 && !trace) {
      // As below, without the generator and with first keys compared in place.
      let chosen: number | undefined;
      for (let b = this.blockOfType(sec.start, sec.blockType); b; b = this.nextBlock(b)) {
        if (chosen !== undefined && b.compareKeyAt(b.recordsStart, want, -1) > 0) break;
        chosen = b.offset;
      }
      return chosen;
    }
    if (sec.indexPosition === 0) {
      // No index: the key lives in the last block whose first key is <= want.
      let chosen: number | undefined;
      const offsets: number[] = [];
      for (const b of this.blocksFrom(sec.start, sec.blockType)) {
        offsets.push(b.offset);
        if (chosen !== undefined && compareBytes(b.firstKey(), want) > 0) break;
        chosen = b.offset;
      }
      if (trace && chosen !== undefined) trace.push({ kind: 'scan-blocks', offsets, chosen });
      return chosen;
    }
    // Top level: 1..3 contiguous index blocks.
    let level = 0;
    let pos: number | undefined;
    for (const ib of this.blocksFrom(sec.indexPosition, BlockType.Index)) {
      const hit = this.firstIndexAtLeast(ib, want, level, trace);
      if (hit) {
        pos = hit.position;
        break;
      }
    }
    if (pos === undefined) return undefined;
    const seen = new Set<number>([sec.indexPosition]);
    for (;;) {
      if (seen.has(pos)) throw formatError(`index pointers form a cycle at ${pos}`, pos).inFile(this.name);
      seen.add(pos);
      const b = this.block(pos);
      if (!b) throw formatError(`index points at ${pos}, past the end of the data`, pos).inFile(this.name);
      if (b.type === sec.blockType) return pos;
      if (b.type !== BlockType.Index) {
        throw formatError(`index points at a ${b.typeName} block inside the ${sec.kind} section`, pos).inFile(this.name);
      }
      level++;
      const hit = this.firstIndexAtLeast(b, want, level, trace);
      if (!hit) throw formatError('index block has no key covering its parent entry', pos).inFile(this.name);
      pos = hit.position;
    }
  }

  private firstIndexAtLeast(b: Block, want: Uint8Array, level: number, trace?: SeekStep[]): IndexRecord | undefined {
    if (!trace) {
      // The lookup path: no probe list, no generator.
      let pos = b.scanStart(want);
      let prev: Uint8Array = EMPTY_KEY;
      while (pos < b.restartsStart) {
        const r = b.decodeAt(pos, prev);
        if (r.next <= pos) throw formatError('record does not advance', b.abs(pos)).inFile(this.name);
        if (compareBytes(r.header.key, want) >= 0) return r.record as IndexRecord;
        prev = r.header.key;
        pos = r.next;
      }
      return undefined;
    }
    const { pos, probes } = b.seekStart(want);
    let chosen: IndexRecord | undefined;
    for (const r of b.recordsFrom(pos)) {
      if (compareBytes(r.header.key, want) >= 0) {
        chosen = r.record as IndexRecord;
        break;
      }
    }
    if (trace) trace.push({ kind: 'index-block', offset: b.offset, level, probes, chosen });
    return chosen;
  }

  // ---- refs ------------------------------------------------------------------------------

  refs(): Generator<RefRecord> {
    return this.sectionRecords<RefRecord>('ref');
  }

  /** Refs with name >= from, in order. */
  seekRefs(from: Uint8Array, trace?: SeekStep[]): Generator<RefRecord> {
    return this.seekSection<RefRecord>('ref', from, trace);
  }

  /** Refs under a prefix; stops at the end of the prefix. */
  *refsWithPrefix(prefix: Uint8Array): Generator<RefRecord> {
    for (const r of this.seekRefs(prefix)) {
      if (!startsWith(r.name, prefix)) return;
      yield r;
    }
  }

  /** The record for exactly this name (tombstones included), or undefined. */
  ref(name: Uint8Array, trace?: SeekStep[]): RefRecord | undefined {
    if (trace) {
      for (const r of this.seekRefs(name, trace)) return bytesEqual(r.name, name) ? r : undefined;
      return undefined;
    }
    const c = (this.lookup ??= new TableRefCursor(this));
    c.seek(name);
    return c.next() && c.keyEquals(name) ? c.record() : undefined;
  }

  /** A cursor over this table's refs (see ref-cursor.ts), unpositioned: call seek() first. */
  refCursor(tableIndex = 0): TableRefCursor {
    return new TableRefCursor(this, tableIndex);
  }

  // ---- logs ------------------------------------------------------------------------------

  logs(): Generator<LogRecord> {
    return this.sectionRecords<LogRecord>('log');
  }

  /** Log records with key >= the key of (name, updateIndex). */
  seekLogs(name: Uint8Array, updateIndex = Number.MAX_SAFE_INTEGER, trace?: SeekStep[]): Generator<LogRecord> {
    // The newest possible entry of `name` is update index 2^64-1, whose reversed bytes are 0.
    const key = updateIndex === Number.MAX_SAFE_INTEGER ? newestLogKey(name) : logKey(name, updateIndex);
    return this.seekSection<LogRecord>('log', key, trace);
  }

  /** Log records of one ref, newest first (tombstones included). */
  *logsFor(name: Uint8Array): Generator<LogRecord> {
    for (const r of this.seekLogs(name)) {
      if (!bytesEqual(r.name, name)) return;
      yield r;
    }
  }

  // ---- objects ---------------------------------------------------------------------------

  /** Refs in this table whose value or peeled value is `oid` (tombstones never match). */
  *refsFor(oid: Uint8Array): Generator<RefRecord> {
    const matches = (r: RefRecord) =>
      (r.value !== undefined && bytesEqual(r.value, oid)) || (r.peeled !== undefined && bytesEqual(r.peeled, oid));
    const obj = this.sections.obj;
    if (obj && this.footer.objIdLength > 0 && oid.length >= this.footer.objIdLength) {
      const prefix = oid.subarray(0, this.footer.objIdLength);
      let rec: ObjRecord | undefined;
      for (const r of this.seekSection<ObjRecord>('obj', prefix)) {
        if (bytesEqual(r.prefix, prefix)) rec = r;
        break;
      }
      if (!rec) return;
      if (rec.positions.length > 0) {
        for (const p of rec.positions) {
          const b = this.expectBlock(p, BlockType.Ref, 'obj record position');
          for (const r of b.records()) if (matches(r.record as RefRecord)) yield r.record as RefRecord;
        }
        return;
      }
      // count 0: git gave up listing positions; fall back to a scan (git 2.47 returns nothing).
    }
    for (const r of this.refs()) if (matches(r)) yield r;
  }
}

const EMPTY_KEY = new Uint8Array(0);

export function newestLogKey(name: Uint8Array): Uint8Array {
  const k = new Uint8Array(name.length + 9);
  k.set(name);
  return k;
}

export function parseHeader(src: BlockSource): TableHeader {
  if (src.size < MIN_TABLE_SIZE) throw formatError(`file is ${src.size} bytes, too short for a reftable (at least ${MIN_TABLE_SIZE})`, 0);
  const h = src.read(0, 28);
  for (let i = 0; i < 4; i++) if (h[i] !== MAGIC[i]) throw formatError('bad magic: not a reftable ("REFT" expected)', 0);
  const version = h[4];
  if (version !== 1 && version !== 2) throw formatError(`unsupported format version ${version}`, 4);
  const blockSize = readU24(h, 5);
  const minUpdateIndex = readU64(h, 8);
  const maxUpdateIndex = readU64(h, 16);
  let hash: HashFormat = SHA1;
  if (version === 2) {
    const id = readU32(h, 24);
    const f = hashById(id);
    if (!f) throw formatError(`unknown hash id 0x${id.toString(16)}`, 24);
    hash = f;
  }
  return { version, blockSize, minUpdateIndex, maxUpdateIndex, hash, headerLength: headerLength(version) };
}

export function parseFooter(src: BlockSource, h: TableHeader): TableFooter {
  const len = footerLength(h.version);
  if (src.size < h.headerLength + len) throw formatError(`file is ${src.size} bytes, too short for header and footer (${h.headerLength + len})`, 0);
  const offset = src.size - len;
  const f = src.read(offset, len);
  const head = src.read(0, h.headerLength);
  for (let i = 0; i < h.headerLength; i++) {
    if (f[i] !== head[i]) throw formatError('footer does not repeat the file header', offset + i);
  }
  const p = h.headerLength;
  const objField = readU64Split(f, p + 8);
  const footer: TableFooter = {
    offset,
    length: len,
    refIndexPosition: readU64(f, p),
    objPosition: objField.position,
    objIdLength: objField.idLength,
    objIndexPosition: readU64(f, p + 16),
    logPosition: readU64(f, p + 24),
    logIndexPosition: readU64(f, p + 32),
    crcStored: readU32(f, p + 40),
    crcActual: crc32(f, 0, p + 40),
  };
  // Every position must point into the data area (0 = absent, or the first block).
  const positions: [string, number, number][] = [
    ['ref_index_position', footer.refIndexPosition, 0], ['obj_position', footer.objPosition, 8],
    ['obj_index_position', footer.objIndexPosition, 16], ['log_position', footer.logPosition, 24],
    ['log_index_position', footer.logIndexPosition, 32],
  ];
  for (const [what, v, at] of positions) {
    if (v > 0 && v >= offset) throw formatError(`${what} ${v} is past the end of the data (${offset})`, offset + p + at);
  }
  if (footer.objPosition > 0 && footer.objIdLength === 0) throw formatError('obj section present but object id length is 0', offset + p + 8);
  return footer;
}

/** The footer's (obj_position << 5 | obj_id_len) field. */
function readU64Split(b: Uint8Array, o: number): { position: number; idLength: number } {
  const v = readU64(b, o);
  return { position: Math.floor(v / 32), idLength: v % 32 };
}

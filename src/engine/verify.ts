/**
 * Table verification: every rule of the format (reftable-format.md §§ 2–6) and the invariants
 * git's writer keeps, checked over one table's bytes. Unlike the reader, which stops at the
 * first problem, verification keeps going wherever the damage leaves a way forward, so the
 * user sees every finding at once. Bad data never throws: reader errors become findings.
 *
 * Severity: `error` = git (or this engine) would misread or refuse the table; `warning` = the
 * table reads fine but git's writer never produces it; `info` = unusual but legitimate.
 */
import { Block, BlockContext, BlockSource, memorySource, readBlock } from './block.js';
import { compareBytes, crc32, isZero, readU24, readU32, readU64, text, toHex } from './bytes.js';
import { ReftableError } from './errors.js';
import {
  BlockType, HashFormat, INDEX_THRESHOLD, MAGIC, MIN_TABLE_SIZE, SHA1, blockTypeName, footerLength, hashById, headerLength,
} from './format.js';
import { EntryHeader, IndexRecord, LogRecord, ObjRecord, RefRecord } from './record.js';
import { Table, type TableFooter } from './table.js';
import type { Finding } from '../store/api.js';

export type { Finding };

export interface VerifyOptions {
  /** File name used in findings (default: the Table's name or `<table>`). */
  name?: string;
  /** The repository's hash; a table using another one is an error. */
  hash?: HashFormat;
}

/** Stop listing the same kind of problem after this many (a summary line follows). */
const MAX_PER_CODE = 20;

class Findings {
  readonly list: Finding[] = [];
  private readonly perCode = new Map<string, number>();
  constructor(readonly file: string) {}

  add(severity: Finding['severity'], code: string, message: string, offset?: number): void {
    const n = (this.perCode.get(code) ?? 0) + 1;
    this.perCode.set(code, n);
    if (n > MAX_PER_CODE) return;
    const f: Finding = { severity, file: this.file, code, message };
    if (offset !== undefined) f.offset = offset;
    this.list.push(f);
  }
  error(code: string, message: string, offset?: number): void { this.add('error', code, message, offset); }
  warn(code: string, message: string, offset?: number): void { this.add('warning', code, message, offset); }
  info(code: string, message: string, offset?: number): void { this.add('info', code, message, offset); }

  /** A reader error as a finding (its code is the error code, lower-cased). */
  fromError(e: unknown, fallbackOffset?: number, context?: string): void {
    if (e instanceof ReftableError) {
      const why = context ? `${context}: ${e.reason}` : e.reason;
      this.error(e.code.toLowerCase().replace(/_/g, '-'), why, e.offset ?? fallbackOffset);
    } else {
      // A bug in the engine rather than bad data; still reported, never thrown.
      this.error('internal', `internal error: ${e instanceof Error ? e.message : String(e)}`, fallbackOffset);
    }
  }

  /**
   * Add `other`'s findings after these, as if they had been added here in the same order: the
   * per-code cap and the counts of findings not shown carry over.
   */
  absorb(other: Findings): void {
    for (const f of other.list) this.add(f.severity, f.code, f.message, f.offset);
    for (const [code, n] of other.perCode) {
      if (n > MAX_PER_CODE) this.perCode.set(code, (this.perCode.get(code) ?? 0) + n - MAX_PER_CODE);
    }
  }

  /** Summaries for codes that hit the per-code cap. */
  finish(): Finding[] {
    for (const [code, n] of this.perCode) {
      if (n > MAX_PER_CODE) this.list.push({ severity: 'info', file: this.file, code, message: `${n - MAX_PER_CODE} more "${code}" findings not shown` });
    }
    return this.list;
  }
}

/** Verify one table. Never throws for bad data. */
export function verifyTable(table: Table | Uint8Array, opts: VerifyOptions = {}): Finding[] {
  const name = opts.name ?? (table instanceof Table ? table.name : '<table>');
  const f = new Findings(name);
  try {
    const bytes = table instanceof Table ? table.source.read(0, table.size) : table;
    new TableVerifier(bytes, f, opts).run();
  } catch (e) {
    f.fromError(e);
  }
  return f.finish();
}

// ---- internal model ------------------------------------------------------------------------

type Role = 'ref' | 'refIndex' | 'obj' | 'objIndex' | 'log' | 'logIndex' | 'stray';
type DataRole = 'ref' | 'obj' | 'log';
const INDEX_ROLE: Record<DataRole, Role> = { ref: 'refIndex', obj: 'objIndex', log: 'logIndex' };
const ROLE_ORDER: Role[] = ['ref', 'refIndex', 'obj', 'objIndex', 'log', 'logIndex'];

interface Walked {
  offset: number;
  /** Type byte as found on disk. */
  type: number;
  /** Undefined when the reader could not decode the block. */
  block?: Block;
  role: Role;
  /** Keys of the block's records, once decoded. */
  firstKey?: Uint8Array;
  lastKey?: Uint8Array;
  /**
   * The decoded records of obj and index blocks, which later checks walk again. Ref and log
   * records are checked as they are decoded and not kept (nor are those blocks): holding a
   * million-ref table's records took gigabytes.
   */
  records: { header: EntryHeader; record: ObjRecord | IndexRecord }[];
  /** True when decoding stopped early. */
  broken: boolean;
}

interface Run {
  role: Role;
  type: number;
  blocks: Walked[];
}

type FooterFields = Pick<TableFooter, 'refIndexPosition' | 'objPosition' | 'objIdLength' | 'objIndexPosition' | 'logPosition' | 'logIndexPosition'>;

class TableVerifier {
  private readonly src: BlockSource;
  private version: 1 | 2 = 1;
  private hash: HashFormat = SHA1;
  private hl = 24;
  private blockSize = 0;
  private min = 0;
  private max = 0;
  private dataEnd = 0;
  private ctx!: BlockContext;
  private footer!: FooterFields;
  private walked: Walked[] = [];
  private runs: Run[] = [];
  /** Findings of the ref and log records, reported after the key order (see run). */
  private readonly refFindings: Findings;
  private readonly logFindings: Findings;
  /**
   * Object id (hex) → offsets of the ref blocks holding a ref with that value or peeled
   * value, for the obj section's checks; gathered while the ref records are decoded, and
   * only when there is an obj section. Nearly every id is in one block: a number then.
   */
  private idBlocks: Map<string, number | number[]> | undefined;

  constructor(private readonly bytes: Uint8Array, private readonly f: Findings, private readonly opts: VerifyOptions) {
    this.src = memorySource(bytes);
    this.refFindings = new Findings(f.file);
    this.logFindings = new Findings(f.file);
  }

  run(): void {
    if (!this.checkHeader()) return;
    if (!this.checkFooter()) return;
    this.ctx = { headerLength: this.hl, blockSize: this.blockSize, dataEnd: this.dataEnd, minUpdateIndex: this.min, hashSize: this.hash.size };
    this.walk();
    this.assignSections();
    this.checkFooterPositions();
    if (this.section('obj')) this.idBlocks = new Map();
    for (const w of this.walked) this.decodeRecords(w);
    for (const role of ['ref', 'obj', 'log'] as DataRole[]) this.checkKeyOrder(role);
    // Ref and log findings come after the key order, as they would from a second pass.
    this.f.absorb(this.refFindings);
    this.f.absorb(this.logFindings);
    for (const role of ['ref', 'obj', 'log'] as DataRole[]) this.checkIndex(role);
    this.checkObjs();
  }

  // ---- header and footer (§ 2.2, § 2.3) ----------------------------------------------------

  private checkHeader(): boolean {
    const b = this.bytes;
    if (b.length < MIN_TABLE_SIZE) {
      this.f.error('too-short', `file is ${b.length} bytes; a reftable has at least ${MIN_TABLE_SIZE}`, 0);
      return false;
    }
    for (let i = 0; i < 4; i++) {
      if (b[i] !== MAGIC[i]) {
        this.f.error('magic', 'bad magic: the file does not start with "REFT"', 0);
        return false;
      }
    }
    const version = b[4];
    if (version !== 1 && version !== 2) {
      this.f.error('version', `unsupported format version ${version} (1 or 2 expected)`, 4);
      return false;
    }
    this.version = version;
    this.hl = headerLength(version);
    if (version === 2) {
      const id = readU32(b, 24);
      const h = hashById(id);
      if (!h) {
        this.f.error('hash-id', `unknown hash id 0x${id.toString(16).padStart(8, '0')} ("sha1" or "s256" expected)`, 24);
        return false;
      }
      this.hash = h;
      if (h.id === SHA1.id) this.f.info('version', 'version 2 table with a SHA-1 hash id; git writes version 1 for SHA-1', 4);
    }
    if (this.opts.hash && this.opts.hash.id !== this.hash.id) {
      this.f.error('hash-mismatch', `table uses ${this.hash.name} but the repository uses ${this.opts.hash.name}`, version === 2 ? 24 : 4);
    }
    this.blockSize = readU24(b, 5);
    if (this.blockSize === 0) this.f.warn('block-size', 'block size 0 (unaligned table); git never writes it', 5);
    this.min = readU64(b, 8);
    this.max = readU64(b, 16);
    if (this.min > this.max) this.f.error('update-index-range', `min_update_index ${this.min} is above max_update_index ${this.max}`, 8);
    return true;
  }

  private checkFooter(): boolean {
    const b = this.bytes;
    const fl = footerLength(this.version);
    if (b.length < this.hl + fl) {
      this.f.error('too-short', `file is ${b.length} bytes, too short for a header and a footer (${this.hl + fl})`, 0);
      return false;
    }
    const fo = b.length - fl;
    this.dataEnd = fo;
    for (let i = 0; i < this.hl; i++) {
      if (b[fo + i] !== b[i]) {
        this.f.error('footer-header', `footer byte ${i} (0x${b[fo + i].toString(16)}) differs from the header (0x${b[i].toString(16)}); the footer must repeat the header`, fo + i);
        break;
      }
    }
    const p = fo + this.hl;
    const stored = readU32(b, p + 40);
    const actual = crc32(b, fo, p + 40);
    if (stored !== actual) {
      this.f.error('crc', `footer CRC-32 is 0x${stored.toString(16).padStart(8, '0')}, computed 0x${actual.toString(16).padStart(8, '0')}`, p + 40);
    }
    const objField = readU64(b, p + 8);
    this.footer = {
      refIndexPosition: readU64(b, p),
      objPosition: Math.floor(objField / 32),
      objIdLength: objField % 32,
      objIndexPosition: readU64(b, p + 16),
      logPosition: readU64(b, p + 24),
      logIndexPosition: readU64(b, p + 32),
    };
    const ft = this.footer;
    if (ft.objPosition > 0 && ft.objIdLength === 0) this.f.error('obj-id-len', 'obj section present but obj_id_len is 0', p + 8);
    if (ft.objIdLength > this.hash.size) this.f.error('obj-id-len', `obj_id_len ${ft.objIdLength} is longer than an object id (${this.hash.size})`, p + 8);
    if (ft.objIdLength > 0 && ft.refIndexPosition === 0 && ft.objPosition === 0) {
      this.f.info('obj-id-len', `obj_id_len is ${ft.objIdLength} without a ref index; git writes 0 then`, p + 8);
    }
    const fields: [keyof FooterFields, number][] = [
      ['refIndexPosition', p], ['objPosition', p + 8], ['objIndexPosition', p + 16], ['logPosition', p + 24], ['logIndexPosition', p + 32],
    ];
    for (const [k, at] of fields) {
      if (ft[k] >= fo) {
        this.f.error('footer-position', `${fieldName(k)} ${ft[k]} is past the end of the data (${fo})`, at);
        (ft as unknown as Record<string, number>)[k] = 0;
      }
    }
    if (fo === this.hl) this.f.info('empty', 'table holds no blocks; git never adds an empty table to a stack');
    return true;
  }

  // ---- physical walk (§ 3.1, § 3.6, § 5.2) ---------------------------------------------------

  private walk(): void {
    let off = 0;
    const b = this.bytes;
    if (this.dataEnd <= this.hl) return;
    let seenLog = false;
    while (off < this.dataEnd) {
      const headerOff = off === 0 ? this.hl : 0;
      const type = off + headerOff < this.dataEnd ? b[off + headerOff] : -1;
      let block: Block | undefined;
      try {
        block = readBlock(this.src, off, this.ctx);
      } catch (e) {
        this.f.fromError(e, off, `${blockTypeName(type)} block at ${off}`);
      }
      const w: Walked = { offset: off, type, block, role: 'stray', records: [], broken: block === undefined };
      if (block === undefined) {
        this.walked.push(w);
        if (type === BlockType.Log || this.blockSize === 0) {
          this.f.error('unreadable', `cannot find where the block at ${off} ends; ${this.dataEnd - off} bytes before the footer left unchecked`, off);
          return;
        }
        off += this.blockSize;
        continue;
      }
      this.walked.push(w);
      if (type === BlockType.Log) {
        seenLog = true;
        if (block.blockLen > this.blockSize && this.blockSize > 0) {
          this.f.warn('block-len', `log block inflates to ${block.blockLen} bytes, more than the block size ${this.blockSize}; git keeps log blocks within the block size`, off);
        }
        off += block.fullSize;
        // Not held until its records are decoded: a million-ref table has 24,000 log blocks,
        // and holding them inflated made the collector copy and promote them all.
        w.block = undefined;
        continue;
      }
      // Log index blocks are padded but not aligned.
      if (this.blockSize > 0 && off % this.blockSize !== 0 && !seenLog) {
        this.f.info('alignment', `${block.typeName} block at ${off} is not aligned to the block size ${this.blockSize}`, off);
      }
      off = this.skipPadding(off, block);
    }
  }


  /** Where the block after `block` starts; checks that padding is all zero. */
  private skipPadding(off: number, block: Block): number {
    const end = off + block.blockLen;
    if (end >= this.dataEnd) return this.dataEnd;
    // Git: a non-zero byte right after the block is the next block (padding omitted).
    if (this.bytes[end] !== 0) return end;
    if (this.blockSize === 0) {
      this.f.error('padding', `unaligned table has a zero byte after the block at ${off}`, end);
      return this.nextNonZero(end);
    }
    const padEnd = Math.min(off + this.blockSize, this.dataEnd);
    for (let i = end; i < padEnd; i++) {
      if (this.bytes[i] !== 0) {
        this.f.error('padding', `padding after the ${block.typeName} block at ${off} has a non-zero byte 0x${this.bytes[i].toString(16)}`, i);
        break;
      }
    }
    if (off + this.blockSize > this.dataEnd) {
      this.f.info('padding', `the last block is followed by ${padEnd - end} padding bytes; git writes none before the footer`, end);
    }
    return padEnd;
  }

  private nextNonZero(from: number): number {
    let i = from;
    while (i < this.dataEnd && this.bytes[i] === 0) i++;
    return i;
  }

  /** Group the walked blocks into runs and give each run its section role (§ 2.1). */
  private assignSections(): void {
    for (const w of this.walked) {
      const last = this.runs[this.runs.length - 1];
      if (last && last.type === w.type) last.blocks.push(w);
      else this.runs.push({ role: 'stray', type: w.type, blocks: [w] });
    }
    let at = -1;
    let prevData: DataRole | undefined;
    for (const run of this.runs) {
      let role: Role | undefined;
      switch (run.type) {
        case BlockType.Ref: role = 'ref'; break;
        case BlockType.Obj: role = 'obj'; break;
        case BlockType.Log: role = 'log'; break;
        case BlockType.Index: role = prevData ? INDEX_ROLE[prevData] : undefined; break;
      }
      const idx = role ? ROLE_ORDER.indexOf(role) : -1;
      const where = run.blocks[0].offset;
      if (role === undefined || idx <= at || (role === 'ref' && where !== 0)) {
        const after = at >= 0 ? ` after the ${ROLE_ORDER[at]} section` : ' at the start of the table';
        this.f.error('section-order', `${blockTypeName(run.type)} block${run.blocks.length > 1 ? 's' : ''}${after}; sections must be ref, ref index, obj, obj index, log, log index`, where);
        run.role = 'stray';
      } else {
        run.role = role;
        at = idx;
        if (role === 'ref' || role === 'obj' || role === 'log') prevData = role;
      }
      for (const w of run.blocks) w.role = run.role;
    }
    const obj = this.section('obj');
    if (obj && !this.section('refIndex')) this.f.info('obj-section', 'obj section without a ref index; git writes one only for indexed ref sections', obj.blocks[0].offset);
  }

  private section(role: Role): Run | undefined {
    return this.runs.find((r) => r.role === role);
  }

  /** Footer positions against where the sections really are (§ 2.3, § 6.3). */
  private checkFooterPositions(): void {
    const ft = this.footer;
    const pos = (role: DataRole, value: number, field: string) => {
      const run = this.section(role);
      if (!run) {
        if (value > 0) this.f.error('footer-position', `${field} is ${value} but the table has no ${role} section`, this.dataEnd);
        return;
      }
      const start = run.blocks[0].offset;
      // A log-only table stores log_position 0: its first log block starts at offset 0.
      if (value !== start) this.f.error('footer-position', `${field} is ${value} but the ${role} section starts at ${start}`, this.dataEnd);
    };
    pos('obj', ft.objPosition, 'obj_position');
    pos('log', ft.logPosition, 'log_position');
    const idx = (role: DataRole, value: number, field: string) => {
      const run = this.section(INDEX_ROLE[role]);
      if (!run) {
        if (value > 0) this.f.error('footer-position', `${field} is ${value} but the ${role} section has no index blocks`, this.dataEnd);
        return;
      }
      if (value === 0) {
        this.f.error('footer-position', `${role} index blocks at ${run.blocks[0].offset} but ${field} is 0; readers will never use them`, run.blocks[0].offset);
      } else if (!run.blocks.some((w) => w.offset === value)) {
        this.f.error('footer-position', `${field} ${value} is not the start of a block of the ${role} index`, this.dataEnd);
      }
    };
    idx('ref', ft.refIndexPosition, 'ref_index_position');
    idx('obj', ft.objIndexPosition, 'obj_index_position');
    idx('log', ft.logIndexPosition, 'log_index_position');
  }

  // ---- records (§ 3.2, § 3.3) ----------------------------------------------------------------

  private decodeRecords(w: Walked): void {
    if (w.broken) return;
    // Log blocks are read (inflated) again here, one at a time (see walk).
    const b = w.block ?? readBlock(this.src, w.offset, this.ctx);
    if (!b) return;
    const starts = new Map<number, number>();
    let pos = b.recordsStart;
    let prev: Uint8Array = new Uint8Array(0);
    let missing = 0;
    const restartSet = new Set(b.restarts);
    const keep = w.role === 'obj' || w.role === 'refIndex' || w.role === 'objIndex' || w.role === 'logIndex';
    let count = 0;
    while (pos < b.restartsStart) {
      let r;
      try {
        r = b.decodeAt(pos, prev);
      } catch (e) {
        this.f.fromError(e, b.abs(pos), `${b.typeName} block at ${b.offset}`);
        w.broken = true;
        break;
      }
      starts.set(pos, r.header.prefixLen);
      const key = r.header.key;
      if (count > 0 && compareBytes(prev, key) >= 0) {
        this.f.error('key-order', `key ${show(key)} is not after ${show(prev)} in the ${b.typeName} block at ${b.offset}`, b.abs(pos));
      }
      if (r.header.prefixLen === 0 && !restartSet.has(pos) && b.restarts.length < 65535) missing++;
      if (count === 0) w.firstKey = key;
      count++;
      if (keep) w.records.push({ header: r.header, record: r.record as Walked['records'][number]['record'] });
      else if (w.role === 'ref') this.checkRef(r.record as RefRecord, b.abs(r.header.start), b.offset);
      else if (w.role === 'log') this.checkLog(r.record as LogRecord, r.header, b.abs(r.header.start));
      prev = key;
      pos = r.next;
    }
    if (count === 0 && !w.broken) this.f.error('empty-block', `${b.typeName} block at ${b.offset} holds no records`, b.offset);
    if (count > 0) w.lastKey = prev;
    // Later checks need only the keys and offsets of data blocks (an inflated log block is
    // its block size in memory).
    if (!keep) w.block = undefined;
    if (w.broken) return;
    for (let i = 0; i < b.restarts.length; i++) {
      const rp = b.restarts[i];
      if (!starts.has(rp)) {
        this.f.error('restart', `restart ${i} of the ${b.typeName} block at ${b.offset} points at ${rp}, which is not the start of a record`, b.abs(b.restartsStart + 3 * i));
      } else {
        if (starts.get(rp) !== 0) {
          this.f.error('restart', `record at restart ${i} of the ${b.typeName} block at ${b.offset} shares a prefix with the previous key`, b.abs(rp));
        }
      }
    }
    if (missing > 0) {
      this.f.warn('restart-missing', `${missing} record(s) with prefix length 0 in the ${b.typeName} block at ${b.offset} are not restart points (git registers every such record)`, b.offset);
    }
  }

  /** Keys strictly increase across the blocks of a section (§ 3.2). */
  private checkKeyOrder(role: DataRole): void {
    const run = this.section(role);
    if (!run) return;
    let prev: Walked | undefined;
    for (const w of run.blocks) {
      if (w.firstKey && prev?.lastKey && compareBytes(prev.lastKey, w.firstKey) >= 0) {
        this.f.error('key-order', `first key ${show(w.firstKey)} of the ${role} block at ${w.offset} is not after the last key ${show(prev.lastKey)} of the block at ${prev.offset}`, w.offset);
      }
      if (w.lastKey) prev = w;
    }
  }

  // ---- ref and log records (§ 4.1, § 4.4) ----------------------------------------------------

  private checkRef(r: RefRecord, at: number, blockOffset: number): void {
    const f = this.refFindings;
    if (r.updateIndex < this.min || r.updateIndex > this.max) {
      f.error('update-index', `ref ${show(r.name)} has update index ${r.updateIndex}, outside the table's [${this.min}, ${this.max}]`, at);
    }
    if (r.name.includes(0)) f.warn('ref-name', `ref name ${show(r.name)} contains a NUL byte; git cannot write it`, at);
    if (r.valueType === 1 && r.value && isZero(r.value)) f.warn('zero-id', `ref ${show(r.name)} holds the zero object id; git writes a deletion instead`, at);
    if (r.valueType === 3 && r.target && r.target.length === 0) f.warn('symref', `symref ${show(r.name)} has an empty target`, at);
    const ids = this.idBlocks;
    if (!ids) return;
    for (const id of [r.value, r.peeled]) {
      if (!id) continue;
      const k = toHex(id);
      const had = ids.get(k);
      if (had === undefined) ids.set(k, blockOffset);
      else if (typeof had === 'number') {
        if (had !== blockOffset) ids.set(k, [had, blockOffset]);
      } else if (had[had.length - 1] !== blockOffset) had.push(blockOffset);
    }
  }

  private checkLog(r: LogRecord, header: EntryHeader, at: number): void {
    const f = this.logFindings;
    if (r.name.length === 0) f.error('log-key', 'log record with an empty ref name', at);
    if (r.updateIndex > this.max) {
      f.warn('update-index', `log entry ${show(r.name)}@${r.updateIndex} is above the table's max_update_index ${this.max} (git 2.48+ refuses to write it)`, at);
    }
    if (header.extra > 1) f.warn('log-type', `log entry ${show(r.name)}@${r.updateIndex} has value type ${header.extra}; git writes 0 or 1`, at);
    if (r.valueType !== 1) return;
    const lf = r.message.indexOf(0x0a);
    if (lf >= 0 && lf !== r.message.length - 1) {
      f.warn('log-message', `log message of ${show(r.name)}@${r.updateIndex} has a line feed before its end`, at);
    }
    const tz = Math.abs(r.tz);
    if (tz % 100 >= 60 || tz > 2400) {
      f.info('log-tz', `log entry ${show(r.name)}@${r.updateIndex} has time zone ${r.tz}, not a ±HHMM value (minutes, as JGit writes?)`, at);
    }
  }

  // ---- indexes (§ 4.2, § 6.3) ----------------------------------------------------------------

  private checkIndex(role: DataRole): void {
    const data = this.section(role);
    const index = this.section(INDEX_ROLE[role]);
    const top = role === 'ref' ? this.footer.refIndexPosition : role === 'obj' ? this.footer.objIndexPosition : this.footer.logIndexPosition;
    if (!data) return;
    if (!index) {
      if (data.blocks.length > INDEX_THRESHOLD && role !== 'obj') {
        this.f.info('index-missing', `${role} section has ${data.blocks.length} blocks but no index; git writes one above ${INDEX_THRESHOLD}`, data.blocks[0].offset);
      } else if (data.blocks.length > INDEX_THRESHOLD) {
        this.f.info('index-missing', `obj section has ${data.blocks.length} blocks but no index`, data.blocks[0].offset);
      }
      return;
    }
    if (data.blocks.length <= INDEX_THRESHOLD) {
      this.f.info('index-unneeded', `${role} section has only ${data.blocks.length} block(s) but an index; git indexes sections of more than ${INDEX_THRESHOLD}`, index.blocks[0].offset);
    }
    const topIdx = index.blocks.findIndex((w) => w.offset === top);
    if (topIdx < 0) return; // reported by checkFooterPositions
    const topBlocks = index.blocks.slice(topIdx);
    if (topBlocks.length > INDEX_THRESHOLD) {
      this.f.info('index-levels', `top level of the ${role} index has ${topBlocks.length} blocks; git adds levels until it has at most ${INDEX_THRESHOLD}`, top);
    }
    const targets = new Map<number, Walked>();
    for (const w of data.blocks) targets.set(w.offset, w);
    for (const w of index.blocks) targets.set(w.offset, w);
    const hits = new Map<number, number>();
    const depth = new Map<number, number>();
    const onPath = new Set<number>();
    const visited = new Set<number>();
    // Depth-first over index blocks with an explicit stack: a hostile chain of index blocks
    // must not overflow the call stack.
    const stack: { w: Walked; level: number; i: number }[] = [];
    const enter = (w: Walked, level: number): void => {
      if (onPath.has(w.offset)) {
        this.f.error('index-cycle', `${role} index pointers form a cycle through the block at ${w.offset}`, w.offset);
        return;
      }
      if (visited.has(w.offset)) return;
      visited.add(w.offset);
      onPath.add(w.offset);
      stack.push({ w, level, i: 0 });
    };
    const topSet = new Set(topBlocks);
    /** Data blocks in the order a walk of the index reaches them: must be file order. */
    const order: number[] = [];
    for (const first of topBlocks) {
      enter(first, 0);
      while (stack.length > 0) {
        const frame = stack[stack.length - 1];
        const { w, level } = frame;
        if (frame.i >= w.records.length) {
          onPath.delete(w.offset);
          stack.pop();
          continue;
        }
        const { header, record } = w.records[frame.i++];
        const ir = record as IndexRecord;
        const at = w.block!.abs(header.start);
        const t = targets.get(ir.position);
        if (!t) {
          this.f.error('index-target', `${role} index entry ${show(ir.lastKey)} points at ${ir.position}, which is not a block of the ${role} section or its index`, at);
          continue;
        }
        hits.set(t.offset, (hits.get(t.offset) ?? 0) + 1);
        if (t.role === INDEX_ROLE[role] && t.offset >= w.offset && !onPath.has(t.offset)) {
          this.f.warn('index-order', `${role} index block at ${w.offset} points forward to the index block at ${t.offset}; git writes lower levels first`, at);
        }
        if (t.lastKey && compareBytes(t.lastKey, ir.lastKey) !== 0) {
          this.f.error('index-key', `${role} index entry ${show(ir.lastKey)} does not match the last key ${show(t.lastKey)} of the block at ${t.offset}`, at);
        }
        if (t.role === role) {
          if (!depth.has(t.offset)) depth.set(t.offset, level + 1);
          order.push(t.offset);
        } else if (topSet.has(t)) {
          this.f.error('index-cycle', `${role} index entry points back into the top level (block at ${t.offset})`, at);
        } else {
          enter(t, level + 1);
        }
      }
    }
    for (const w of data.blocks) {
      const n = hits.get(w.offset) ?? 0;
      if (n !== 1 && !w.broken) this.f.error('index-coverage', `${role} block at ${w.offset} is referenced by ${n} index entries (exactly 1 expected)`, w.offset);
    }
    for (const w of index.blocks.slice(0, topIdx)) {
      const n = hits.get(w.offset) ?? 0;
      if (n !== 1 && !w.broken) this.f.error('index-coverage', `${role} index block at ${w.offset} is referenced by ${n} higher-level entries (exactly 1 expected)`, w.offset);
    }
    for (let i = 1; i < order.length; i++) {
      if (order[i] <= order[i - 1]) {
        this.f.error('index-order', `${role} index lists the block at ${order[i]} after the block at ${order[i - 1]}; seeks through it land in the wrong block`, top);
        break;
      }
    }
    const depths = new Set(depth.values());
    if (depths.size > 1) this.f.warn('index-depth', `${role} blocks sit at different index depths (${[...depths].sort().join(', ')})`, top);
  }

  // ---- obj section (§ 4.3, § 6.4) ------------------------------------------------------------

  private checkObjs(): void {
    const refRun = this.section('ref');
    const objRun = this.section('obj');
    const idLen = this.footer.objIdLength;
    if (!objRun) return;
    const refBlocks = new Set((refRun?.blocks ?? []).map((w) => w.offset));
    const refsComplete = refRun !== undefined && refRun.blocks.every((w) => !w.broken);
    // Full id (hex) → ref blocks holding a ref with that value or peeled value.
    const byId = this.idBlocks ?? new Map<string, number | number[]>();
    // Prefix → expected positions, and git's obj_id_len for these ids.
    const ids = [...byId.keys()].sort();
    let maxCommon = 1;
    for (let i = 1; i < ids.length; i++) {
      let c = 0;
      while (c < ids[i].length && ids[i][c] === ids[i - 1][c]) c++;
      maxCommon = Math.max(maxCommon, Math.floor(c / 2));
    }
    const gitLen = maxCommon + 1;
    const expected = new Map<string, Set<number>>();
    for (const id of ids) {
      const p = id.slice(0, idLen * 2);
      let s = expected.get(p);
      if (!s) expected.set(p, (s = new Set()));
      const at = byId.get(id)!;
      if (typeof at === 'number') s.add(at);
      else for (const o of at) s.add(o);
    }
    if (idLen > 0 && idLen < gitLen && refsComplete) {
      this.f.warn('obj-id-len', `obj_id_len ${idLen} does not make the object ids unique (git would use ${gitLen})`, this.dataEnd);
    } else if (idLen > gitLen && refsComplete) {
      this.f.info('obj-id-len', `obj_id_len ${idLen} is longer than git's ${gitLen} for these object ids`, this.dataEnd);
    }
    const seen = new Set<string>();
    let countZero = 0;
    for (const w of objRun.blocks) {
      for (const { header, record } of w.records) {
        const o = record as ObjRecord;
        const at = w.block!.abs(header.start);
        const key = toHex(o.prefix);
        if (o.prefix.length !== idLen) {
          this.f.error('obj-key', `obj record ${key} is ${o.prefix.length} bytes long, but obj_id_len is ${idLen}`, at);
          continue;
        }
        seen.add(key);
        if (o.positions.length === 0) {
          countZero++;
          continue;
        }
        let ok = true;
        for (let i = 0; i < o.positions.length; i++) {
          const p = o.positions[i];
          if (i > 0 && p <= o.positions[i - 1]) {
            this.f.error('obj-position', `obj record ${key}: positions are not strictly ascending (${o.positions[i - 1]}, ${p})`, at);
            ok = false;
          }
          if (!refBlocks.has(p)) {
            this.f.error('obj-position', `obj record ${key} lists ${p}, which is not the start of a ref block`, at);
            ok = false;
          }
        }
        const want = expected.get(key);
        if (!refsComplete || !ok) continue;
        if (!want) {
          this.f.error('obj-extra', `obj record ${key} matches no ref in this table`, at);
          continue;
        }
        const got = [...new Set(o.positions)].sort((a, b) => a - b);
        const exp = [...want].sort((a, b) => a - b);
        if (got.join() !== exp.join()) {
          this.f.error('obj-positions', `obj record ${key} lists ref blocks [${got.join(', ')}], but refs with that id prefix are in [${exp.join(', ')}]`, at);
        }
      }
    }
    if (countZero > 0) this.f.info('obj-count-zero', `${countZero} obj record(s) have count 0 ("too many refs"); lookups scan every ref block`, objRun.blocks[0].offset);
    const broken = objRun.blocks.some((w) => w.broken);
    if (refsComplete && !broken && idLen > 0) {
      for (const p of expected.keys()) {
        if (!seen.has(p)) this.f.error('obj-missing', `no obj record for id prefix ${p}, although refs in this table point at it`, objRun.blocks[0].offset);
      }
    }
  }
}

function fieldName(k: keyof FooterFields): string {
  return k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()).replace('obj_id_length', 'obj_id_len');
}

/** A key for messages: text when printable, with the log key's update index decoded. */
function show(key: Uint8Array): string {
  const nul = key.length >= 10 ? key.length - 9 : -1;
  if (nul >= 0 && key[nul] === 0) {
    const hi = 0xffffffff - readU32(key, nul + 1);
    const lo = 0xffffffff - readU32(key, nul + 5);
    const ui = hi * 0x1_0000_0000 + lo;
    return `"${printable(key.subarray(0, nul))}"@${ui}`;
  }
  return `"${printable(key)}"`;
}

function printable(b: Uint8Array): string {
  const s = text(b.length > 200 ? b.subarray(0, 200) : b);
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) + (b.length > 200 ? '…' : '');
}

/**
 * Byte-range model of one table for the inspector: which bytes are the header, each block,
 * each record and each field of a record, the restart tables, padding and the footer.
 * Git has no counterpart; this is built from reftable.adoc § File format / § Block format.
 *
 * Everything returned is plain data (numbers and strings) so it crosses postMessage as is.
 * The model is lazy: `tableLayout` walks block headers only (inflating log blocks, because
 * only the zlib stream's end tells where the next one starts), and `blockLayout` decodes the
 * records of one block when asked — a 40 MB table is served block by block.
 */
import { compareBytes, fromHex, readU16, readU24, readU32, readU64, readVarint, text, toHex } from './bytes.js';
import { Block, readBlock } from './block.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import { BlockType, blockTypeName } from './format.js';
import { AnyRecord, EntryHeader, RefRecord, decodeEntryHeader, parseLogKey, recordKey } from './record.js';
import { SectionKind, SeekStep, Table, newestLogKey } from './table.js';

// ---- model types ------------------------------------------------------------------------

export interface ByteRange {
  offset: number;
  length: number;
}

/** How the webview styles a field; the key prefix/suffix distinction is the important one. */
export type FieldRole =
  | 'magic' | 'number' | 'hash-id' | 'position' | 'crc'
  | 'block-type' | 'block-len' | 'restart' | 'restart-count'
  | 'prefix-len' | 'suffix-len' | 'key-prefix' | 'key-suffix'
  | 'varint' | 'oid' | 'text' | 'time' | 'tz';

export interface LayoutField extends ByteRange {
  name: string;
  /** Human-readable value. */
  value: string;
  role: FieldRole;
  /** File offset of a block this field points at (index and obj positions, footer positions). */
  target?: number;
  /** For checks (CRC): false when the stored value is wrong. */
  ok?: boolean;
}

export type BlockTypeName = 'ref' | 'log' | 'obj' | 'index';

export interface BlockSummary {
  /** Position in `TableLayout.blocks`. */
  index: number;
  /** Block start as the format counts it: 0 for the first block (the file header is inside). */
  offset: number;
  /** File offset of the block's type byte (offset + file header length for the first block). */
  start: number;
  type: BlockTypeName;
  /** Section the block belongs to (index blocks take the section they index). */
  section: SectionKind;
  /** Index level (1 = points at data blocks); only for index blocks. */
  level?: number;
  /** The `block_len` field: uncompressed bytes from `offset` through the restart count. */
  blockLen: number;
  /** Bytes on disk without padding (log blocks: header + zlib stream). */
  diskLength: number;
  /** Bytes on disk including the NUL padding after the block. */
  paddedLength: number;
  restartCount: number;
  /** Log blocks: bytes of the zlib stream. */
  compressedLength?: number;
}

export interface UnparsedRange extends ByteRange {
  reason: string;
}

export interface TableLayout {
  name: string;
  size: number;
  version: number;
  blockSize: number;
  hash: 'sha1' | 'sha256';
  headerLength: number;
  minUpdateIndex: number;
  maxUpdateIndex: number;
  header: ByteRange & { fields: LayoutField[] };
  blocks: BlockSummary[];
  /** NUL padding after blocks, in file order. */
  paddings: (ByteRange & { block: number })[];
  footer: ByteRange & { fields: LayoutField[]; crcStored: number; crcActual: number; crcOk: boolean };
  sections: Partial<Record<SectionKind, { start: number; indexPosition: number }>>;
  objIdLength: number;
  /** Bytes the walk could not explain (after a corrupt block), with the reason. */
  unparsed?: UnparsedRange;
}

export type DecodedRecord =
  | { kind: 'ref'; name: string; updateIndex: number; valueType: number; valueTypeName: string; value?: string; peeled?: string; target?: string }
  | {
    kind: 'log'; name: string; updateIndex: number; valueType: number; valueTypeName: string; old?: string; new?: string;
    committer?: string; email?: string; time?: number; tz?: string; message?: string;
  }
  | { kind: 'obj'; prefix: string; positions: number[] }
  | { kind: 'index'; lastKey: string; position: number };

export interface RecordLayout extends ByteRange {
  index: number;
  prefixLength: number;
  suffixOffset: number;
  suffixLength: number;
  /** The record sits at a restart point. */
  restart: boolean;
  /** Display form of the full key (log keys as `name @ update index`). */
  key: string;
  keyHex: string;
  fields: LayoutField[];
  decoded: DecodedRecord;
}

export interface BlockLayout {
  summary: BlockSummary;
  /**
   * 'file': offsets are file offsets. 'inflated': offsets are positions in the inflated log
   * block (0 = block start); bytes [0, start-offset+4) coincide with the file, the rest lives
   * inside the zlib stream `compressed`.
   */
  space: 'file' | 'inflated';
  /** Block-level fields: type, block_len, each restart offset, restart count. */
  fields: LayoutField[];
  records: RecordLayout[];
  restarts: number[];
  /** Log blocks: where the zlib stream is on disk. */
  compressed?: ByteRange;
  padding?: ByteRange;
  /** The first problem met while decoding; records before it are still listed. */
  error?: { message: string; offset?: number };
}

// ---- table walk -------------------------------------------------------------------------

const u64 = (v: number) => `${v}`;
const hex32 = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;

export function tableLayout(table: Table): TableLayout {
  const h = table.header;
  const f = table.footer;
  const src = table.source;
  const hl = h.headerLength;
  const headerBytes = src.read(0, hl);
  const headerFields = headerFieldList(headerBytes, 0, h.version);

  const blocks: BlockSummary[] = [];
  const paddings: TableLayout['paddings'] = [];
  const byOffset = new Map<number, BlockSummary>();
  let unparsed: UnparsedRange | undefined;
  let off = 0;
  let section: SectionKind = 'ref';
  if (table.dataEnd > hl) {
    while (off < table.dataEnd) {
      let s: BlockSummary;
      try {
        s = summarizeBlock(table, off, blocks.length, section, byOffset);
      } catch (e) {
        const start = off === 0 ? hl : off;
        unparsed = { offset: start, length: table.dataEnd - start, reason: errorText(e) };
        break;
      }
      if (s.type !== 'index') section = s.section;
      blocks.push(s);
      byOffset.set(s.offset, s);
      if (s.paddedLength > s.diskLength) paddings.push({ offset: s.offset + s.diskLength, length: s.paddedLength - s.diskLength, block: s.index });
      off += s.paddedLength;
    }
  }

  const fb = src.read(f.offset, f.length);
  const footerFields = headerFieldList(fb, f.offset, h.version).map((x) => ({ ...x, name: `header copy: ${x.name}` }));
  const p = f.offset + hl;
  const pos = (name: string, o: number, v: number): LayoutField => ({ name, offset: o, length: 8, value: u64(v), role: 'position', target: v > 0 || name === 'log_position' ? v : undefined });
  footerFields.push(pos('ref_index_position', p, f.refIndexPosition));
  footerFields.push({
    name: 'obj_position << 5 | obj_id_len', offset: p + 8, length: 8, value: `position ${f.objPosition}, id length ${f.objIdLength}`, role: 'position',
    target: f.objPosition > 0 ? f.objPosition : undefined,
  });
  footerFields.push(pos('obj_index_position', p + 16, f.objIndexPosition));
  footerFields.push(pos('log_position', p + 24, f.logPosition));
  if (!table.sections.log) delete footerFields[footerFields.length - 1].target;
  footerFields.push(pos('log_index_position', p + 32, f.logIndexPosition));
  const crcOk = f.crcStored === f.crcActual;
  footerFields.push({
    name: 'crc32', offset: p + 40, length: 4, role: 'crc', ok: crcOk,
    value: crcOk ? `${hex32(f.crcStored)} (matches)` : `${hex32(f.crcStored)} stored, ${hex32(f.crcActual)} computed`,
  });

  const sections: TableLayout['sections'] = {};
  for (const k of ['ref', 'obj', 'log'] as const) {
    const s = table.sections[k];
    if (s) sections[k] = { start: s.start, indexPosition: s.indexPosition };
  }
  return {
    name: table.name, size: table.size, version: h.version, blockSize: h.blockSize, hash: h.hash.name, headerLength: hl,
    minUpdateIndex: h.minUpdateIndex, maxUpdateIndex: h.maxUpdateIndex,
    header: { offset: 0, length: hl, fields: headerFields },
    blocks, paddings,
    footer: { offset: f.offset, length: f.length, fields: footerFields, crcStored: f.crcStored, crcActual: f.crcActual, crcOk },
    sections, objIdLength: f.objIdLength, unparsed,
  };
}

function headerFieldList(b: Uint8Array, base: number, version: number): LayoutField[] {
  const fields: LayoutField[] = [
    { name: 'magic', offset: base, length: 4, value: JSON.stringify(String.fromCharCode(b[0], b[1], b[2], b[3])), role: 'magic' },
    { name: 'version', offset: base + 4, length: 1, value: `${b[4]}`, role: 'number' },
    { name: 'block_size', offset: base + 5, length: 3, value: `${readU24(b, 5)}`, role: 'number' },
    { name: 'min_update_index', offset: base + 8, length: 8, value: u64(safeU64(b, 8)), role: 'number' },
    { name: 'max_update_index', offset: base + 16, length: 8, value: u64(safeU64(b, 16)), role: 'number' },
  ];
  if (version === 2) {
    const id = readU32(b, 24);
    fields.push({ name: 'hash_id', offset: base + 24, length: 4, value: `${String.fromCharCode(b[24], b[25], b[26], b[27])} (${hex32(id)})`, role: 'hash-id' });
  }
  return fields;
}

function safeU64(b: Uint8Array, o: number): number {
  try {
    return readU64(b, o);
  } catch {
    return NaN;
  }
}

function errorText(e: unknown): string {
  return e instanceof ReftableError ? e.reason : e instanceof Error ? e.message : String(e);
}

/** Read one block's framing without decoding its records (log blocks are inflated). */
function summarizeBlock(table: Table, off: number, index: number, section: SectionKind, byOffset: Map<number, BlockSummary>): BlockSummary {
  const src = table.source;
  const ctx = table.ctx;
  const headerOff = off === 0 ? ctx.headerLength : 0;
  const start = off + headerOff;
  if (start + 4 > ctx.dataEnd) throw formatError('block header runs into the footer', start);
  const head = src.read(start, 4);
  const typeByte = head[0];
  if (typeByte === BlockType.Log) {
    const b = readBlock(src, off, ctx)!;
    const compressed = b.compressedLength ?? 0;
    const disk = headerOff + 4 + compressed;
    return {
      index, offset: off, start, type: 'log', section: 'log', blockLen: b.blockLen, diskLength: disk, paddedLength: disk,
      restartCount: b.restartCount, compressedLength: compressed,
    };
  }
  const type = blockTypeName(typeByte);
  if (type === 'unknown') throw formatError(`unknown block type 0x${typeByte.toString(16)}`, start);
  const blockLen = readU24(head, 1);
  if (blockLen < headerOff + 6) throw formatError(`block length ${blockLen} is too small`, start + 1);
  if (ctx.blockSize > 0 && blockLen > ctx.blockSize) throw formatError(`block length ${blockLen} exceeds the block size ${ctx.blockSize}`, start + 1);
  if (off + blockLen > ctx.dataEnd) throw formatError(`block length ${blockLen} runs past the end of the data`, start + 1);
  const restartCount = readU16(src.read(off + blockLen - 2, 2), 0);
  if (blockLen - 2 - 3 * restartCount < headerOff + 4) throw formatError(`restart count ${restartCount} does not fit in the block`, off + blockLen - 2);
  // On-disk extent as git computes it (reftable-format § 5.2), cut at the footer because the
  // last block before it is never padded.
  let padded: number;
  if (ctx.blockSize === 0) padded = blockLen;
  else if (blockLen < ctx.blockSize && off + blockLen < ctx.dataEnd && src.read(off + blockLen, 1)[0] !== 0) padded = blockLen;
  else padded = ctx.blockSize;
  padded = Math.min(padded, ctx.dataEnd - off);
  const s: BlockSummary = {
    index, offset: off, start, type, section: type === 'index' ? section : (type as SectionKind), blockLen, diskLength: blockLen, paddedLength: padded, restartCount,
  };
  if (type === 'index') s.level = indexLevel(table, off, headerOff, blockLen, restartCount, byOffset);
  return s;
}

/** Lower index levels precede upper ones, so the first record's target already has a level. */
function indexLevel(table: Table, off: number, headerOff: number, blockLen: number, restartCount: number, byOffset: Map<number, BlockSummary>): number {
  const b = table.source.read(off, blockLen);
  const end = blockLen - 2 - 3 * restartCount;
  const h = decodeEntryHeader(b, headerOff + 4, end, new Uint8Array(0));
  const target = readVarint(b, h.valueStart, end).value;
  const t = byOffset.get(target);
  return t && t.type === 'index' ? (t.level ?? 1) + 1 : 1;
}

// ---- one block --------------------------------------------------------------------------

/** Decode the block at `offset` (a BlockSummary.offset) into records and fields. */
export function blockLayout(table: Table, offset: number, summary?: BlockSummary): BlockLayout {
  const s = summary ?? summarizeBlock(table, offset, -1, 'ref', new Map());
  const isLog = s.type === 'log';
  const base = isLog ? 0 : s.offset;
  const headerOff = s.start - s.offset;
  const out: BlockLayout = {
    summary: s, space: isLog ? 'inflated' : 'file', fields: [], records: [], restarts: [],
  };
  if (isLog) out.compressed = { offset: s.start + 4, length: s.compressedLength ?? 0 };
  if (s.paddedLength > s.diskLength) out.padding = { offset: s.offset + s.diskLength, length: s.paddedLength - s.diskLength };
  out.fields.push({ name: 'block_type', offset: base + headerOff, length: 1, value: `'${String.fromCharCode(BlockType[cap(s.type)])}' (${s.type})`, role: 'block-type' });
  out.fields.push({ name: 'block_len', offset: base + headerOff + 1, length: 3, value: `${s.blockLen}${isLog ? ' (inflated)' : ''}`, role: 'block-len' });

  let block: Block;
  try {
    const b = table.block(s.offset);
    if (!b) throw formatError('no block here', s.offset);
    block = b;
  } catch (e) {
    out.error = { message: errorText(e), offset: e instanceof ReftableError ? e.offset : undefined };
    return out;
  }
  const data = block.data;
  const restartSet = new Set<number>();
  for (let i = 0; i < block.restarts.length; i++) {
    const r = block.restarts[i];
    restartSet.add(r);
    out.restarts.push(base + r);
    out.fields.push({ name: `restart[${i}]`, offset: base + block.restartsStart + 3 * i, length: 3, value: `${r}`, role: 'restart', target: base + r });
  }
  out.fields.push({ name: 'restart_count', offset: base + block.blockLen - 2, length: 2, value: `${block.restarts.length}`, role: 'restart-count' });

  const hashSize = table.hash.size;
  let pos = block.recordsStart;
  let prev: Uint8Array = new Uint8Array(0);
  let i = 0;
  try {
    while (pos < block.restartsStart) {
      const r = block.decodeAt(pos, prev);
      if (r.next <= pos) throw formatError('record does not advance', base + pos);
      out.records.push(recordLayout(data, base, i++, r.header, r.record, r.next, restartSet.has(pos), hashSize, table.minUpdateIndex, s.type));
      prev = r.header.key;
      pos = r.next;
    }
  } catch (e) {
    out.error = { message: errorText(e), offset: e instanceof ReftableError ? e.offset : base + pos };
  }
  return out;
}

function cap(t: BlockTypeName): 'Ref' | 'Log' | 'Obj' | 'Index' {
  return (t[0].toUpperCase() + t.slice(1)) as 'Ref' | 'Log' | 'Obj' | 'Index';
}

const REF_TYPES = ['deletion', 'object id', 'peeled tag', 'symref'];
const LOG_TYPES = ['deletion', 'update'];

export function formatTz(tz: number): string {
  const sign = tz < 0 ? '-' : '+';
  return sign + String(Math.abs(tz)).padStart(4, '0');
}

/** Display form of a key: log keys become `name @ update index`. */
export function keyText(key: Uint8Array, type: BlockTypeName, section: SectionKind): string {
  if (type === 'log' || (type === 'index' && section === 'log')) {
    try {
      const k = parseLogKey(key);
      return `${text(k.name)} @ ${k.updateIndex}`;
    } catch {
      return toHex(key);
    }
  }
  if (type === 'obj' || (type === 'index' && section === 'obj')) return toHex(key);
  return text(key);
}

function recordLayout(
  data: Uint8Array, base: number, index: number, h: EntryHeader, rec: AnyRecord, next: number, restart: boolean,
  hashSize: number, minUpdateIndex: number, type: BlockTypeName,
): RecordLayout {
  const fields: LayoutField[] = [];
  const at = (o: number) => base + o;
  const end = next;
  const p = readVarint(data, h.start, end);
  fields.push({ name: 'prefix_len', offset: at(h.start), length: p.next - h.start, value: `${h.prefixLen}`, role: 'prefix-len' });
  fields.push({
    name: 'suffix_len << 3 | type', offset: at(p.next), length: h.suffixStart - p.next, value: `suffix ${h.suffixLen}, type ${h.extra}`, role: 'suffix-len',
  });
  const section: SectionKind = type === 'index' ? 'ref' : (type as SectionKind);
  fields.push({
    name: 'key suffix', offset: at(h.suffixStart), length: h.suffixLen, role: 'key-suffix',
    value: h.prefixLen > 0 ? `(${h.prefixLen} shared) + ${JSON.stringify(text(h.key.subarray(h.prefixLen)))}` : JSON.stringify(text(h.key)),
  });
  let o = h.valueStart;
  const varint = (name: string, show?: (v: number) => string, role: FieldRole = 'varint', target?: (v: number) => number | undefined): number => {
    const v = readVarint(data, o, end);
    fields.push({ name, offset: at(o), length: v.next - o, value: show ? show(v.value) : `${v.value}`, role, target: target?.(v.value) });
    o = v.next;
    return v.value;
  };
  const oid = (name: string) => {
    fields.push({ name, offset: at(o), length: hashSize, value: toHex(data.subarray(o, o + hashSize)), role: 'oid' });
    o += hashSize;
  };
  const str = (name: string) => {
    const l = readVarint(data, o, end);
    fields.push({ name: `${name} length`, offset: at(o), length: l.next - o, value: `${l.value}`, role: 'varint' });
    o = l.next;
    fields.push({ name, offset: at(o), length: l.value, value: JSON.stringify(text(data.subarray(o, o + l.value))), role: 'text' });
    o += l.value;
  };
  let decoded: DecodedRecord;
  let key: string;
  switch (rec.kind) {
    case 'ref': {
      varint('update_index delta', (v) => `${v} (update index ${minUpdateIndex + v})`);
      if (rec.valueType === 1 || rec.valueType === 2) oid(rec.valueType === 2 ? 'tag object id' : 'object id');
      if (rec.valueType === 2) oid('peeled object id');
      if (rec.valueType === 3) str('symref target');
      decoded = {
        kind: 'ref', name: text(rec.name), updateIndex: rec.updateIndex, valueType: rec.valueType, valueTypeName: REF_TYPES[rec.valueType] ?? '?',
        value: rec.value && toHex(rec.value), peeled: rec.peeled && toHex(rec.peeled), target: rec.target && text(rec.target),
      };
      key = text(rec.name);
      break;
    }
    case 'log': {
      if (rec.valueType === 1) {
        oid('old id');
        oid('new id');
        str('committer name');
        str('committer email');
        varint('time', (v) => `${v} (${new Date(v * 1000).toISOString().replace('.000Z', 'Z')})`, 'time');
        fields.push({ name: 'tz_offset', offset: at(o), length: 2, value: formatTz(rec.tz), role: 'tz' });
        o += 2;
        str('message');
        decoded = {
          kind: 'log', name: text(rec.name), updateIndex: rec.updateIndex, valueType: 1, valueTypeName: LOG_TYPES[1],
          old: toHex(rec.old), new: toHex(rec.new), committer: text(rec.committerName), email: text(rec.email), time: rec.time, tz: formatTz(rec.tz),
          message: text(rec.message),
        };
      } else {
        decoded = { kind: 'log', name: text(rec.name), updateIndex: rec.updateIndex, valueType: rec.valueType, valueTypeName: LOG_TYPES[0] };
      }
      key = `${text(rec.name)} @ ${rec.updateIndex}`;
      break;
    }
    case 'obj': {
      const n = rec.positions.length;
      if (h.extra === 0) varint('count', (v) => (v === 0 ? '0 (too many refs: scan)' : `${v}`));
      if (n > 0) {
        varint('first position', undefined, 'position', (v) => v);
        for (let i = 1; i < n; i++) {
          const prevPos = rec.positions[i - 1];
          varint(`position delta ${i}`, (v) => `+${v} → ${prevPos + v}`, 'position', (v) => prevPos + v);
        }
      }
      decoded = { kind: 'obj', prefix: toHex(rec.prefix), positions: rec.positions };
      key = toHex(rec.prefix);
      break;
    }
    case 'index': {
      varint('block position', undefined, 'position', (v) => v);
      key = keyText(rec.lastKey, 'index', section);
      decoded = { kind: 'index', lastKey: key, position: rec.position };
      break;
    }
  }
  // The shared prefix is not stored here; the suffix field label above says how much is.
  return {
    index, offset: at(h.start), length: next - h.start, prefixLength: h.prefixLen, suffixOffset: at(h.suffixStart), suffixLength: h.suffixLen,
    restart, key, keyHex: toHex(h.key), fields, decoded,
  };
}

/** Index blocks need their section to display keys; call this to fix keys up afterwards. */
export function relabelIndexKeys(layout: BlockLayout): void {
  if (layout.summary.type !== 'index' || layout.summary.section === 'ref') return;
  for (const r of layout.records) {
    const k = keyText(fromHex(r.keyHex), 'index', layout.summary.section);
    r.key = k;
    if (r.decoded.kind === 'index') r.decoded.lastKey = k;
  }
}

/** Block layout with the summary from a table layout (so index keys get their section). */
export function blockLayoutAt(table: Table, layout: TableLayout, blockIndex: number): BlockLayout {
  const s = layout.blocks[blockIndex];
  if (!s) throw formatError(`no block number ${blockIndex}`);
  const b = blockLayout(table, s.offset, s);
  relabelIndexKeys(b);
  return b;
}

// ---- file mapping -----------------------------------------------------------------------

export { locateInBlock, locateInTable, selectionRange, toFileRange } from './layout-map.js';
export type { BlockSelection, LayoutArea } from './layout-map.js';

// ---- seek path --------------------------------------------------------------------------

export interface SeekProbe {
  restart: number;
  key: string;
  /** Sign of compare(restart key, wanted key). */
  cmp: -1 | 0 | 1;
}

export type SeekPathStep =
  | { kind: 'index-block'; offset: number; level: number; probes: SeekProbe[]; chosen?: { lastKey: string; position: number } }
  | { kind: 'scan-blocks'; offsets: number[]; chosen: number }
  | { kind: 'data-block'; offset: number; probes: SeekProbe[]; scanFrom: number; scanned: { offset: number; key: string }[] };

export interface SeekPath {
  want: string;
  section: SectionKind;
  steps: SeekPathStep[];
  /** The record found: its block, its number in the block, its offset (inflated position in log blocks). */
  found?: { key: string; offset: number; block: number; record: number };
  /** When absent: the neighbouring keys it would sit between (either may be missing at the ends). */
  absent?: { before?: string; after?: string };
}

/**
 * Seek `name` the way a reader does (index levels, restart binary search, linear scan) and
 * report every step. Log seeks look for the newest entry of the ref.
 */
export function seekPath(table: Table, name: string, section: 'ref' | 'log' = 'ref'): SeekPath {
  const enc = new TextEncoder().encode(name);
  const want = section === 'log' ? newestLogKey(enc) : enc;
  const kt = (k: Uint8Array) => keyText(k, section, section);
  const trace: SeekStep[] = [];
  const it = table.seekSection<AnyRecord>(section, want, trace);
  const first = it.next();
  it.return(undefined);
  const result: SeekPath = { want: name, section, steps: seekPathSteps(trace, section) };
  const firstKey = first.done ? undefined : recordKey(first.value);
  const data = trace.find((s) => s.kind === 'data-block');
  const isMatch = firstKey !== undefined && (section === 'ref' ? compareBytes(firstKey, want) === 0 : startsWithName(firstKey, enc));
  if (isMatch && data && data.kind === 'data-block') {
    // A match always lies in the block the seek chose (its last key is >= want).
    const b = table.block(data.offset)!;
    let index = 0;
    let offset = b.offset;
    for (const r of b.records()) {
      if (compareBytes(r.header.key, firstKey) === 0) {
        offset = b.type === BlockType.Log ? r.header.start : b.abs(r.header.start);
        break;
      }
      index++;
    }
    result.found = { key: kt(firstKey), block: b.offset, record: index, offset };
  } else {
    result.absent = { after: firstKey && kt(firstKey), before: previousKey(table, section, trace, want, kt) };
  }
  return result;
}

function startsWithName(logKeyBytes: Uint8Array, name: Uint8Array): boolean {
  if (logKeyBytes.length !== name.length + 9) return false;
  for (let i = 0; i < name.length; i++) if (logKeyBytes[i] !== name[i]) return false;
  return logKeyBytes[name.length] === 0;
}

function lastKeyOf(b: Block | undefined): Uint8Array | undefined {
  let last: Uint8Array | undefined;
  if (b) for (const r of b.records()) last = r.header.key;
  return last;
}

/** Largest key < want: in the chosen block, else the previous block's last key. */
function previousKey(table: Table, section: SectionKind, trace: SeekStep[], want: Uint8Array, kt: (k: Uint8Array) => string): string | undefined {
  const sec = table.sections[section];
  if (!sec) return undefined;
  const data = trace.find((s) => s.kind === 'data-block');
  if (!data || data.kind !== 'data-block') {
    // Past the end of the section: the top index level's last key is the section's last key.
    if (sec.indexPosition > 0) {
      let last: Uint8Array | undefined;
      for (const b of table.blocksFrom(sec.indexPosition, BlockType.Index)) last = lastKeyOf(b) ?? last;
      return last && kt(last);
    }
    return undefined;
  }
  const b = table.block(data.offset);
  let last: Uint8Array | undefined;
  if (b) {
    for (const r of b.records()) {
      if (compareBytes(r.header.key, want) >= 0) break;
      last = r.header.key;
    }
  }
  if (last) return kt(last);
  const prev = previousBlockOffset(table, sec.start, sec.blockType, data.offset);
  const pk = prev === undefined ? undefined : lastKeyOf(table.block(prev));
  return pk && kt(pk);
}

function previousBlockOffset(table: Table, sectionStart: number, type: BlockType, offset: number): number | undefined {
  if (offset <= sectionStart) return undefined;
  const bs = table.header.blockSize;
  // Ref and obj blocks are padded to the block size, so the previous one is one block back.
  if (type !== BlockType.Log && bs > 0 && offset % bs === 0) return offset - bs;
  let prev: number | undefined;
  for (const b of table.blocksFrom(sectionStart, type)) {
    if (b.offset >= offset) break;
    prev = b.offset;
  }
  return prev;
}

// ---- object lookup ----------------------------------------------------------------------

export interface ObjectLookup {
  prefix: string;
  method: 'obj-index' | 'scan';
  /** Why a scan was needed. */
  reason?: string;
  /** The obj record met (obj-index method). */
  objRecord?: { prefix: string; positions: number[]; offset: number };
  steps: SeekPathStep[];
  /** Ref blocks visited to confirm candidates. */
  blocksVisited: number[];
  matches: { name: string; offset: number; block: number; valueType: number; value?: string; peeled?: string; via: 'value' | 'peeled' }[];
}

/**
 * Refs whose object id (or peeled id) starts with `oidPrefixHex`, via the obj section when
 * it can answer (prefix at least obj_id_len bytes, record with positions), else by scanning.
 */
export function lookupObject(table: Table, oidPrefixHex: string, limit = 1000): ObjectLookup {
  const hexPrefix = oidPrefixHex.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hexPrefix)) throw new ReftableError(ErrorCode.Usage, `not a hexadecimal object id prefix: ${JSON.stringify(oidPrefixHex)}`);
  const out: ObjectLookup = { prefix: hexPrefix, method: 'scan', steps: [], blocksVisited: [], matches: [] };
  const check = (b: Block) => {
    out.blocksVisited.push(b.offset);
    for (const r of b.records()) {
      const rec = r.record as RefRecord;
      const v = rec.value && toHex(rec.value);
      const p = rec.peeled && toHex(rec.peeled);
      const via = v?.startsWith(hexPrefix) ? 'value' : p?.startsWith(hexPrefix) ? 'peeled' : undefined;
      if (!via) continue;
      if (out.matches.length >= limit) return;
      out.matches.push({ name: text(rec.name), offset: b.abs(r.header.start), block: b.offset, valueType: rec.valueType, value: v, peeled: p, via });
    }
  };
  const idLen = table.footer.objIdLength;
  const obj = table.sections.obj;
  if (!obj) out.reason = 'the table has no obj section';
  else if (hexPrefix.length < idLen * 2) out.reason = `prefix shorter than the obj section's ${idLen}-byte keys`;
  else {
    const key = fromHex(hexPrefix.slice(0, idLen * 2));
    const trace: SeekStep[] = [];
    const it = table.seekSection<AnyRecord>('obj', key, trace);
    const first = it.next();
    it.return(undefined);
    out.steps = seekPathSteps(trace, 'obj');
    const rec = !first.done && first.value.kind === 'obj' && compareBytes(first.value.prefix, key) === 0 ? first.value : undefined;
    if (!rec) {
      out.method = 'obj-index';
      return out;
    }
    const data = trace.find((s) => s.kind === 'data-block');
    const scanned = data && data.kind === 'data-block' ? data.scanned.find((s) => compareBytes(s.key, key) === 0) : undefined;
    out.objRecord = { prefix: toHex(rec.prefix), positions: rec.positions, offset: scanned?.offset ?? -1 };
    if (rec.positions.length > 0) {
      out.method = 'obj-index';
      for (const p of rec.positions) {
        const b = table.block(p);
        if (!b || b.type !== BlockType.Ref) throw formatError(`obj record points at ${p}, which is not a ref block`, p);
        check(b);
      }
      return out;
    }
    out.reason = 'the obj record lists no positions (too many refs): scan';
  }
  for (const b of table.sectionBlocks('ref')) check(b);
  return out;
}

function seekPathSteps(trace: SeekStep[], section: SectionKind): SeekPathStep[] {
  const kt = (k: Uint8Array) => keyText(k, section === 'obj' ? 'obj' : section, section);
  return trace.map((s) => {
    const probes = (ps: { restart: number; key: Uint8Array; cmp: number }[]): SeekProbe[] =>
      ps.map((p) => ({ restart: p.restart, key: kt(p.key), cmp: Math.sign(p.cmp) as -1 | 0 | 1 }));
    switch (s.kind) {
      case 'index-block':
        return { kind: s.kind, offset: s.offset, level: s.level, probes: probes(s.probes), chosen: s.chosen && { lastKey: kt(s.chosen.lastKey), position: s.chosen.position } };
      case 'scan-blocks':
        return { kind: s.kind, offsets: s.offsets, chosen: s.chosen };
      case 'data-block':
        return { kind: s.kind, offset: s.offset, probes: probes(s.probes), scanFrom: s.scanFrom, scanned: s.scanned.map((x) => ({ offset: x.offset, key: kt(x.key) })) };
    }
  });
}

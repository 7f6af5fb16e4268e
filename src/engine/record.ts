/**
 * Records (reftable.adoc § Ref record, § Index record, § Obj record, § Log record) and the
 * prefix-compressed key framing they share. Decoders take (buffer, offset, end) and never
 * read outside [offset, end); every malformed input is a ReftableError with the offset.
 */
import {
  ByteWriter, commonPrefixLength, readI16, readU32, readVarint,
} from './bytes.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import { BlockType, LogValueType, RefValueType } from './format.js';

export interface RefRecord {
  kind: 'ref';
  name: Uint8Array;
  updateIndex: number;
  valueType: RefValueType;
  /** Object id (type 1), or the tag object id (type 2). */
  value?: Uint8Array;
  /** Fully peeled id (type 2). */
  peeled?: Uint8Array;
  /** Symref target (type 3). */
  target?: Uint8Array;
}

export interface LogRecord {
  kind: 'log';
  name: Uint8Array;
  updateIndex: number;
  valueType: LogValueType;
  old: Uint8Array;
  new: Uint8Array;
  committerName: Uint8Array;
  email: Uint8Array;
  /** Seconds since the epoch. */
  time: number;
  /** Zone as git's signed HHMM integer (-800 for -0800). */
  tz: number;
  message: Uint8Array;
}

export interface ObjRecord {
  kind: 'obj';
  /** The first obj_id_len bytes of an object id. */
  prefix: Uint8Array;
  /** Absolute offsets of ref blocks; empty when git recorded "too many" (count 0). */
  positions: number[];
}

export interface IndexRecord {
  kind: 'index';
  lastKey: Uint8Array;
  position: number;
}

export type AnyRecord = RefRecord | LogRecord | ObjRecord | IndexRecord;

// ---- key framing -------------------------------------------------------------------------

export interface EntryHeader {
  /** Offset of the record's first byte. */
  start: number;
  prefixLen: number;
  suffixLen: number;
  /** The 3-bit value type / count. */
  extra: number;
  /** Offset of the suffix bytes. */
  suffixStart: number;
  /** Offset of the value bytes (right after the suffix). */
  valueStart: number;
  key: Uint8Array;
}

/**
 * The key framing of the record at `o` (its two varints, checked against `prevKey` and the
 * records' end), left in `framing` rather than in an object: this runs once per record of
 * every scan. Returns where the key suffix starts.
 */
const framing = { prefixLen: 0, suffixLen: 0, extra: 0 };
function readFraming(b: Uint8Array, o: number, end: number, prevLen: number): number {
  const start = o;
  // Both varints nearly always fit in one byte; skip the general decoder (and its result
  // object) then.
  let prefixLen: number;
  let sv: number;
  if (o + 1 < end && b[o] < 0x80 && b[o + 1] < 0x80) {
    prefixLen = b[o];
    sv = b[o + 1];
    o += 2;
  } else {
    const p = readVarint(b, o, end);
    const s = readVarint(b, p.next, end);
    prefixLen = p.value;
    sv = s.value;
    o = s.next;
  }
  const suffixLen = Math.floor(sv / 8);
  if (prefixLen > prevLen) {
    throw formatError(`key shares ${prefixLen} bytes with a previous key of only ${prevLen}`, start);
  }
  if (suffixLen > end - o) throw formatError(`key suffix of ${suffixLen} bytes runs past the end of the records`, start);
  if (prefixLen + suffixLen === 0) throw formatError('record has an empty key', start);
  framing.prefixLen = prefixLen;
  framing.suffixLen = suffixLen;
  framing.extra = sv & 7;
  return o;
}

/** The key: `prefixLen` bytes of the previous key, then the suffix at b[suffixStart…]. */
function joinKey(prevKey: Uint8Array, prefixLen: number, b: Uint8Array, suffixStart: number, suffixLen: number): Uint8Array {
  const key = new Uint8Array(prefixLen + suffixLen);
  // Byte loops: ref names are short, and subarray() views cost more than the copy.
  for (let i = 0; i < prefixLen; i++) key[i] = prevKey[i];
  for (let i = 0; i < suffixLen; i++) key[prefixLen + i] = b[suffixStart + i];
  return key;
}

/** Decode the key framing of the record at `o`, given the previous key of this block. */
export function decodeEntryHeader(b: Uint8Array, o: number, end: number, prevKey: Uint8Array): EntryHeader {
  const suffixStart = readFraming(b, o, end, prevKey.length);
  const { prefixLen, suffixLen, extra } = framing;
  const key = joinKey(prevKey, prefixLen, b, suffixStart, suffixLen);
  return { start: o, prefixLen, suffixLen, extra, suffixStart, valueStart: suffixStart + suffixLen, key };
}

function needBytes(n: number, o: number, end: number, what: string): void {
  if (n > end - o) throw formatError(`${what} runs past the end of the records`, o);
}

// ---- values ------------------------------------------------------------------------------

export function decodeRefValue(
  b: Uint8Array, h: EntryHeader, end: number, minUpdateIndex: number, hashSize: number,
): { record: RefRecord; next: number } {
  let o = h.valueStart;
  let delta: number;
  if (o < end && b[o] < 0x80) {
    delta = b[o++];
  } else {
    const d = readVarint(b, o, end);
    o = d.next;
    delta = d.value;
  }
  const updateIndex = minUpdateIndex + delta;
  if (!Number.isSafeInteger(updateIndex)) throw new ReftableError(ErrorCode.Unsupported, 'update index too large', { offset: h.valueStart });
  const rec: RefRecord = { kind: 'ref', name: h.key, updateIndex, valueType: h.extra as RefValueType };
  switch (h.extra) {
    case RefValueType.Deletion:
      break;
    case RefValueType.Val1:
      needBytes(hashSize, o, end, 'object id');
      rec.value = b.slice(o, o + hashSize);
      o += hashSize;
      break;
    case RefValueType.Val2:
      needBytes(2 * hashSize, o, end, 'object ids');
      rec.value = b.slice(o, o + hashSize);
      rec.peeled = b.slice(o + hashSize, o + 2 * hashSize);
      o += 2 * hashSize;
      break;
    case RefValueType.Symref: {
      const l = readVarint(b, o, end);
      o = l.next;
      needBytes(l.value, o, end, 'symref target');
      rec.target = b.slice(o, o + l.value);
      o += l.value;
      break;
    }
    default:
      throw formatError(`unknown ref value type ${h.extra}`, h.start);
  }
  return { record: rec, next: o };
}

export function decodeIndexValue(b: Uint8Array, h: EntryHeader, end: number): { record: IndexRecord; next: number } {
  if (h.extra !== 0) throw formatError(`index record with non-zero value type ${h.extra}`, h.start);
  const p = readVarint(b, h.valueStart, end);
  return { record: { kind: 'index', lastKey: h.key, position: p.value }, next: p.next };
}

export function decodeObjValue(b: Uint8Array, h: EntryHeader, end: number): { record: ObjRecord; next: number } {
  let o = h.valueStart;
  let count = h.extra;
  if (count === 0) {
    const c = readVarint(b, o, end);
    count = c.value;
    o = c.next;
  }
  // Every position takes at least one byte: this bounds the allocation by the data at hand.
  if (count > end - o) throw formatError(`obj record claims ${count} positions, more than the bytes left`, h.start);
  const positions: number[] = [];
  if (count > 0) {
    const f = readVarint(b, o, end);
    o = f.next;
    let last = f.value;
    positions.push(last);
    for (let i = 1; i < count; i++) {
      const d = readVarint(b, o, end);
      o = d.next;
      last += d.value;
      positions.push(last);
    }
  }
  return { record: { kind: 'obj', prefix: h.key, positions }, next: o };
}

/** Split a log key `name \0 u64(~update_index)` into its parts. */
export function parseLogKey(key: Uint8Array, offset?: number): { name: Uint8Array; updateIndex: number } {
  const updateIndex = logKeyUpdateIndex(key, offset);
  return { name: key.subarray(0, key.length - 9), updateIndex };
}

/** The update index of a log key, checking its NUL and range. */
function logKeyUpdateIndex(key: Uint8Array, offset?: number, len = key.length): number {
  if (len < 10 || key[len - 9] !== 0) throw formatError('log key lacks the NUL and 8-byte update index', offset);
  const hi = 0xffffffff - readU32(key, len - 8);
  const lo = 0xffffffff - readU32(key, len - 4);
  if (hi >= 0x20_0000) throw new ReftableError(ErrorCode.Unsupported, 'log update index too large', { offset });
  return hi * 0x1_0000_0000 + lo;
}

export function logKey(name: Uint8Array, updateIndex: number): Uint8Array {
  const k = new Uint8Array(name.length + 9);
  logKeyInto(k, name, updateIndex);
  return k;
}

/** logKey written into k[0, name.length + 9). */
export function logKeyInto(k: Uint8Array, name: Uint8Array, updateIndex: number): void {
  const n = name.length;
  if (n < 64) {
    for (let i = 0; i < n; i++) k[i] = name[i];
  } else {
    k.set(name);
  }
  k[n] = 0;
  const hi = 0xffffffff - Math.floor(updateIndex / 0x1_0000_0000);
  const lo = 0xffffffff - (updateIndex >>> 0);
  const o = n + 1;
  k[o] = hi >>> 24; k[o + 1] = (hi >>> 16) & 255; k[o + 2] = (hi >>> 8) & 255; k[o + 3] = hi & 255;
  k[o + 4] = lo >>> 24; k[o + 5] = (lo >>> 16) & 255; k[o + 6] = (lo >>> 8) & 255; k[o + 7] = lo & 255;
}

export function decodeLogValue(b: Uint8Array, h: EntryHeader, end: number, hashSize: number): { record: LogRecord; next: number } {
  const { name, updateIndex } = parseLogKey(h.key, h.start);
  let o = h.valueStart;
  if (h.extra === LogValueType.Deletion) {
    const empty = new Uint8Array(0);
    const zero = new Uint8Array(hashSize);
    return {
      record: { kind: 'log', name, updateIndex, valueType: 0, old: zero, new: zero, committerName: empty, email: empty, time: 0, tz: 0, message: empty },
      next: o,
    };
  }
  needBytes(2 * hashSize, o, end, 'log object ids');
  const oldId = b.slice(o, o + hashSize);
  const newId = b.slice(o + hashSize, o + 2 * hashSize);
  o += 2 * hashSize;
  const committerName = takeString(b, o, end, 'committer name');
  const email = takeString(b, stringEnd, end, 'committer email');
  o = stringEnd;
  const time = varintAt(b, o, end);
  o = varintEnd;
  needBytes(2, o, end, 'time zone');
  const tz = readI16(b, o);
  o += 2;
  const message = takeString(b, o, end, 'message');
  return {
    record: { kind: 'log', name, updateIndex, valueType: 1, old: oldId, new: newId, committerName, email, time, tz, message },
    next: stringEnd,
  };
}

/** Where the last takeString ended (module state, like `framing`: no result object per field). */
let stringEnd = 0;
/** A copy of the length-prefixed string at `o`; stringEnd is set past it. */
function takeString(b: Uint8Array, o: number, end: number, what: string): Uint8Array {
  const len = varintAt(b, o, end);
  o = varintEnd;
  needBytes(len, o, end, what);
  stringEnd = o + len;
  return b.slice(o, o + len);
}

const LF = 0x0a;

/**
 * Whether the message in b[start, end) is one LF-terminated line: what git's writer stores
 * unchanged (any other message it strips, checks and re-terminates; see cleanLogMessage).
 */
export function isCleanLogMessage(b: Uint8Array, start: number, end: number): boolean {
  if (end <= start || b[end - 1] !== LF) return false;
  for (let i = start; i < end - 1; i++) if (b[i] === LF) return false;
  return true;
}

/** Skip a length-prefixed string; returns the offset after it. */
function skipString(b: Uint8Array, o: number, end: number, what: string): number {
  const len = varintAt(b, o, end);
  needBytes(len, varintEnd, end, what);
  return varintEnd + len;
}

/** Where the last varintAt ended. */
let varintEnd = 0;
/** readVarint with the one-byte case (nearly every length) inline and no result object. */
function varintAt(b: Uint8Array, o: number, end: number): number {
  if (o < end && b[o] < 0x80) {
    varintEnd = o + 1;
    return b[o];
  }
  const l = readVarint(b, o, end);
  varintEnd = l.next;
  return l.value;
}

/**
 * Log records as stored, decoded one after another in place, for compaction: it copies every
 * log record of every table (millions) and needs only the key, the value type and where the
 * value bytes are. The key is rebuilt in a buffer this cursor owns (a record's prefix is the
 * previous key's, already there); nothing is allocated per record. Only records the writer
 * would store unchanged are copied so: an update whose message is not one LF-terminated line
 * (`clean` false) goes through record() and the writer's message cleaning, as in git.
 */
export class StoredLogCursor {
  /** The key in key[0, keyLen): name, NUL, reversed update index (key order is log order). */
  key = new Uint8Array(128);
  keyLen = 0;
  updateIndex = 0;
  valueType: LogValueType = LogValueType.Update;
  /** The value is b[valueStart, next) of the block decoded. */
  valueStart = 0;
  /** Offset of the record after this one. */
  next = 0;
  /** Offset of the record. */
  at = 0;
  /** The message is one LF-terminated line (git's writer would store it unchanged). */
  clean = true;

  /** Forget the previous key: the next record is a block's first. */
  restart(): void {
    this.keyLen = 0;
  }

  /** Decode the record at `o` of b[…end) against the key left by the previous one. */
  decode(b: Uint8Array, o: number, end: number, hashSize: number): void {
    const at = o;
    o = readFraming(b, o, end, this.keyLen);
    const { prefixLen, suffixLen, extra } = framing;
    const len = prefixLen + suffixLen;
    let key = this.key;
    if (len > key.length) {
      const bigger = new Uint8Array(Math.max(len, 2 * key.length));
      bigger.set(key.subarray(0, prefixLen));
      this.key = key = bigger;
    }
    for (let i = 0; i < suffixLen; i++) key[prefixLen + i] = b[o + i];
    this.keyLen = len;
    o += suffixLen;
    this.updateIndex = logKeyUpdateIndex(key, at, len);
    this.valueStart = o;
    let clean = true;
    // As decodeLogValue: every type but a deletion carries an update's value.
    const valueType = extra === LogValueType.Deletion ? LogValueType.Deletion : LogValueType.Update;
    if (valueType === LogValueType.Update) {
      needBytes(2 * hashSize, o, end, 'log object ids');
      o += 2 * hashSize;
      o = skipString(b, o, end, 'committer name');
      o = skipString(b, o, end, 'committer email');
      varintAt(b, o, end);
      o = varintEnd;
      needBytes(2, o, end, 'time zone');
      o += 2;
      const messageLen = varintAt(b, o, end);
      o = varintEnd;
      needBytes(messageLen, o, end, 'message');
      clean = isCleanLogMessage(b, o, o + messageLen);
      o += messageLen;
    }
    this.valueType = valueType;
    this.clean = clean;
    this.at = at;
    this.next = o;
  }

  /** The current record decoded in full (for one the writer must clean first: rare). */
  record(b: Uint8Array, end: number, hashSize: number): LogRecord {
    const key = this.key.slice(0, this.keyLen);
    const h: EntryHeader = {
      start: this.at, prefixLen: 0, suffixLen: this.keyLen, extra: this.valueType,
      suffixStart: this.valueStart, valueStart: this.valueStart, key,
    };
    return decodeLogValue(b, h, end, hashSize).record;
  }
}

/**
 * How many records b[o…end) holds, and how many of them are deletions (ref and log
 * tombstones): each record's framing is read and its value skipped, with the bounds checks of
 * the decoders, but no key or record is made. Table statistics walk whole tables this way; a
 * full decode of a million-ref table cost seconds, most of it allocation.
 */
export function countRecords(blockType: number, b: Uint8Array, o: number, end: number, hashSize: number): { records: number; deletions: number } {
  let records = 0;
  let deletions = 0;
  let keyLen = 0;
  while (o < end) {
    const start = o;
    o = readFraming(b, o, end, keyLen);
    const { prefixLen, suffixLen, extra } = framing;
    keyLen = prefixLen + suffixLen;
    o += suffixLen;
    switch (blockType) {
      case BlockType.Ref:
        varintAt(b, o, end);
        o = varintEnd;
        if (extra === RefValueType.Deletion) deletions++;
        else if (extra === RefValueType.Val1) o += hashSize;
        else if (extra === RefValueType.Val2) o += 2 * hashSize;
        else if (extra === RefValueType.Symref) o = skipString(b, o, end, 'symref target');
        else throw formatError(`unknown ref value type ${extra}`, start);
        break;
      case BlockType.Log:
        if (extra === LogValueType.Deletion) {
          deletions++;
          break;
        }
        needBytes(2 * hashSize, o, end, 'log object ids');
        o = skipString(b, o + 2 * hashSize, end, 'committer name');
        o = skipString(b, o, end, 'committer email');
        varintAt(b, o, end);
        o = varintEnd + 2;
        o = skipString(b, o, end, 'message');
        break;
      case BlockType.Obj: {
        let count = extra;
        if (count === 0) {
          count = varintAt(b, o, end);
          o = varintEnd;
        }
        if (count > end - o) throw formatError(`obj record claims ${count} positions, more than the bytes left`, start);
        for (let i = 0; i < count; i++) {
          varintAt(b, o, end);
          o = varintEnd;
        }
        break;
      }
      case BlockType.Index:
        varintAt(b, o, end);
        o = varintEnd;
        break;
      default:
        throw formatError(`unknown block type 0x${blockType.toString(16)}`, start);
    }
    if (o > end) throw formatError('record value runs past the end of the records', start);
    records++;
  }
  return { records, deletions };
}

/** Decode one record of a block of the given type. */
export function decodeRecord(
  blockType: number, b: Uint8Array, o: number, end: number, prevKey: Uint8Array, minUpdateIndex: number, hashSize: number,
): { header: EntryHeader; record: AnyRecord; next: number } {
  const h = decodeEntryHeader(b, o, end, prevKey);
  let r: { record: AnyRecord; next: number };
  switch (blockType) {
    case BlockType.Ref: r = decodeRefValue(b, h, end, minUpdateIndex, hashSize); break;
    case BlockType.Log: r = decodeLogValue(b, h, end, hashSize); break;
    case BlockType.Obj: r = decodeObjValue(b, h, end); break;
    case BlockType.Index: r = decodeIndexValue(b, h, end); break;
    default: throw formatError(`unknown block type 0x${blockType.toString(16)}`, o);
  }
  return { header: h, record: r.record, next: r.next };
}

// ---- encoding ----------------------------------------------------------------------------

export function recordKey(r: AnyRecord): Uint8Array {
  switch (r.kind) {
    case 'ref': return r.name;
    case 'log': return logKey(r.name, r.updateIndex);
    case 'obj': return r.prefix;
    case 'index': return r.lastKey;
  }
}

export function recordExtra(r: AnyRecord): number {
  switch (r.kind) {
    case 'ref': return r.valueType;
    case 'log': return r.valueType;
    case 'obj': return r.positions.length >= 1 && r.positions.length <= 7 ? r.positions.length : 0;
    case 'index': return 0;
  }
}

/** Append the value bytes of `r` to `w`. */
export function encodeValue(w: ByteWriter, r: AnyRecord, minUpdateIndex: number, hashSize: number): void {
  switch (r.kind) {
    case 'ref': {
      if (r.updateIndex < minUpdateIndex) throw new ReftableError(ErrorCode.Api, 'ref update index below the table minimum');
      w.varint(r.updateIndex - minUpdateIndex);
      if (r.valueType === RefValueType.Val1 || r.valueType === RefValueType.Val2) {
        w.bytes(checkId(r.value, hashSize));
        if (r.valueType === RefValueType.Val2) w.bytes(checkId(r.peeled, hashSize));
      } else if (r.valueType === RefValueType.Symref) {
        const t = r.target ?? new Uint8Array(0);
        w.varint(t.length);
        w.bytes(t);
      }
      return;
    }
    case 'log': {
      if (r.valueType === LogValueType.Deletion) return;
      w.bytes(checkId(r.old, hashSize));
      w.bytes(checkId(r.new, hashSize));
      w.varint(r.committerName.length); w.bytes(r.committerName);
      w.varint(r.email.length); w.bytes(r.email);
      w.varint(r.time);
      const tz = r.tz < 0 ? r.tz + 0x10000 : r.tz;
      w.u8(tz >>> 8); w.u8(tz & 0xff);
      w.varint(r.message.length); w.bytes(r.message);
      return;
    }
    case 'obj': {
      const n = r.positions.length;
      if (n === 0 || n > 7) w.varint(n);
      if (n > 0) {
        w.varint(r.positions[0]);
        for (let i = 1; i < n; i++) w.varint(r.positions[i] - r.positions[i - 1]);
      }
      return;
    }
    case 'index':
      w.varint(r.position);
      return;
  }
}

function checkId(id: Uint8Array | undefined, hashSize: number): Uint8Array {
  if (!id || id.length !== hashSize) throw new ReftableError(ErrorCode.Api, `object id must be ${hashSize} bytes`);
  return id;
}

/**
 * Encode a whole record (framing + value) against `prevKey` into `w`.
 * Returns the prefix length used, which decides restart registration.
 */
export function encodeRecord(
  w: ByteWriter, key: Uint8Array, prevKey: Uint8Array, extra: number, value: Uint8Array,
): number {
  const prefixLen = commonPrefixLength(prevKey, key);
  const suffixLen = key.length - prefixLen;
  w.varint(prefixLen);
  w.varint(suffixLen * 8 + extra);
  w.bytes(key.subarray(prefixLen));
  w.bytes(value);
  return prefixLen;
}

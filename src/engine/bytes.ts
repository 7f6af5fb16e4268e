/**
 * Byte-level primitives (reftable.adoc § Varint encoding, § Footer CRC):
 * big-endian integers, git's "offset varint", CRC-32, raw byte-key comparison.
 * Update indexes and offsets are kept as JS numbers; anything above 2^53 is refused
 * with a typed error rather than silently rounded.
 */
import { ErrorCode, ReftableError, formatError } from './errors.js';

const TWO32 = 0x1_0000_0000;

/** Compare keys as git does: unsigned bytes, then shorter first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareBytesN(a, a.length, b, b.length);
}

/** compareBytes over the first `al` / `bl` bytes: for keys decoded into reused buffers. */
export function compareBytesN(a: Uint8Array, al: number, b: Uint8Array, bl: number): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return al - bl;
}

/**
 * A copy of a key in a buffer of its own, grown as needed: for keeping a key that arrives in a
 * buffer its producer reuses (the cursors decode keys in place). The key is bytes[0, length).
 */
export class HeldKey {
  bytes = new Uint8Array(128);
  length = 0;

  /** Hold src[0, len). Its first `same` bytes already equal the held key's and are not copied. */
  set(src: Uint8Array, len: number, same = 0): void {
    if (len > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(len, 2 * this.bytes.length));
      bigger.set(this.bytes.subarray(0, same));
      this.bytes = bigger;
    }
    const k = this.bytes;
    for (let i = same; i < len; i++) k[i] = src[i];
    this.length = len;
  }

  /**
   * A buffer of at least len bytes to build a key in, held as the key of that length. What it
   * held before is not kept.
   */
  room(len: number): Uint8Array {
    if (len > this.bytes.length) this.bytes = new Uint8Array(Math.max(len, 2 * this.bytes.length));
    this.length = len;
    return this.bytes;
  }

  /** src[0, len) is the held key (compared from the end: merged keys share long prefixes). */
  equals(src: Uint8Array, len: number): boolean {
    if (len !== this.length) return false;
    const k = this.bytes;
    for (let i = len - 1; i >= 0; i--) if (k[i] !== src[i]) return false;
    return true;
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  return commonPrefixLengthN(a, a.length, b, b.length);
}

/** commonPrefixLength over a[0, al) and b[0, bl): for keys decoded into reused buffers. */
export function commonPrefixLengthN(a: Uint8Array, al: number, b: Uint8Array, bl: number): number {
  const n = al < bl ? al : bl;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
/** Decode for display; invalid sequences become U+FFFD (names are bytes, not text). */
export function text(b: Uint8Array): string {
  return decoder.decode(b);
}

const HEX = '0123456789abcdef';
/** Two hex digits per byte value: one concatenation per byte instead of two. */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4] + HEX[i & 15]);
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_BYTE[b[i]];
  return s;
}
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new ReftableError(ErrorCode.Usage, `not a hexadecimal object id: ${JSON.stringify(s)}`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}
export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

// ---- fixed-width big-endian -------------------------------------------------------------

export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
export function readU24(b: Uint8Array, o: number): number {
  return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
}
export function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
/** u64 as a number; throws when it exceeds 2^53 (never the case for git-written positions). */
export function readU64(b: Uint8Array, o: number): number {
  const hi = readU32(b, o);
  const lo = readU32(b, o + 4);
  if (hi >= 0x20_0000) {
    throw new ReftableError(ErrorCode.Unsupported, `64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is too large`, { offset: o });
  }
  return hi * TWO32 + lo;
}
export function readI16(b: Uint8Array, o: number): number {
  const v = readU16(b, o);
  return v >= 0x8000 ? v - 0x10000 : v;
}
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
export function writeU24(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 16) & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = v & 0xff;
}
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
export function writeU64(b: Uint8Array, o: number, v: number): void {
  writeU32(b, o, Math.floor(v / TWO32));
  writeU32(b, o + 4, v >>> 0);
}

// ---- varint (reftable.adoc § Varint encoding: the pack ofs-delta scheme) ----------------

/** Longest encoding of a u64 in this scheme. */
export const MAX_VARINT_LEN = 10;

export interface VarintResult {
  value: number;
  /** Offset just after the varint. */
  next: number;
}

/**
 * Decode at `o`, not reading at or beyond `end`. Rejects truncation, encodings longer than
 * 10 bytes and values above 2^53 (git 2.47 silently overflows; later releases reject).
 */
export function readVarint(b: Uint8Array, o: number, end: number): VarintResult {
  if (o >= end) throw formatError('varint runs past the end of the data', o);
  const start = o;
  let c = b[o++];
  let v = c & 0x7f;
  while (c & 0x80) {
    if (o >= end) throw formatError('varint runs past the end of the data', start);
    if (o - start >= MAX_VARINT_LEN) throw formatError('varint longer than 10 bytes', start);
    c = b[o++];
    v = (v + 1) * 128 + (c & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) throw formatError('varint overflows 2^53', start);
  }
  return { value: v, next: o };
}

export function varintLength(v: number): number {
  let n = 1;
  v = Math.floor(v / 128);
  while (v !== 0) {
    v -= 1;
    n++;
    v = Math.floor(v / 128);
  }
  return n;
}

/**
 * Write at `o`, return the offset after it. Caller guarantees room (varintLength). Filled from
 * its last byte backwards, without a scratch array: every record's value goes through here.
 */
export function writeVarint(b: Uint8Array, o: number, v: number): number {
  if (!(v >= 0) || !Number.isSafeInteger(v)) {
    throw new ReftableError(ErrorCode.Api, `cannot encode ${v} as a varint`);
  }
  const end = o + varintLength(v);
  let p = end - 1;
  if (v <= 0x7fffffff) {
    // Integer arithmetic while the value fits 31 bits (update indexes, times, lengths).
    b[p] = v & 0x7f;
    v >>>= 7;
    while (v !== 0) {
      v -= 1;
      b[--p] = 0x80 | (v & 0x7f);
      v >>>= 7;
    }
    return end;
  }
  b[p] = v % 128;
  v = Math.floor(v / 128);
  while (v !== 0) {
    v -= 1;
    b[--p] = 0x80 | (v % 128);
    v = Math.floor(v / 128);
  }
  return end;
}

export function encodeVarint(v: number): Uint8Array {
  const out = new Uint8Array(varintLength(v));
  writeVarint(out, 0, v);
  return out;
}

// ---- CRC-32 (zlib's crc32: reflected 0xEDB88320, init/final 0xFFFFFFFF) ------------------

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A growable output buffer for writers. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(initial = 4096) {
    this.buf = new Uint8Array(initial);
  }
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }
  varint(v: number): void {
    this.ensure(MAX_VARINT_LEN);
    this.length = writeVarint(this.buf, this.length, v);
  }
  /** Append src[start, end) (a byte loop: callers copy ids and short strings). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let o = this.length;
    for (let i = start; i < end; i++) buf[o++] = src[i];
    this.length = o;
  }
  /** The buffer itself: the written bytes are raw()[0, length), valid until the next write. */
  raw(): Uint8Array {
    return this.buf;
  }
  /** A view of the written bytes (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

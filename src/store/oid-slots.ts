/**
 * Object ids packed in one growing byte array, addressed by slot (a byte offset): a typed
 * array per id is an object per update for the collector to copy and trace, and a hex string
 * per id is a 40- or 64-character string. The zero id has no slot (-1). Views handed out are
 * for immediate use (they see the array of the moment).
 */
import { isZero } from '../engine/bytes.js';
import { oidFromHexBytesAt, oidFromHexInto } from './hex.js';

export class OidSlots {
  private bytes: Uint8Array;
  private used = 0;
  readonly zero: Uint8Array;

  constructor(readonly size: number, expected: number) {
    this.bytes = new Uint8Array(size * Math.max(4, expected));
    this.zero = new Uint8Array(size);
  }

  /** Room for one more id: the slot it would get. */
  private next(): number {
    if (this.used + this.size > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    return this.used;
  }

  /** Keep the id just written at `at` unless it is zero: its slot, or -1. */
  private keep(at: number): number {
    const b = this.bytes;
    for (let i = 0; i < this.size; i++) {
      if (b[at + i] !== 0) {
        this.used += this.size;
        return at;
      }
    }
    return -1;
  }

  /** The slot of a copy of `id`; -1 when it is zero. */
  add(id: Uint8Array): number {
    if (isZero(id)) return -1;
    const at = this.next();
    this.bytes.set(id, at);
    this.used += this.size;
    return at;
  }

  /** The slot of `hex` decoded (-1 when zero), or undefined when it is not a full hex id. */
  addHex(hex: string): number | undefined {
    if (hex.length !== this.size * 2) return undefined;
    const at = this.next();
    const slot = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + at, this.size);
    if (!oidFromHexInto(hex, slot)) return undefined;
    return this.keep(at);
  }

  /**
   * The slot of the hex id at src[start, start + 2·size) decoded (-1 when zero), or undefined
   * when a digit is not hex: ids straight from input bytes, no string made.
   */
  addHexAt(src: Uint8Array, start: number): number | undefined {
    if (start + 2 * this.size > src.length) return undefined;
    const at = this.next();
    if (!oidFromHexBytesAt(src, start, this.size, this.bytes, at)) return undefined;
    return this.keep(at);
  }

  /** The slot of a copy of `from`'s id at `slot` (-1 stays -1). */
  addFrom(from: OidSlots, slot: number): number {
    if (slot < 0) return -1;
    const at = this.next();
    const src = from.bytes;
    const dst = this.bytes;
    for (let i = 0; i < this.size; i++) dst[at + i] = src[slot + i];
    this.used += this.size;
    return at;
  }

  view(slot: number): Uint8Array {
    return slot < 0 ? this.zero : new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + slot, this.size);
  }

  copy(slot: number, into: Uint8Array): Uint8Array {
    const b = this.bytes;
    // A loop, not set(subarray): a 20- or 32-byte copy costs less than the view it would need.
    for (let i = 0; i < this.size; i++) into[i] = slot < 0 ? 0 : b[slot + i];
    return into;
  }

  equals(slot: number, id: Uint8Array): boolean {
    if (slot < 0) return isZero(id);
    const b = this.bytes;
    for (let i = 0; i < this.size; i++) if (b[slot + i] !== id[i]) return false;
    return true;
  }
}

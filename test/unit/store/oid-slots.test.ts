import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/engine/bytes';
import { OidSlots } from '../../../src/store/oid-slots';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('OidSlots', () => {
  it('decodes hex ids from input bytes in either case, zero as -1, without taking a slot for zero or bad digits', () => {
    const ids = new OidSlots(20, 1);
    const a = 'ab'.repeat(20);
    const line = bytes(`create refs/heads/x ${a.toUpperCase()} ${'0'.repeat(40)} ${'g'.repeat(40)}`);
    const first = ids.addHexAt(line, 20);
    expect(first).toBe(0);
    expect(toHex(ids.view(first!))).toBe(a);
    expect(ids.addHexAt(line, 61)).toBe(-1);
    expect(ids.addHexAt(line, 102)).toBeUndefined();
    // Past the end of the input.
    expect(ids.addHexAt(line, line.length - 10)).toBeUndefined();
    // Neither the zero id nor the bad one used a slot: the next id gets the second slot.
    expect(ids.addHexAt(bytes('cd'.repeat(20)), 0)).toBe(20);
    expect(toHex(ids.view(0))).toBe(a);
  });

  it('grows past its first guess and copies between stores, keeping every id', () => {
    const parsed = new OidSlots(32, 1);
    const hexes = Array.from({ length: 50 }, (_, i) => (i + 1).toString(16).padStart(2, '0').repeat(32));
    const slots = hexes.map((h) => parsed.addHexAt(bytes(h), 0)!);
    const own = new OidSlots(32, 4);
    const copied = slots.map((s) => own.addFrom(parsed, s));
    expect(copied.map((s) => toHex(own.view(s)))).toEqual(hexes);
    expect(own.addFrom(parsed, -1)).toBe(-1);
    const into = new Uint8Array(32);
    expect(toHex(own.copy(copied[7], into))).toBe(hexes[7]);
    expect(toHex(own.copy(-1, into))).toBe('00'.repeat(32));
    expect(own.equals(copied[3], parsed.view(slots[3]))).toBe(true);
    expect(own.equals(copied[3], parsed.view(slots[4]))).toBe(false);
  });
});

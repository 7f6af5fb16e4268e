import { describe, expect, it } from 'vitest';
import { compareBytes, crc32, encodeVarint, readVarint, utf8, toHex, varintLength, writeVarint } from '../../../src/engine/bytes';
import { ReftableError } from '../../../src/engine/errors';

describe('varint (ofs-delta scheme)', () => {
  const vectors: [number, string][] = [
    [0, '00'], [127, '7f'], [128, '8000'], [255, '807f'], [256, '8100'], [16383, 'fe7f'], [16511, 'ff7f'],
    [16512, '808000'], [2113663, 'ffff7f'], [2113664, '80808000'], [344064, '93ff00'], [1700000000, '85a9cee100'],
  ];
  it.each(vectors)('encodes %i as %s and back', (v, hex) => {
    expect(toHex(encodeVarint(v))).toBe(hex);
    const b = encodeVarint(v);
    expect(readVarint(b, 0, b.length)).toEqual({ value: v, next: b.length });
  });
  it('round-trips values across the whole safe range, at any offset', () => {
    // Powers of two and their neighbours, and the boundaries between encoded lengths.
    const values = new Set<number>([Number.MAX_SAFE_INTEGER, 0x7fffffff, 0x80000000, 0xffffffff]);
    for (let k = 0; k <= 53; k++) for (const d of [-1, 0, 1]) values.add(2 ** k + d);
    for (let edge = 0, k = 1; k <= 8; k++) {
      edge = (edge + 1) * 128 - 1; // the largest value of k bytes
      values.add(edge);
      values.add(edge + 1);
    }
    for (const v of values) {
      if (v < 0 || v > Number.MAX_SAFE_INTEGER) continue;
      const b = new Uint8Array(12).fill(0xee);
      const end = writeVarint(b, 2, v);
      expect(end - 2, `length of ${v}`).toBe(varintLength(v));
      expect(b[1]).toBe(0xee);
      expect(b[end]).toBe(0xee);
      expect(readVarint(b, 2, end), `value ${v}`).toEqual({ value: v, next: end });
    }
    expect(() => writeVarint(new Uint8Array(10), 0, -1)).toThrow(ReftableError);
    expect(() => writeVarint(new Uint8Array(10), 0, 2 ** 53)).toThrow(ReftableError);
  });
  it('rejects truncated and over-long varints with the offset', () => {
    expect(() => readVarint(new Uint8Array([0x80]), 0, 1)).toThrow(ReftableError);
    const long = new Uint8Array(11).fill(0x80);
    long[10] = 0;
    try {
      readVarint(long, 0, long.length);
      expect.unreachable();
    } catch (e) {
      expect((e as ReftableError).code).toBe('FORMAT');
      expect((e as ReftableError).offset).toBe(0);
    }
  });
});

describe('crc32', () => {
  it('matches the zlib check value', () => {
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926);
  });
});

describe('compareBytes', () => {
  it('orders unsigned, shorter first', () => {
    expect(compareBytes(utf8('a'), utf8('ab'))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array([0xff]), utf8('a'))).toBeGreaterThan(0);
    expect(compareBytes(utf8('abc'), utf8('abc'))).toBe(0);
  });
});

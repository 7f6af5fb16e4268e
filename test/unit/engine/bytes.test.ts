import { describe, expect, it } from 'vitest';
import { compareBytes, crc32, encodeVarint, readVarint, utf8, toHex } from '../../../src/engine/bytes';
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

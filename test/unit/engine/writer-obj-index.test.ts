import { describe, expect, it } from 'vitest';
import { compareBytes, toHex, utf8 } from '../../../src/engine/bytes';
import { ObjectIndex } from '../../../src/engine/obj-index';
import { cleanLogMessage } from '../../../src/engine/writer';

/** The obvious version: a map from hex id to its distinct offsets, sorted by id bytes. */
function naive(adds: [Uint8Array, number][]): { id: string; offsets: number[] }[] {
  const m = new Map<string, { id: Uint8Array; offsets: number[] }>();
  for (const [id, off] of adds) {
    const k = toHex(id);
    const e = m.get(k) ?? { id, offsets: [] };
    m.set(k, e);
    if (!e.offsets.includes(off)) e.offsets.push(off);
  }
  return [...m.values()].sort((a, b) => compareBytes(a.id, b.id)).map((e) => ({ id: toHex(e.id), offsets: e.offsets }));
}

describe('ObjectIndex', () => {
  for (const [hashSize, packedLimit] of [[20, undefined], [32, undefined], [20, 100]] as const) {
    const how = packedLimit ? 'comparator sort' : 'packed sort';
    it(`groups ids in byte order with ascending distinct offsets (${hashSize}-byte ids, ${how})`, () => {
      let x = 12345;
      const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
      // Few distinct ids, many sharing their first four bytes, so the tie-breaks are exercised.
      const pool = Array.from({ length: 300 }, (_, i) => {
        const id = new Uint8Array(hashSize);
        for (let k = 0; k < hashSize; k++) id[k] = rand() & 0xff;
        if (i % 3 === 0) id.set([1, 2, 3, 4]);
        if (i % 7 === 0) id.fill(9, 4);
        return id;
      });
      pool.push(new Uint8Array(hashSize), new Uint8Array(hashSize).fill(0xff));
      const idx = new ObjectIndex(hashSize, packedLimit);
      const adds: [Uint8Array, number][] = [];
      let offset = 0;
      for (let i = 0; i < 5000; i++) {
        if (rand() % 10 === 0) offset += 4096;
        const id = pool[rand() % pool.length];
        idx.add(id, offset);
        adds.push([id, offset]);
      }
      // Only a repeat of the reference just added is dropped.
      const repeats = adds.filter(([id, off], i) => i > 0 && off === adds[i - 1][1] && toHex(id) === toHex(adds[i - 1][0])).length;
      expect(repeats).toBeGreaterThan(0);
      expect(idx.size).toBe(5000 - repeats);
      const got = [...idx.entries()].map((e) => ({ id: toHex(e.id), offsets: e.offsets }));
      const want = naive(adds);
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThan(250);
      // Neighbours in id order: the longest prefix two of them share (hex digits halved).
      let longest = 0;
      for (let k = 1; k < want.length; k++) {
        let n = 0;
        while (want[k - 1].id.slice(0, 2 * n + 2) === want[k].id.slice(0, 2 * n + 2)) n++;
        longest = Math.max(longest, n);
      }
      expect(longest).toBeGreaterThanOrEqual(4);
      expect(idx.longestSharedPrefix()).toBe(longest);
    });
  }

  it('returns nothing when nothing was added, and no shared prefix for one id', () => {
    const idx = new ObjectIndex(20);
    expect([...idx.entries()]).toEqual([]);
    expect(idx.longestSharedPrefix()).toBe(0);
    const id = new Uint8Array(20).fill(7);
    idx.add(id, 0);
    idx.add(id, 4096);
    expect(idx.longestSharedPrefix()).toBe(0);
    expect([...idx.entries()].map((e) => e.offsets)).toEqual([[0, 4096]]);
  });

  it('keeps one reference for an id repeated by the same block, and the repeat after another id', () => {
    const idx = new ObjectIndex(20);
    const a = new Uint8Array(20).fill(7);
    const b = new Uint8Array(20).fill(7);
    b[19] = 8; // same first four bytes: decided by the rest
    for (let i = 0; i < 1000; i++) idx.add(a, 0);
    idx.add(b, 0);
    idx.add(a, 0);
    for (let i = 0; i < 1000; i++) idx.add(a, 4096);
    expect(idx.size).toBe(4);
    expect([...idx.entries()].map((e) => [toHex(e.id), e.offsets])).toEqual([[toHex(a), [0, 4096]], [toHex(b), [0]]]);
    expect(idx.longestSharedPrefix()).toBe(19);
  });
});

describe('cleanLogMessage', () => {
  it('returns a one-line LF-terminated message as it is, and cleans the others', () => {
    const ok = utf8('commit: x\n');
    expect(cleanLogMessage(ok)).toBe(ok);
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(dec(cleanLogMessage(utf8('')))).toBe('\n');
    expect(dec(cleanLogMessage(utf8('\n')))).toBe('\n');
    expect(dec(cleanLogMessage(utf8('x')))).toBe('x\n');
    expect(dec(cleanLogMessage(utf8('x\n\n\n')))).toBe('x\n');
    expect(() => cleanLogMessage(utf8('a\nb\n'))).toThrow(/several lines/);
  });
});

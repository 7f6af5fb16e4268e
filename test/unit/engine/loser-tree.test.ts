import { describe, expect, it } from 'vitest';
import { OvcLoserTree } from '../../../src/engine/loser-tree';
import { prng } from './verify-samples';

/** Integers below 2^32 from the shared seeded generator. */
function ints(seed: number): () => number {
  const r = prng(seed);
  return () => Math.floor(r() * 4294967296);
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Merge sorted streams through the tree the way the merges use it: take the winner, then
 * move its stream on and tell the tree how much of the new head equals the key just taken.
 */
function mergeAll(streams: Uint8Array[][]): [number, string][] {
  const pos = streams.map(() => 0);
  const tree = new OvcLoserTree(streams.length, {
    live: (j) => pos[j] < streams[j].length,
    key: (j) => streams[j][pos[j]],
    keyLen: (j) => streams[j][pos[j]].length,
  });
  tree.rebuild();
  const out: [number, string][] = [];
  for (;;) {
    const w = tree.winner;
    if (pos[w] >= streams[w].length) break;
    const taken = streams[w][pos[w]++];
    out.push([w, Buffer.from(taken).toString('latin1')]);
    let shared = 0;
    if (pos[w] < streams[w].length) {
      const next = streams[w][pos[w]];
      const n = Math.min(next.length, taken.length);
      while (shared < n && next[shared] === taken[shared]) shared++;
    }
    tree.replay(w, shared);
  }
  return out;
}

describe('OvcLoserTree', () => {
  it('merges like a sort by key, newer stream first on equal keys, for varied stream sets', () => {
    const next = ints(0xc0ffee);
    let cases = 0;
    for (const k of [1, 2, 3, 5, 8, 17, 64, 100]) {
      for (let round = 0; round < 12; round++) {
        // Keys over a tiny alphabet with shared prefixes, prefixes of each other, empty keys,
        // duplicates across streams (never within one), and some empty streams.
        const alphabet = round % 3 === 0 ? 2 : 4;
        const base = round % 2 ? [] : [...'refs/heads/'].map((c) => c.charCodeAt(0));
        const streams: Uint8Array[][] = [];
        for (let j = 0; j < k; j++) {
          const set = new Map<string, Uint8Array>();
          const count = next() % 7 === 0 ? 0 : next() % 40;
          for (let i = 0; i < count; i++) {
            const len = next() % 6;
            const key = Uint8Array.from([...base, ...Array.from({ length: len }, () => 0x61 + (next() % alphabet))]);
            set.set(Buffer.from(key).toString('latin1'), key);
          }
          streams.push([...set.values()].sort(compare));
        }
        const want = streams
          .flatMap((s, j) => s.map((key) => [j, Buffer.from(key).toString('latin1')] as [number, string]))
          .sort((a, b) => compare(Buffer.from(a[1], 'latin1'), Buffer.from(b[1], 'latin1')) || b[0] - a[0]);
        expect(mergeAll(streams), `k=${k} round ${round}`).toEqual(want);
        cases++;
      }
    }
    expect(cases).toBe(96);
  });

  it('handles a tree of one stream and of only exhausted streams', () => {
    expect(mergeAll([[Uint8Array.of(1), Uint8Array.of(1, 2), Uint8Array.of(3)]])).toEqual([[0, '\x01'], [0, '\x01\x02'], [0, '\x03']]);
    expect(mergeAll([[], [], []])).toEqual([]);
  });
});

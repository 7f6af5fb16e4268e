/**
 * TransactionNames against the plain Set it replaces: membership, names below a directory and
 * the duplicate error, over random names that are often each other's directories.
 */
import { describe, expect, it } from 'vitest';
import { ReftableError } from '../../../src/engine/errors';
import { TransactionNames } from '../../../src/store/transaction-names';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomName(r: () => number): string {
  const parts = ['refs'];
  const depth = 1 + Math.floor(r() * 4);
  for (let i = 0; i < depth; i++) parts.push(['a', 'b', 'a-b', 'a.b', 'c', 'ü'][Math.floor(r() * 6)]);
  return parts.join('/');
}

describe('transaction names', () => {
  it('answers as a set of the same names does, before and after names are added', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const input = [...new Set(Array.from({ length: 5 + Math.floor(r() * 60) }, () => randomName(r)))];
      const names = new TransactionNames(input);
      const plain = new Set(input);
      // Order: input indexes by name.
      expect(names.order.map((i) => input[i])).toEqual([...input].sort());
      const probes = [...Array.from({ length: 80 }, () => randomName(r)), 'refs', 'HEAD', 'refs/a/b/'];
      const check = () => {
        for (const p of probes) {
          expect(names.has(p), p).toBe(plain.has(p));
          const below = [...plain].filter((n) => n.startsWith(`${p}/`));
          expect([...names.below(p)].sort(), p).toEqual(below.sort());
          expect(names.isDirectory(p), p).toBe(below.length > 0);
        }
        expect(new Set(names)).toEqual(plain);
      };
      check();
      for (let k = 0; k < 3; k++) {
        const extra = r() < 0.3 ? 'HEAD' : randomName(r);
        if (plain.has(extra)) continue;
        const before = names.generation;
        names.add(extra);
        plain.add(extra);
        probes.push(extra);
        expect(names.generation).toBeGreaterThan(before);
        check();
      }
    }
  });

  it('names the first repeated name in input order', () => {
    const err = (input: string[]) => {
      try {
        new TransactionNames(input);
      } catch (e) {
        expect(e).toBeInstanceOf(ReftableError);
        return (e as ReftableError).message;
      }
      return undefined;
    };
    expect(err(['refs/heads/b', 'refs/heads/a', 'refs/heads/c'])).toBeUndefined();
    // 'z' repeats at index 2, before 'a' repeats at index 3.
    expect(err(['refs/heads/z', 'refs/heads/a', 'refs/heads/z', 'refs/heads/a'])).toBe("multiple updates for ref 'refs/heads/z' not allowed");
    expect(err(['refs/heads/z', 'refs/heads/a', 'refs/heads/a', 'refs/heads/z'])).toBe("multiple updates for ref 'refs/heads/a' not allowed");
  });
});

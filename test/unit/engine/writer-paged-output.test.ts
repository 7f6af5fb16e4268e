import { describe, expect, it } from 'vitest';
import { PagedOutput } from '../../../src/engine/paged-output';

/**
 * 400 random writes (zero runs and non-zero byte runs) into `out`, from a fixed seed; returns
 * what a reader must get back. Non-zero bytes, so a skipped or misplaced chunk cannot pass for
 * padding. `each` runs after every write.
 */
function writeRandomly(out: PagedOutput, seed: number, each: (want: number[]) => void = () => {}): number[] {
  let x = seed;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
  const want: number[] = [];
  for (let op = 0; op < 400; op++) {
    const n = rand() % 40;
    if (rand() % 3 === 0) {
      out.zeros(n);
      for (let i = 0; i < n; i++) want.push(0);
    } else {
      const b = Uint8Array.from({ length: n }, () => 1 + (rand() % 255));
      out.bytes(b);
      want.push(...b);
    }
    each(want);
  }
  return want;
}

describe('PagedOutput', () => {
  for (const pageSize of [1, 7, 64, 1 << 20]) {
    it(`gives back exactly what was written, across pages of ${pageSize} bytes`, () => {
      const out = new PagedOutput(pageSize);
      const want = writeRandomly(out, 99, (w) => expect(out.size).toBe(w.length));
      expect(want.length).toBeGreaterThan(4000);
      expect(Array.from(out.toBytes())).toEqual(want);
    });
  }

  for (const pageSize of [1, 7, 64]) {
    it(`hands the same bytes to a sink, in order, reusing one page of ${pageSize} bytes`, () => {
      const got: number[] = [];
      const seen = new Set<ArrayBufferLike>();
      // Copied at the call: the chunk's page is overwritten afterwards (and must be re-zeroed
      // for the padding that follows).
      const out = new PagedOutput(pageSize, (chunk) => {
        seen.add(chunk.buffer);
        got.push(...chunk);
      });
      const want = writeRandomly(out, 7);
      expect(out.end()).toBe(want.length);
      expect(got).toEqual(want);
      expect(seen.size).toBe(1);
      expect(() => out.toBytes()).toThrow();
    });
  }

  it('is empty when nothing was written', () => {
    expect(new PagedOutput().toBytes()).toHaveLength(0);
  });
});

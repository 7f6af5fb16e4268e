import { describe, expect, it } from 'vitest';
import { PagedOutput } from '../../../src/engine/paged-output';

describe('PagedOutput', () => {
  for (const pageSize of [1, 7, 64, 1 << 20]) {
    it(`gives back exactly what was written, across pages of ${pageSize} bytes`, () => {
      let x = 99;
      const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
      const out = new PagedOutput(pageSize);
      const want: number[] = [];
      for (let op = 0; op < 400; op++) {
        const n = rand() % 40;
        if (rand() % 3 === 0) {
          out.zeros(n);
          for (let i = 0; i < n; i++) want.push(0);
        } else {
          // Non-zero bytes, so a skipped or misplaced chunk cannot pass for padding.
          const b = Uint8Array.from({ length: n }, () => 1 + (rand() % 255));
          out.bytes(b);
          want.push(...b);
        }
        expect(out.size).toBe(want.length);
      }
      expect(want.length).toBeGreaterThan(4000);
      expect(Array.from(out.toBytes())).toEqual(want);
    });
  }

  for (const pageSize of [1, 7, 64]) {
    it(`hands the same bytes to a sink, in order, reusing one page of ${pageSize} bytes`, () => {
      let x = 7;
      const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
      const got: number[] = [];
      const seen = new Set<ArrayBufferLike>();
      // Copied at the call: the chunk's page is overwritten afterwards (and must be re-zeroed
      // for the padding that follows).
      const out = new PagedOutput(pageSize, (chunk) => {
        seen.add(chunk.buffer);
        got.push(...chunk);
      });
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
      }
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

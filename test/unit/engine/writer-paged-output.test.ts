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

  it('is empty when nothing was written', () => {
    expect(new PagedOutput().toBytes()).toHaveLength(0);
  });
});

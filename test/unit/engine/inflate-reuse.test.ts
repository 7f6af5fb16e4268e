/**
 * The one inflate state reused across log blocks: streams of every block kind (stored, fixed
 * and dynamic Huffman, empty, large with back-references past 32 KiB) inflated in a mixed
 * order, each after a stream of another kind, must give what a fresh pako inflate gives, and
 * a corrupt stream in between must not leave state behind for the next.
 */
import { describe, expect, it } from 'vitest';
import pako from 'pako';
import { InflateResult, inflateImplementation, inflateInto, pakoInflateInto } from '../../../src/engine/inflate';
import { ErrorCode, ReftableError } from '../../../src/engine/errors';
import { WasmZlib } from '../../../src/engine/wasm-zlib';

type Inflate = (input: Uint8Array, out: Uint8Array, outStart: number, want: number, offset: number) => InflateResult;

function wasmInflater(): Inflate {
  const z = new WasmZlib();
  return (input, out, outStart, want, offset) => {
    const res = z.inflate(input, out, outStart, want);
    if (!res.ok) throw new ReftableError(ErrorCode.Zlib, res.reason, { offset });
    return { consumed: res.consumed };
  };
}

const implementations: [string, () => Inflate][] = [
  ['pako port', () => pakoInflateInto],
  ['zlib wasm', wasmInflater],
  ['process-wide', () => inflateInto],
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function sample(r: () => number, i: number): Uint8Array {
  const kind = i % 5;
  const n = kind === 0 ? 0 : kind === 1 ? 1 + Math.floor(r() * 50) : kind === 4 ? 40_000 + Math.floor(r() * 30_000) : 200 + Math.floor(r() * 4000);
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    // Mostly repetitive text (dynamic trees, long matches), sometimes noise (stored blocks).
    out[k] = kind === 3 ? Math.floor(r() * 256) : 'refs/heads/branch-'.charCodeAt(k % 18) + (r() < 0.05 ? 1 : 0);
  }
  return out;
}

describe.each(implementations)('inflate with a reused state (%s)', (_name, make) => {
  it('gives each stream what a fresh inflate gives, whatever came before', () => {
    const inflateInto = make();
    const r = rng(7);
    const inputs = Array.from({ length: 60 }, (_, i) => sample(r, (i * 7) % 11));
    let checked = 0;
    for (const [i, data] of inputs.entries()) {
      const level = [0, 1, 6, 9][i % 4];
      const z = pako.deflate(data, { level: level as 0 | 1 | 6 | 9 });
      // Trailing bytes after the stream (the next block in a table) must not be consumed.
      const input = new Uint8Array(z.length + 3);
      input.set(z);
      input.set([1, 2, 3], z.length);
      const out = new Uint8Array(data.length + 4);
      const res = inflateInto(input, out, 4, data.length, 0);
      expect(res.consumed, `stream ${i}`).toBe(z.length);
      expect(Buffer.from(out.subarray(4)).equals(Buffer.from(pako.inflate(z))), `stream ${i}`).toBe(true);
      checked++;
      if (i % 13 === 5) {
        // A damaged stream fails cleanly and leaves nothing for the next one.
        const bad = z.slice();
        bad[Math.min(bad.length - 1, 3)] ^= 0xff;
        bad[bad.length - 1] ^= 0xff;
        expect(() => inflateInto(bad, new Uint8Array(data.length), 0, data.length, 123)).toThrow(ReftableError);
      }
    }
    expect(checked).toBe(60);
  });
});

describe.each(implementations)('inflate errors (%s)', (_name, make) => {
  const data = sample(rng(3), 2);
  const z = pako.deflate(data, { level: 9 });
  const fails = (input: Uint8Array, want: number, pattern: RegExp) => {
    try {
      make()(input, new Uint8Array(want + 8), 0, want, 4242);
      expect.fail('inflated');
    } catch (e) {
      expect(e).toBeInstanceOf(ReftableError);
      expect((e as ReftableError).code).toBe(ErrorCode.Zlib);
      expect((e as ReftableError).offset).toBe(4242);
      expect((e as ReftableError).message).toMatch(pattern);
    }
  };
  it('reports a stream shorter than the header says', () => fails(z, data.length + 5, /inflates to \d+ bytes, header says/));
  it('reports a stream longer than the header says', () => fails(z, data.length - 5, /more than the \d+ bytes/));
  it('reports a truncated stream', () => fails(z.subarray(0, z.length >> 1), data.length, /truncated/));
  it('reports a corrupt stream with zlib\'s reason', () => {
    const bad = z.slice();
    bad[0] ^= 0x0f; // not a deflate header
    fails(bad, data.length, /does not inflate: .+/);
  });
});

describe('process-wide inflate', () => {
  it('runs zlib compiled to wasm in Node, sharing its instance with deflate', async () => {
    const { deflateLevel9 } = await import('../../../src/engine/deflate');
    const data = sample(rng(11), 2);
    // Deflate, inflate and deflate again through the one instance: no call sees another's bytes.
    const z1 = deflateLevel9(data).slice();
    const out = new Uint8Array(data.length);
    inflateInto(z1, out, 0, data.length, 0);
    expect(inflateImplementation()).toBe('wasm');
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(deflateLevel9(data)).equals(Buffer.from(z1))).toBe(true);
    expect(Buffer.from(z1).equals(Buffer.from(pako.deflate(data, { level: 9 })))).toBe(true);
  });
});

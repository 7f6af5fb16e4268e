import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../../src/engine/bytes';
import { Level9Deflater, deflateLevel9, level9Implementation } from '../../../src/engine/deflate';
import { WasmZlib } from '../../../src/engine/wasm-zlib';

/** xorshift32: reproducible inputs without a seedless Math.random. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

type Kind = 'random' | 'repetitive' | 'text' | 'zeros' | 'log-like';

function sample(kind: Kind, size: number, next: () => number): Uint8Array {
  const b = new Uint8Array(size);
  switch (kind) {
    case 'random':
      for (let i = 0; i < size; i++) b[i] = next() & 0xff;
      break;
    case 'repetitive': {
      // A short random motif repeated with occasional mutations: long matches, many chains.
      const motif = Array.from({ length: 1 + (next() % 40) }, () => next() & 0xff);
      for (let i = 0; i < size; i++) b[i] = next() % 50 === 0 ? next() & 0xff : motif[i % motif.length];
      break;
    }
    case 'text': {
      const words = ['refs/heads/', 'main', 'feature/', 'commit', ': ', 'branch', 'Created from', 'HEAD', '\n', ' '];
      let i = 0;
      while (i < size) for (const c of words[next() % words.length]) if (i < size) b[i++] = c.charCodeAt(0);
      break;
    }
    case 'zeros':
      break;
    case 'log-like': {
      // Log records: names sharing prefixes, 20-byte ids (often zero), short identities.
      let i = 0;
      let n = 0;
      while (i < size) {
        const rec = [...`refs/heads/topic-${n++}`].map((c) => c.charCodeAt(0));
        rec.push(0, 255, 255, 255, 255, 255, 255, 255, 254);
        for (let k = 0; k < 20; k++) rec.push(n % 3 === 0 ? 0 : next() & 0xff);
        for (let k = 0; k < 20; k++) rec.push(next() & 0xff);
        rec.push(...[...'A U Thor\x12author@example.com'].map((c) => c.charCodeAt(0)), 0x86, 0x9c, 0xd1, 0, 100);
        for (const c of rec) if (i < size) b[i++] = c;
      }
      break;
    }
  }
  return b;
}

const implementations: [string, () => { deflate(input: Uint8Array): Uint8Array }][] = [
  ['pako port', () => new Level9Deflater()],
  ['zlib wasm', () => new WasmZlib()],
];

describe.each(implementations)('reused level-9 deflater (%s)', (_name, make) => {
  it('gives exactly pako.deflate(level 9) for every block of a long mixed sequence', () => {
    const next = rng(0x5eed);
    const kinds: Kind[] = ['random', 'repetitive', 'text', 'zeros', 'log-like'];
    const sizes = [1, 2, 3, 4, 7, 64, 257, 258, 259, 300, 511, 512, 1000, 2047, 4096, 4097, 8191, 12000, 16384];
    const d = make();
    let count = 0;
    // Sizes go up and down so every stream follows a longer or shorter one with other content.
    for (let round = 0; round < 4; round++) {
      const order = round % 2 === 0 ? sizes : [...sizes].reverse();
      for (const size of order) {
        for (const kind of kinds) {
          const input = sample(kind, size, next);
          const got = d.deflate(input);
          const want = pako.deflate(input, { level: 9 });
          if (!bytesEqual(got, want)) expect.fail(`${kind} ${size} bytes (round ${round}) differs from a fresh deflate`);
          expect(pako.inflate(got)).toEqual(input);
          count++;
        }
      }
    }
    expect(count).toBe(4 * sizes.length * kinds.length);
  });

  it('grows its buffers for incompressible input larger than any before, and keeps working after', () => {
    const next = rng(99);
    const d = make();
    for (const size of [10, 100_000, 300_000, 2_500_000, 50]) {
      const input = sample(size > 1_000_000 ? 'log-like' : 'random', size, next);
      expect(bytesEqual(d.deflate(input), pako.deflate(input, { level: 9 }))).toBe(true);
    }
  });

  it('deflates an empty input like zlib', () => {
    expect(toHex(make().deflate(new Uint8Array(0)))).toBe(toHex(pako.deflate(new Uint8Array(0), { level: 9 })));
  });

  it('does not let a result view change what the next call reads', () => {
    const next = rng(5);
    const d = make();
    const a = sample('log-like', 5000, next);
    // Feeding the previous result back in: the input is copied before the output is written.
    const z1 = d.deflate(a);
    const z2 = d.deflate(z1);
    expect(bytesEqual(z2, pako.deflate(pako.deflate(a, { level: 9 }), { level: 9 }))).toBe(true);
  });
});

describe('process-wide deflateLevel9', () => {
  it('runs zlib 1.3.1 compiled to wasm in Node (the same zlib as the git the tests use)', () => {
    deflateLevel9(new Uint8Array(1));
    expect(level9Implementation()).toBe('wasm');
    expect(new WasmZlib().version).toBe('1.3.1');
  });

  it('loads its module without Node\'s Buffer too (the webview decodes base64 with atob)', () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    let z: WasmZlib;
    try {
      g.Buffer = undefined;
      z = new WasmZlib();
    } finally {
      g.Buffer = saved;
    }
    expect(z.version).toBe('1.3.1');
    const input = sample('log-like', 3000, rng(3));
    expect(bytesEqual(z.deflate(input), pako.deflate(input, { level: 9 }))).toBe(true);
  });

  it('gives the same bytes for the same input after any other stream', () => {
    const next = rng(7);
    const a = sample('log-like', 3000, next);
    const first = deflateLevel9(a).slice();
    deflateLevel9(sample('random', 16384, next));
    deflateLevel9(sample('repetitive', 100, next));
    expect(toHex(deflateLevel9(a))).toBe(toHex(first));
    expect(toHex(first)).toBe(toHex(pako.deflate(a, { level: 9 })));
  });
});

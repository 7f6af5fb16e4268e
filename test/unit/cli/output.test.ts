/**
 * The CLI's buffered output (src/cli/context.ts Output): lines are encoded into a reused byte
 * buffer, so what reaches the sinks must be exactly the lines in order, whatever their size,
 * characters, or the sink's hold on a chunk.
 */
import { describe, expect, it } from 'vitest';
import { Output } from '../../../src/cli/context';

/** A byte sink recording copies of what it got, and what it held uncopied when `holds`. */
function byteSink(holds: (n: number) => boolean) {
  const copies: Buffer[] = [];
  const held: { chunk: Uint8Array; copy: Buffer }[] = [];
  let calls = 0;
  const sink = (chunk: Uint8Array): boolean => {
    const copy = Buffer.from(chunk);
    copies.push(copy);
    const hold = holds(calls++);
    if (hold) held.push({ chunk, copy });
    return !hold;
  };
  return { sink, text: () => Buffer.concat(copies).toString('utf8'), held, calls: () => calls };
}

function lines(seed: number, count: number): string[] {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pieces = ['refs/heads/main', 'ü', '€', '😀', ' ', 'x'.repeat(1000), '\t', 'ab'];
  return Array.from({ length: count }, () => {
    const n = Math.floor(r() * 40);
    let line = '';
    for (let i = 0; i < n; i++) line += pieces[Math.floor(r() * pieces.length)];
    return line;
  });
}

describe('CLI output', () => {
  it('delivers every line in order through a byte sink, across chunk boundaries and multibyte characters', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const input = lines(seed, 3000);
      const b = byteSink(() => false);
      const out = new Output(() => expect.fail('lines go to the byte sink when there is one'), b.sink);
      for (const l of input) out.line(l);
      out.flush();
      expect(b.text()).toBe(input.map((l) => `${l}\n`).join(''));
      // Buffered: far fewer writes than lines.
      expect(b.calls()).toBeLessThan(input.length / 10);
    }
  });

  it('writes a line longer than its buffer whole, after what came before', () => {
    const b = byteSink(() => false);
    const out = new Output(() => undefined, b.sink);
    const long = 'é'.repeat(100_000);
    out.line('first');
    out.line(long);
    out.line('last');
    out.flush();
    expect(b.text()).toBe(`first\n${long}\nlast\n`);
  });

  it('never reuses a chunk the sink still holds', () => {
    const input = lines(7, 4000);
    const b = byteSink((n) => n % 2 === 0);
    const out = new Output(() => undefined, b.sink);
    for (const l of input) out.line(l);
    out.flush();
    expect(b.held.length).toBeGreaterThan(1);
    for (const { chunk, copy } of b.held) expect(Buffer.from(chunk).equals(copy)).toBe(true);
    expect(b.text()).toBe(input.map((l) => `${l}\n`).join(''));
  });

  it('keeps lines and raw bytes in order, and decodes for a string sink', () => {
    const got: string[] = [];
    const out = new Output((s) => got.push(s));
    out.line('one ü');
    expect(out.bytes(Buffer.from('raw € bytes\n'))).toBe(true);
    out.line('two');
    out.flush();
    out.flush();
    expect(got.join('')).toBe('one ü\nraw € bytes\ntwo\n');
    expect(got).toHaveLength(3);
  });
});

/**
 * Hand-crafted bad input: every case must end in a ReftableError carrying a code, the file
 * name, a byte offset and a reason — never a TypeError/RangeError, a hang, or an allocation
 * sized by a corrupt length field.
 */
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { concatBytes, crc32, utf8, writeU16, writeU24, writeU32, writeU64 } from '../../../src/engine/bytes';
import { ErrorCode, ReftableError } from '../../../src/engine/errors';
import { SHA1 } from '../../../src/engine/format';
import { MergedTables } from '../../../src/engine/merged';
import { logKey } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { verifyTable } from '../../../src/engine/verify';
import { writeTable } from '../../../src/engine/writer';
import { INIT_TABLE, gitTables, oid, refooter, writerTables } from './verify-samples';

/** Open and read everything; return the ReftableError raised, or undefined for a clean read. */
function readAll(bytes: Uint8Array, name = 'bad.ref'): ReftableError | undefined {
  try {
    const t = Table.open(bytes, { name });
    for (const _ of t.refs());
    for (const _ of t.logs());
    t.ref(utf8('refs/heads/main'));
    for (const _ of t.logsFor(utf8('HEAD')));
    for (const _ of t.refsFor(oid(1, t.hash.size)));
    for (const _ of new MergedTables([t]).refs());
    return undefined;
  } catch (e) {
    if (!(e instanceof ReftableError)) throw new Error(`untyped exception: ${e instanceof Error ? e.stack : e}`);
    return e;
  }
}

/** The error must be complete: code, file, offset inside the file, reason. */
function expectTyped(e: ReftableError | undefined, code: string, size: number, reason?: RegExp, name = 'bad.ref'): ReftableError {
  expect(e).toBeInstanceOf(ReftableError);
  expect(e!.code).toBe(code);
  expect(e!.file).toBe(name);
  expect(typeof e!.offset).toBe('number');
  expect(e!.offset!).toBeGreaterThanOrEqual(0);
  expect(e!.offset!).toBeLessThanOrEqual(size);
  expect(e!.reason.length).toBeGreaterThan(0);
  if (reason) expect(e!.reason).toMatch(reason);
  return e!;
}

/** A log-only table whose first block is `'g' u24(blockLen) z`. */
function logOnly(blockLen: number, z: Uint8Array): Uint8Array {
  const header = new Uint8Array(24);
  header.set(utf8('REFT'));
  header[4] = 1;
  writeU24(header, 5, 4096);
  writeU64(header, 8, 1);
  writeU64(header, 16, 1);
  const blockHead = new Uint8Array(4);
  blockHead[0] = 0x67;
  writeU24(blockHead, 1, blockLen);
  const footer = new Uint8Array(68);
  footer.set(header);
  const out = concatBytes([header, blockHead, z, footer]);
  writeU32(out, out.length - 4, crc32(out, out.length - 68, out.length - 4));
  return out;
}

/** A valid uncompressed log block body (records + restarts + count) for one entry. */
function logBody(): Uint8Array {
  const key = logKey(utf8('HEAD'), 1);
  const value = concatBytes([new Uint8Array(40), Uint8Array.of(1, 0x41, 1, 0x61, 0, 0, 0, 1, 0x0a)]);
  const rec = concatBytes([Uint8Array.of(0, (key.length << 3) | 1), key, value]);
  const tail = new Uint8Array(5);
  writeU24(tail, 0, 28);
  writeU16(tail, 3, 1);
  return concatBytes([rec, tail]);
}

describe('bad input: truncation', () => {
  it('rejects the git init table cut at every length', () => {
    for (let n = 0; n < INIT_TABLE.length; n++) {
      expectTyped(readAll(INIT_TABLE.subarray(0, n)), ErrorCode.Format, n);
    }
  });
  it('rejects every truncation of small tables and a dense sample of large ones', () => {
    let cases = 0;
    for (const s of [...gitTables(), ...writerTables()]) {
      const step = s.bytes.length < 2000 ? 1 : 37;
      for (let n = 0; n < s.bytes.length; n += step) {
        const e = readAll(s.bytes.subarray(0, n));
        expect(e, `${s.name} cut at ${n}`).toBeInstanceOf(ReftableError);
        expect(e!.offset).toBeDefined();
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(5000);
  });
  it('rejects or reads every cut of the data area when the footer is kept', () => {
    const s = gitTables().find((x) => x.name.includes('basic.git') && x.bytes.length > 1000)!;
    const dataEnd = s.bytes.length - 68;
    let rejected = 0;
    for (let n = 25; n < dataEnd; n++) {
      const cut = refooter(concatBytes([s.bytes.subarray(0, n), s.bytes.subarray(dataEnd)]));
      const e = readAll(cut);
      if (e) {
        rejected++;
        expect(e.file).toBe('bad.ref');
        expect(e.offset).toBeDefined();
      }
      expect(verifyTable(cut).some((f) => f.severity === 'error'), `cut at ${n}`).toBe(true);
    }
    expect(rejected).toBeGreaterThan(dataEnd - 100);
  });
});

describe('bad input: header and footer', () => {
  it('rejects wrong magic in any of the four bytes at offset 0', () => {
    for (let i = 0; i < 4; i++) {
      const b = INIT_TABLE.slice();
      b[i] ^= 0x20;
      expectTyped(readAll(b), ErrorCode.Format, b.length, /magic/);
    }
  });
  it('rejects a footer that does not repeat the header, at the differing byte', () => {
    const b = INIT_TABLE.slice();
    b[56 + 9] = 9;
    refooter(b);
    expect(expectTyped(readAll(b), ErrorCode.Format, b.length, /footer/).offset).toBe(65);
  });
  it('refuses update indexes beyond 2^53 with a typed error', () => {
    const b = INIT_TABLE.slice();
    b[16] = 0xff; b[56 + 16] = 0xff;
    refooter(b);
    expect(expectTyped(readAll(b), ErrorCode.Unsupported, b.length).offset).toBe(16);
  });
  it('rejects footer positions past the data', () => {
    const b = INIT_TABLE.slice();
    writeU64(b, 56 + 24 + 32, 100000); // log_index_position
    refooter(b);
    expectTyped(readAll(b), ErrorCode.Format, b.length, /past the end/);
  });
});

describe('bad input: blocks', () => {
  it('rejects a block length past the block size, and past the data when the block size is huge', () => {
    const b = INIT_TABLE.slice();
    writeU24(b, 25, 0xffffff);
    expect(expectTyped(readAll(b), ErrorCode.Format, b.length, /exceeds the table's block size/).offset).toBe(25);
    writeU24(b, 5, 0xffffff); writeU24(b, 56 + 5, 0xffffff);
    refooter(b);
    expect(expectTyped(readAll(b), ErrorCode.Format, b.length, /runs past the end/).offset).toBe(25);
  });
  it('rejects a block length too small for its header', () => {
    const b = INIT_TABLE.slice();
    writeU24(b, 25, 10);
    expectTyped(readAll(b), ErrorCode.Format, b.length, /too small/);
  });
  it('rejects a huge restart count without allocating for it', () => {
    const b = INIT_TABLE.slice();
    writeU16(b, 54, 0xffff);
    expect(expectTyped(readAll(b), ErrorCode.Format, b.length, /restart count 65535/).offset).toBe(54);
  });
  it('rejects restart offsets out of range and out of order', () => {
    const b = INIT_TABLE.slice();
    writeU24(b, 51, 5);
    expect(expectTyped(readAll(b), ErrorCode.Format, b.length, /restart 0 points at 5/).offset).toBe(51);
    writeU24(b, 51, 0xfffff0);
    expectTyped(readAll(b), ErrorCode.Format, b.length, /outside the records/);
    const s = writerTables().find((x) => x.name === 'w-small.ref')!;
    const t = Table.open(s.bytes);
    const blk = t.block(0)!;
    expect(blk.restartCount).toBeGreaterThan(1);
    const w = s.bytes.slice();
    writeU24(w, blk.restartsStart + 3, blk.restarts[0]);
    expectTyped(readAll(w), ErrorCode.Format, w.length, /not after the previous/);
  });
  it('rejects a restart record that shares a prefix', () => {
    const s = writerTables().find((x) => x.name === 'w-refs-only-1k.ref')!;
    const t = Table.open(s.bytes);
    const blk = t.block(1024)!;
    // Point restart 1 at a record that is not a restart (it has a non-zero prefix).
    const recs = [...blk.records()];
    const nonRestart = recs.find((r) => r.header.prefixLen > 0 && r.header.start > blk.restarts[0] && (blk.restarts.length < 3 || r.header.start < blk.restarts[2]))!;
    const b = s.bytes.slice();
    writeU24(b, 1024 + blk.restartsStart + 3, nonRestart.header.start);
    const e = readAll(b);
    // Seeks binary-search the restarts and must notice; verify reports it too.
    const seekErr = (() => { try { Table.open(b, { name: 'bad.ref' }).ref(recs[recs.length - 1].header.key); return undefined; } catch (x) { return x as ReftableError; } })();
    expectTyped(seekErr, ErrorCode.Format, b.length, /shares/);
    expect(e === undefined || e instanceof ReftableError).toBe(true);
    expect(verifyTable(b).map((f) => f.code)).toContain('restart');
  });
  it('rejects an unknown block type and an unknown ref value type', () => {
    const b = INIT_TABLE.slice();
    b[24] = 0x78;
    const t = Table.open(b, { name: 'bad.ref' }); // the section simply is absent…
    expect([...t.refs()]).toEqual([]);
    expect(verifyTable(b).some((f) => f.severity === 'error')).toBe(true); // …but verify says why
    const v = INIT_TABLE.slice();
    v[29] = (4 << 3) | 5; // 'HEAD' with value type 5
    expectTyped(readAll(v), ErrorCode.Format, v.length, /unknown ref value type 5/);
  });
});

describe('bad input: varints and record lengths', () => {
  it('rejects runaway, overlong and overflowing varints at the record offset', () => {
    const b = INIT_TABLE.slice();
    b.fill(0xff, 28, 40);
    const e = expectTyped(readAll(b), ErrorCode.Format, b.length, /varint/);
    expect(e.offset).toBe(28);
    // 2^53 overflow inside the block: a long symref target leaves room for 9 bytes.
    const bytes = writeTable({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 1 }, [
      { kind: 'ref', name: utf8('HEAD'), updateIndex: 1, valueType: 3, target: utf8('refs/heads/a-rather-long-branch-name') },
    ], [])!;
    const o = bytes.slice();
    o.set([0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0x7f], 34); // the target length
    expectTyped(readAll(o), ErrorCode.Format, o.length, /overflows|past the end/);
  });
  it('rejects a key prefix longer than the previous key and a suffix past the records', () => {
    const b = INIT_TABLE.slice();
    b[28] = 3; // first record claims 3 shared bytes
    expectTyped(readAll(b), ErrorCode.Format, b.length, /shares 3 bytes/);
    const c = INIT_TABLE.slice();
    c[29] = (100 << 3) | 3 & 0xff; // suffix of 100 bytes would need a 2-byte varint: use 15<<3
    c[29] = (15 << 3) | 3;
    expectTyped(readAll(c), ErrorCode.Format, c.length);
  });
  it('bounds obj position lists by the bytes present', () => {
    const s = writerTables().find((x) => x.name === 'w-indexed-512.ref')!;
    const t = Table.open(s.bytes);
    const objOff = t.footer.objPosition;
    const r = [...t.block(objOff)!.records()][0];
    const b = s.bytes.slice();
    b[objOff + r.header.valueStart - 1 - r.header.suffixLen] = (r.header.suffixLen << 3) | 0; // count in a varint
    b.set([0xbf, 0xff, 0xff, 0x7f], objOff + r.header.valueStart); // count ≈ 2^28
    const e = (() => { try { for (const _ of Table.open(b, { name: 'bad.ref' }).sectionRecords('obj')); } catch (x) { return x as ReftableError; } return undefined; })();
    expectTyped(e, ErrorCode.Format, b.length, /positions, more than the bytes left/);
  });
});

describe('bad input: zlib', () => {
  it('reads a well-formed crafted log block', () => {
    const body = logBody();
    const t = Table.open(logOnly(28 + body.length, pako.deflate(body, { level: 9 })), { name: 'ok.ref' });
    const logs = [...t.logs()];
    expect(logs).toHaveLength(1);
    expect(logs[0].updateIndex).toBe(1);
  });
  it('rejects a broken zlib header, a truncated stream, and a wrong inflated size', () => {
    const body = logBody();
    const z = pako.deflate(body, { level: 9 });
    const bad = z.slice();
    bad[0] = 0x00;
    expectTyped(readAll(logOnly(28 + body.length, bad)), ErrorCode.Zlib, 200, /does not inflate|truncated/);
    expectTyped(readAll(logOnly(28 + body.length, z.subarray(0, z.length - 6))), ErrorCode.Zlib, 200);
    expectTyped(readAll(logOnly(28 + body.length + 10, z)), ErrorCode.Zlib, 200, /inflates to/);
    const corrupt = z.slice();
    corrupt[z.length - 1] ^= 0xff; // Adler-32
    expectTyped(readAll(logOnly(28 + body.length, corrupt)), ErrorCode.Zlib, 200);
  });
  it('stops inflating a bomb at the size the header claims', () => {
    const bomb = pako.deflate(new Uint8Array(20 << 20), { level: 9 }); // 20 MB of zeros, ~20 KB
    expect(bomb.length).toBeLessThan(40000);
    const start = performance.now();
    const e = expectTyped(readAll(logOnly(28 + 100, bomb)), ErrorCode.Zlib, bomb.length + 100, /more than the 100 bytes/);
    expect(e.offset).toBe(28);
    expect(performance.now() - start).toBeLessThan(1000);
    // A header claiming 16 MB is only believed once the stream has produced it.
    const small = pako.deflate(logBody(), { level: 9 });
    expectTyped(readAll(logOnly(0xffffff, small)), ErrorCode.Zlib, 200, /inflates to \d+ bytes, header says/);
  });
});

describe('bad input: merged view', () => {
  it('handles ref names longer than the argument limit in refsFor', () => {
    const name = new Uint8Array(300000).fill(0x61);
    const id = oid(3);
    const b = writeTable({ hash: SHA1, blockSize: 1 << 20, minUpdateIndex: 1, maxUpdateIndex: 1 }, [
      { kind: 'ref', name, updateIndex: 1, valueType: 1, value: id },
    ], [])!;
    const m = new MergedTables([Table.open(b)]);
    expect([...m.refsFor(id)].map((s) => s.record.name.length)).toEqual([300000]);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pako from 'pako';
import { bytesEqual, fromHex, text, toHex, utf8 } from '../../../src/engine/bytes';
import { SHA1, SHA256 } from '../../../src/engine/format';
import {
  BlockLayout, ByteRange, TableLayout, blockLayoutAt, locateInBlock, locateInTable, lookupObject, seekPath, selectionRange, tableLayout, toFileRange,
} from '../../../src/engine/layout';
import { LogRecord, RefRecord } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { writeTable } from '../../../src/engine/writer';

const FIXTURES = join(__dirname, '../../fixtures');

function oid(n: number, size = 20): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (n * 31 + i * 7 + (n >> 8)) & 0xff;
  b[0] = n & 0xff;
  b[1] = (n >> 8) & 0xff;
  return b;
}

function refName(i: number): string {
  return `refs/heads/branch-${String(i).padStart(5, '0')}`;
}

/** Many refs and logs in small blocks: multi-level ref index, obj section, log index. */
function bigTable(n = 3000, blockSize = 256): Uint8Array {
  const refs: RefRecord[] = [];
  refs.push({ kind: 'ref', name: utf8('HEAD'), updateIndex: 1, valueType: 3, target: utf8(refName(0)) });
  for (let i = 0; i < n; i++) refs.push({ kind: 'ref', name: utf8(refName(i)), updateIndex: 1 + (i % 3), valueType: 1, value: oid(i) });
  refs.push({ kind: 'ref', name: utf8('refs/tags/v1'), updateIndex: 2, valueType: 2, value: oid(90001), peeled: oid(1) });
  refs.push({ kind: 'ref', name: utf8('refs/tags/zz-gone'), updateIndex: 3, valueType: 0 });
  const logs: LogRecord[] = [];
  for (let i = 0; i < 400; i++) {
    logs.push({
      kind: 'log', name: utf8(refName(i)), updateIndex: 2, valueType: 1, old: new Uint8Array(20), new: oid(i),
      committerName: utf8('C O Mitter'), email: utf8('committer@example.com'), time: 1700000000 + i, tz: -800, message: utf8(`commit ${i}\n`),
    });
  }
  return writeTable({ hash: SHA1, blockSize, minUpdateIndex: 1, maxUpdateIndex: 3 }, refs, logs)!;
}

/** Top-level ranges in file order; they must tile the file. */
function topRanges(l: TableLayout): (ByteRange & { what: string })[] {
  const out: (ByteRange & { what: string })[] = [{ ...l.header, what: 'header' }];
  for (const b of l.blocks) {
    out.push({ offset: b.start, length: b.offset + b.diskLength - b.start, what: `block ${b.index}` });
    if (b.paddedLength > b.diskLength) out.push({ offset: b.offset + b.diskLength, length: b.paddedLength - b.diskLength, what: `padding ${b.index}` });
  }
  if (l.unparsed) out.push({ ...l.unparsed, what: 'unparsed' });
  out.push({ offset: l.footer.offset, length: l.footer.length, what: 'footer' });
  return out;
}

function expectTiles(ranges: ByteRange[], start: number, end: number): void {
  let at = start;
  for (const r of ranges) {
    expect(r.offset, `range at ${r.offset} should start at ${at}`).toBe(at);
    expect(r.length).toBeGreaterThan(0);
    at = r.offset + r.length;
  }
  expect(at).toBe(end);
}

/** Inside a block: header fields, records and restart table tile [start, blockLen). */
function expectBlockTiles(bl: BlockLayout): void {
  const s = bl.summary;
  const base = bl.space === 'file' ? s.offset : 0;
  const ranges = [bl.fields[0], bl.fields[1], ...bl.records, ...bl.fields.slice(2)];
  expectTiles(ranges, base + (s.start - s.offset), base + s.blockLen);
  for (const r of bl.records) expectTiles(r.fields, r.offset, r.offset + r.length);
}

function fixtureTables(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const repo of readdirSync(FIXTURES).filter((d) => d.endsWith('.git'))) {
    const dir = join(FIXTURES, repo, 'reftable');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ref'))) out.push({ name: `${repo}/${f}`, bytes: readFileSync(join(dir, f)) });
  }
  return out;
}

describe('tableLayout', () => {
  const fixtures = fixtureTables();
  it('finds the git-made fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  it('covers every git-made table exactly, without overlap, and decodes every block back to the table records', () => {
    for (const { name, bytes } of fixtures) {
      const t = Table.open(bytes, { name });
      const l = tableLayout(t);
      expect(l.unparsed, name).toBeUndefined();
      expectTiles(topRanges(l), 0, bytes.length);
      expect(l.footer.crcOk).toBe(true);
      const refs: string[] = [];
      const logs: string[] = [];
      for (const b of l.blocks) {
        const bl = blockLayoutAt(t, l, b.index);
        expect(bl.error, `${name} block ${b.index}`).toBeUndefined();
        expectBlockTiles(bl);
        for (const r of bl.records) {
          if (r.decoded.kind === 'ref') refs.push(`${r.decoded.name} ${r.decoded.value ?? r.decoded.target ?? ''}`);
          if (r.decoded.kind === 'log') logs.push(`${r.decoded.name} ${r.decoded.updateIndex} ${r.decoded.message ?? ''}`);
        }
      }
      expect(refs).toEqual([...t.refs()].map((r) => `${text(r.name)} ${r.value ? toHex(r.value) : r.target ? text(r.target) : ''}`));
      expect(logs).toEqual([...t.logs()].map((r) => `${text(r.name)} ${r.updateIndex} ${r.valueType === 1 ? text(r.message) : ''}`));
    }
  });

  it('lists the blocks of a multi-level index table lazily with levels, padding and sections', () => {
    const bytes = bigTable();
    const t = Table.open(bytes, { name: 'big.ref' });
    const l = tableLayout(t);
    expectTiles(topRanges(l), 0, bytes.length);
    const types = new Set(l.blocks.map((b) => `${b.section}:${b.type}`));
    expect([...types]).toEqual(expect.arrayContaining(['ref:ref', 'ref:index', 'obj:obj', 'log:log', 'log:index']));
    const refIndex = l.blocks.filter((b) => b.type === 'index' && b.section === 'ref');
    const maxLevel = Math.max(...refIndex.map((b) => b.level!));
    expect(maxLevel).toBeGreaterThanOrEqual(2);
    // The footer points at the first block of the top level.
    const top = refIndex.filter((b) => b.level === maxLevel);
    expect(top[0].offset).toBe(t.footer.refIndexPosition);
    expect(top.length).toBeLessThanOrEqual(3);
    // Ref blocks are aligned and padded; log blocks are not.
    for (const b of l.blocks.filter((x) => x.type === 'ref')) expect(b.offset % 256).toBe(0);
    expect(l.paddings.length).toBeGreaterThan(0);
    for (const p of l.paddings) expect(bytes.subarray(p.offset, p.offset + p.length).every((x) => x === 0)).toBe(true);
    for (const b of l.blocks.filter((x) => x.type === 'log')) expect(b.paddedLength).toBe(b.diskLength);
    // Every index record of level k>1 points at a level k-1 index block; level 1 at data blocks.
    const byOffset = new Map(l.blocks.map((b) => [b.offset, b]));
    for (const ib of l.blocks.filter((b) => b.type === 'index')) {
      const bl = blockLayoutAt(t, l, ib.index);
      for (const r of bl.records) {
        const target = byOffset.get(r.decoded.kind === 'index' ? r.decoded.position : -1)!;
        expect(target).toBeDefined();
        if (ib.level === 1) expect(target.type).toBe(ib.section);
        else expect(target.level).toBe(ib.level! - 1);
      }
    }
  });

  it('walks a 40 MB-scale block list without decoding records (timing smoke test)', () => {
    const bytes = bigTable(20000, 4096);
    const t = Table.open(bytes);
    const t0 = performance.now();
    const l = tableLayout(t);
    const ms = performance.now() - t0;
    expect(l.blocks.length).toBeGreaterThan(100);
    expect(ms).toBeLessThan(1000);
  });

  it('reports a corrupt block as an unparsed range and keeps the blocks before it', () => {
    const bytes = bigTable().slice();
    const t0 = Table.open(bytes);
    const l0 = tableLayout(t0);
    const victim = l0.blocks[3];
    bytes[victim.start] = 0x7a; // not a block type
    const l = tableLayout(Table.open(bytes));
    expect(l.blocks.length).toBe(3);
    expect(l.unparsed).toMatchObject({ offset: victim.offset });
    expect(l.unparsed!.reason).toMatch(/block type/);
    expectTiles(topRanges(l), 0, bytes.length);
  });

  it('shows a CRC mismatch in the footer fields', () => {
    const bytes = bigTable().slice();
    bytes[bytes.length - 1] ^= 0xff;
    const l = tableLayout(Table.open(bytes));
    expect(l.footer.crcOk).toBe(false);
    const crc = l.footer.fields.find((f) => f.name === 'crc32')!;
    expect(crc.ok).toBe(false);
    expect(crc.offset).toBe(bytes.length - 4);
  });

  it('handles SHA-256 (v2) headers with a hash id field', () => {
    const bytes = writeTable({ hash: SHA256, minUpdateIndex: 1, maxUpdateIndex: 1 }, [
      { kind: 'ref', name: utf8('refs/heads/main'), updateIndex: 1, valueType: 1, value: oid(5, 32) },
    ], [])!;
    const l = tableLayout(Table.open(bytes));
    expect(l.header.length).toBe(28);
    expect(l.header.fields.map((f) => f.name)).toContain('hash_id');
    expect(l.blocks[0].start).toBe(28);
    expectTiles(topRanges(l), 0, bytes.length);
  });
});

describe('blockLayout', () => {
  it('record field ranges decode back to the same values', () => {
    const bytes = bigTable();
    const t = Table.open(bytes);
    const l = tableLayout(t);
    const bl = blockLayoutAt(t, l, 1);
    expect(bl.records.length).toBeGreaterThan(1);
    let prevKey = new Uint8Array(0);
    for (const r of bl.records) {
      // prefix + suffix bytes reconstruct the key
      const suffix = bytes.subarray(r.suffixOffset, r.suffixOffset + r.suffixLength);
      const key = new Uint8Array([...prevKey.subarray(0, r.prefixLength), ...suffix]);
      expect(toHex(key)).toBe(r.keyHex);
      const idField = r.fields.find((f) => f.name === 'object id');
      if (idField && r.decoded.kind === 'ref') expect(toHex(bytes.subarray(idField.offset, idField.offset + idField.length))).toBe(r.decoded.value);
      expect(r.fields.find((f) => f.role === 'key-suffix')!.offset).toBe(r.suffixOffset);
      prevKey = key;
    }
    expect(bl.records.some((r) => r.prefixLength > 0)).toBe(true);
    expect(bl.records.filter((r) => r.restart).map((r) => r.offset)).toEqual(bl.restarts);
  });

  it('maps log records in the inflated block back to the compressed range', () => {
    const bytes = bigTable();
    const t = Table.open(bytes);
    const l = tableLayout(t);
    const lb = l.blocks.find((b) => b.type === 'log')!;
    const bl = blockLayoutAt(t, l, lb.index);
    expect(bl.space).toBe('inflated');
    expect(bl.compressed).toEqual({ offset: lb.start + 4, length: lb.compressedLength });
    // The zlib stream really sits there and inflates to the block's records.
    const inflated = pako.inflate(bytes.subarray(bl.compressed!.offset, bl.compressed!.offset + bl.compressed!.length));
    expect(inflated.length).toBe(lb.blockLen - 4);
    const rec = bl.records[0];
    const msg = rec.fields.find((f) => f.name === 'message')!;
    expect(text(inflated.subarray(msg.offset - 4, msg.offset - 4 + msg.length))).toBe((rec.decoded as { message: string }).message);
    expect(toFileRange(bl, msg)).toEqual(bl.compressed);
    expect(toFileRange(bl, bl.fields[0])).toEqual({ offset: lb.start, length: 1 });
    expect(rec.fields.find((f) => f.name === 'tz_offset')!.value).toBe('-0800');
  });
});

describe('selection mapping', () => {
  const bytes = bigTable();
  const t = Table.open(bytes);
  const l = tableLayout(t);

  it('maps every byte of a block to its owning field and back', () => {
    const bl = blockLayoutAt(t, l, 2);
    const s = bl.summary;
    for (let pos = s.start; pos < s.offset + s.paddedLength; pos++) {
      const sel = locateInBlock(bl, pos);
      const r = selectionRange(bl, sel)!;
      expect(r, `byte ${pos}`).toBeDefined();
      expect(pos).toBeGreaterThanOrEqual(r.offset);
      expect(pos).toBeLessThan(r.offset + r.length);
      if (pos < s.offset + s.blockLen) expect(sel.area).toBe('field');
      else expect(sel.area).toBe('padding');
    }
    // and back: every field's first byte selects that field
    bl.records.forEach((r, ri) => r.fields.forEach((f, fi) => {
      if (f.length > 0) expect(locateInBlock(bl, f.offset)).toEqual({ record: ri, field: fi, area: 'field' });
    }));
  });

  it('maps file offsets to header, blocks, padding and footer', () => {
    expect(locateInTable(l, 0)).toEqual({ area: 'header', field: 0 });
    expect(locateInTable(l, 5)).toEqual({ area: 'header', field: 2 });
    const b = l.blocks[4];
    expect(locateInTable(l, b.start)).toEqual({ area: 'block', block: 4 });
    const pad = l.paddings[0];
    expect(locateInTable(l, pad.offset)).toEqual({ area: 'padding', block: pad.block });
    expect(locateInTable(l, bytes.length - 1)?.area).toBe('footer');
    expect(locateInTable(l, bytes.length)).toBeUndefined();
  });
});

describe('seekPath', () => {
  const bytes = bigTable();
  const t = Table.open(bytes);
  const l = tableLayout(t);

  it('follows every index level to the right block and finds the ref', () => {
    const want = refName(1234);
    const p = seekPath(t, want);
    const idx = p.steps.filter((s) => s.kind === 'index-block');
    const levels = idx.map((s) => (s.kind === 'index-block' ? s.level : -1));
    const maxLevel = Math.max(...l.blocks.filter((b) => b.type === 'index' && b.section === 'ref').map((b) => b.level!));
    // one index block per level, from the top down
    expect(new Set(levels).size).toBe(maxLevel);
    const data = p.steps.find((s) => s.kind === 'data-block')!;
    expect(data.kind).toBe('data-block');
    expect(p.found).toBeDefined();
    expect(p.found!.key).toBe(want);
    const bl = blockLayoutAt(t, l, l.blocks.findIndex((b) => b.offset === p.found!.block));
    expect(bl.records[p.found!.record].key).toBe(want);
    expect(bl.records[p.found!.record].offset).toBe(p.found!.offset);
    if (data.kind === 'data-block') {
      expect(data.offset).toBe(p.found!.block);
      expect(data.probes.length).toBeGreaterThan(0);
      expect(data.scanned.at(-1)!.key).toBe(want);
    }
    // every chosen index record points at the next step's block
    for (let i = 0; i < p.steps.length - 1; i++) {
      const s = p.steps[i];
      if (s.kind === 'index-block' && s.chosen) expect(s.chosen.position).toBe((p.steps[i + 1] as { offset: number }).offset);
    }
  });

  it('says between which keys an absent ref would sit', () => {
    const p = seekPath(t, `${refName(1234)}a`);
    expect(p.found).toBeUndefined();
    expect(p.absent).toEqual({ before: refName(1234), after: refName(1235) });
    const first = seekPath(t, 'A');
    expect(first.absent).toEqual({ before: undefined, after: 'HEAD' });
    const last = seekPath(t, 'zzz');
    expect(last.absent).toEqual({ before: 'refs/tags/zz-gone', after: undefined });
  });

  it('finds the block boundary neighbour when the gap falls between blocks', () => {
    // The first key of a middle ref block: a name just below it sits after the previous block's last key.
    const blocks = l.blocks.filter((b) => b.type === 'ref');
    const bl = blockLayoutAt(t, l, blocks[5].index);
    const prevBl = blockLayoutAt(t, l, blocks[4].index);
    const firstKey = bl.records[0].key;
    const p = seekPath(t, `${prevBl.records.at(-1)!.key}~`);
    expect(p.absent?.before).toBe(prevBl.records.at(-1)!.key);
    expect(p.absent?.after).toBe(firstKey);
  });

  it('seeks reflogs to the newest entry of a ref', () => {
    const p = seekPath(t, refName(7), 'log');
    expect(p.found?.key).toBe(`${refName(7)} @ 2`);
  });

  it('works on a git-made table without an index', () => {
    const dir = join(FIXTURES, 'basic-packed.git/reftable');
    const f = readdirSync(dir).find((x) => x.endsWith('.ref'))!;
    const gt = Table.open(readFileSync(join(dir, f)));
    const p = seekPath(gt, 'refs/heads/main');
    expect(p.found?.key).toBe('refs/heads/main');
    expect(p.steps[0].kind).toBe('scan-blocks');
  });
});

describe('lookupObject', () => {
  const bytes = bigTable();
  const t = Table.open(bytes);

  it('uses the obj section for a long enough prefix', () => {
    const id = toHex(oid(1234));
    const r = lookupObject(t, id);
    expect(r.method).toBe('obj-index');
    expect(r.objRecord).toBeDefined();
    expect(r.matches.map((m) => m.name)).toEqual([refName(1234)]);
    expect(r.blocksVisited.length).toBeLessThanOrEqual(r.objRecord!.positions.length);
    expect(bytesEqual(bytes.subarray(r.matches[0].offset, r.matches[0].offset + 1), new Uint8Array([bytes[r.matches[0].offset]]))).toBe(true);
  });

  it('finds peeled ids and falls back to a scan for short prefixes', () => {
    const short = toHex(oid(1)).slice(0, 3);
    const r = lookupObject(t, short);
    expect(r.method).toBe('scan');
    expect(r.reason).toMatch(/shorter/);
    const peeled = r.matches.find((m) => m.name === 'refs/tags/v1');
    expect(peeled?.via).toBe('peeled');
  });

  it('rejects non-hex input with a typed error', () => {
    expect(() => lookupObject(t, 'xyz')).toThrow(/hexadecimal/);
  });

  it('reports an absent id through the obj section without visiting ref blocks', () => {
    const r = lookupObject(t, 'ffff'.repeat(10));
    expect(r.matches).toEqual([]);
    expect(r.method).toBe('obj-index');
    expect(r.blocksVisited).toEqual([]);
  });

  it('hex helper sanity', () => {
    expect(toHex(fromHex('00ff'))).toBe('00ff');
  });
});

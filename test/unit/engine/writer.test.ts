import { describe, expect, it } from 'vitest';
import { compareBytes, fromHex, toHex, utf8 } from '../../../src/engine/bytes';
import { ErrorCode, ReftableError } from '../../../src/engine/errors';
import { BlockType, HashFormat, SHA1, SHA256 } from '../../../src/engine/format';
import { IndexRecord, LogRecord, ObjRecord, RefRecord, logKey } from '../../../src/engine/record';
import { BlockWriter } from '../../../src/engine/block';
import { Table } from '../../../src/engine/table';
import { TableWriter, WriterOptions, cleanLogMessage, writeTable } from '../../../src/engine/writer';

// The table `git init --ref-format=reftable -b main` writes (reftable-format.md § 2.4).
const INIT_TABLE = fromHex(
  '5245465401001000000000000000000100000000000000017200003800234845' +
  '4144000f726566732f68656164732f6d61696e00001c00015245465401001000' +
  '0000000000000001000000000000000100000000000000000000000000000000' +
  '000000000000000000000000000000000000000000000000b6bff78a',
);

const enc = (s: string) => utf8(s);

function id(hash: HashFormat, n: number): Uint8Array {
  const b = new Uint8Array(hash.size);
  // Spread the bits so ids share short prefixes, like real hashes.
  let x = (n + 1) * 2654435761;
  for (let i = 0; i < b.length; i++) {
    x = (x ^ (x >>> 13)) * 1597334677;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

function val1(name: string, updateIndex: number, value: Uint8Array): RefRecord {
  return { kind: 'ref', name: enc(name), updateIndex, valueType: 1, value };
}
function symref(name: string, updateIndex: number, target: string): RefRecord {
  return { kind: 'ref', name: enc(name), updateIndex, valueType: 3, target: enc(target) };
}
function update(hash: HashFormat, name: string, updateIndex: number, newId: Uint8Array, message: string, o: Partial<LogRecord> = {}): LogRecord {
  return {
    kind: 'log', name: enc(name), updateIndex, valueType: 1, old: new Uint8Array(hash.size), new: newId,
    committerName: enc('C O Mitter'), email: enc('committer@example.com'), time: 1112912053, tz: -700, message: enc(message), ...o,
  };
}

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ReftableError);
    expect((e as ReftableError).code).toBe(code);
    return;
  }
  expect.fail(`expected a ReftableError ${code}`);
}

/** `test-tool dump-reftable -b` lengths: offset of the restart table, and restart count. */
function blockShape(t: Table, kind: 'ref' | 'log' | 'obj'): [number, number][] {
  return [...t.sectionBlocks(kind)].map((b) => [b.restartsStart, b.restartCount]);
}

describe('TableWriter: git byte parity on known inputs', () => {
  it('reproduces the git init table (§2.4)', () => {
    const w = new TableWriter({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 1 });
    w.addRef(symref('HEAD', 1, 'refs/heads/main'));
    expect(toHex(w.finish()!)).toBe(toHex(INIT_TABLE));
  });

  // §6.7: t0613's vectors. Block lengths do not depend on the object ids, so any ids do.
  const c = id(SHA1, 1);
  const base = (n: number) => [
    symref('HEAD', 1, 'refs/heads/master'),
    ...Array.from({ length: n }, (_, i) => val1(`refs/heads/branch-${i + 1}`, 3, c)).sort((a, b) => compareBytes(a.name, b.name)),
    val1('refs/heads/master', 2, c),
    val1('refs/tags/initial', 2, c),
  ];
  const baseLogs = (n: number) => [
    update(SHA1, 'HEAD', 2, c, 'commit (initial): initial'),
    ...Array.from({ length: n }, (_, i) => update(SHA1, `refs/heads/branch-${i + 1}`, 3, c, ''))
      .sort((a, b) => compareBytes(a.name, b.name)),
    update(SHA1, 'refs/heads/master', 2, c, 'commit (initial): initial'),
  ];
  const read = (bytes: Uint8Array | undefined) => Table.open(bytes!, { hash: SHA1 });

  it('default options: ref 129/2, log 262/2', () => {
    const t = read(writeTable({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 2 }, base(0), baseLogs(0)));
    expect(blockShape(t, 'ref')).toEqual([[129, 2]]);
    expect(blockShape(t, 'log')).toEqual([[262, 2]]);
  });

  it('200 branches: two ref blocks, five log blocks and a log index', () => {
    const t = read(writeTable({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 3 }, base(200), baseLogs(200)));
    expect(blockShape(t, 'ref')).toEqual([[4049, 11], [1136, 3]]);
    expect(blockShape(t, 'log')).toEqual([[4041, 4], [4015, 3], [4014, 3], [4012, 3], [3289, 3]]);
    expect(t.footer.logIndexPosition).toBeGreaterThan(0);
    const idx = t.block(t.footer.logIndexPosition)!;
    expect([idx.restartsStart, idx.restartCount]).toEqual([103, 1]);
    expect(t.footer.refIndexPosition).toBe(0);
  });

  it('block size 100: three ref blocks 53, 74, 38', () => {
    const a = id(SHA1, 2);
    const b = id(SHA1, 3);
    const refs = [symref('HEAD', 1, 'refs/heads/master'), val1('refs/heads/master', 3, b), val1('refs/tags/A', 2, a), val1('refs/tags/B', 3, b)];
    const t = read(writeTable({ hash: SHA1, blockSize: 100, minUpdateIndex: 1, maxUpdateIndex: 3 }, refs, []));
    expect(blockShape(t, 'ref')).toEqual([[53, 1], [74, 1], [38, 1]]);
    // Padded to the block size except the last block.
    expect(t.size).toBe(200 + 38 + 3 + 2 + 68);
  });

  it('restart interval 1: ref 566/13, log 1393/12', () => {
    const t = read(writeTable({ hash: SHA1, restartInterval: 1, minUpdateIndex: 1, maxUpdateIndex: 3 }, base(10), baseLogs(10)));
    expect(blockShape(t, 'ref')).toEqual([[566, 13]]);
    expect(blockShape(t, 'log')).toEqual([[1393, 12]]);
  });

  it('block size 100 with 5 branches: ref index and obj section; none without indexObjects', () => {
    const t = read(writeTable({ hash: SHA1, blockSize: 100, minUpdateIndex: 1, maxUpdateIndex: 3 }, base(5), []));
    expect(blockShape(t, 'ref')).toEqual([[53, 1], [95, 1], [71, 1], [80, 1]]);
    const idx = t.block(t.footer.refIndexPosition)!;
    expect([idx.restartsStart, idx.restartCount]).toEqual([55, 2]);
    expect(blockShape(t, 'obj')).toEqual([[11, 1]]);
    expect(t.footer.objIdLength).toBe(2);
    const objs = [...t.sectionRecords<ObjRecord>('obj')];
    expect(objs).toHaveLength(1);
    expect(objs[0].positions).toEqual([100, 200, 300]);

    const u = read(writeTable({ hash: SHA1, blockSize: 100, indexObjects: false, minUpdateIndex: 1, maxUpdateIndex: 3 }, base(5), []));
    expect(blockShape(u, 'ref')).toEqual([[53, 1], [95, 1], [71, 1], [80, 1]]);
    expect(u.sections.obj).toBeUndefined();
    expect(u.footer.objIdLength).toBe(0);
  });
});

describe('TableWriter: layout rules', () => {
  it('writes nothing for an empty table', () => {
    expect(new TableWriter({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 1 }).finish()).toBeUndefined();
    expect(writeTable({ hash: SHA256, minUpdateIndex: 1, maxUpdateIndex: 1 }, [], [])).toBeUndefined();
  });

  it('log-only tables start the log block in the first block and store log_position 0', () => {
    for (const hash of [SHA1, SHA256]) {
      const bytes = writeTable({ hash, minUpdateIndex: 5, maxUpdateIndex: 5 }, [], [update(hash, 'HEAD', 5, id(hash, 1), 'x')])!;
      const hl = hash === SHA1 ? 24 : 28;
      expect(bytes[hl]).toBe(BlockType.Log);
      const t = Table.open(bytes, { hash });
      expect(t.footer.logPosition).toBe(0);
      expect(t.header.version).toBe(hash.version);
      expect([...t.logs()].map((l) => new TextDecoder().decode(l.message))).toEqual(['x\n']);
    }
  });

  it('drops the padding before the log section and before the footer, keeps it between ref blocks', () => {
    const hash = SHA1;
    const refs = Array.from({ length: 60 }, (_, i) => val1(`refs/heads/b${String(i).padStart(3, '0')}`, 1, id(hash, i)));
    const bytes = writeTable({ hash, blockSize: 256, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [update(hash, 'HEAD', 1, id(hash, 0), 'm')])!;
    const t = Table.open(bytes, { hash });
    const blocks = [...t.sectionBlocks('ref')];
    blocks.forEach((b, i) => expect(b.offset).toBe(i * 256));
    // The obj section follows the ref index; the log block follows directly the last unpadded block.
    expect(t.footer.refIndexPosition % 256).toBe(0);
    expect(t.footer.objPosition % 256).toBe(0);
    expect(t.footer.logPosition % 256).not.toBe(0);
    // Walk every block: all but the last one before the logs fill exactly one block size.
    const walked = [];
    for (let off = 0; off < t.footer.logPosition;) {
      const b = t.block(off)!;
      walked.push(b);
      off += b.fullSize;
    }
    walked.forEach((b, i) => expect(b.offset).toBe(i * 256));
    const lastBeforeLog = walked.at(-1)!;
    expect(lastBeforeLog.blockLen).toBeLessThan(256);
    expect(t.footer.logPosition).toBe(lastBeforeLog.offset + lastBeforeLog.blockLen);
    // And the footer follows the (compressed) log block directly.
    expect(t.block(t.footer.logPosition)!.fullSize + t.footer.logPosition).toBe(t.footer.offset);
    expect([...t.refs()]).toHaveLength(60);
  });

  it('builds index levels while a level has more than three blocks', () => {
    const hash = SHA1;
    const refs = Array.from({ length: 3000 }, (_, i) => val1(`refs/heads/some/long/prefix/branch-${String(i).padStart(5, '0')}`, 1, id(hash, i % 7)));
    const t = Table.open(writeTable({ hash, blockSize: 100, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [])!, { hash });
    let levels = 0;
    let off = t.footer.refIndexPosition;
    const top = [...t.blocksFrom(off, BlockType.Index)];
    expect(top.length).toBeLessThanOrEqual(3);
    for (;;) {
      const b = t.block(off)!;
      if (b.type !== BlockType.Index) break;
      levels++;
      off = (b.records().next().value!.record as IndexRecord).position;
    }
    expect(levels).toBeGreaterThanOrEqual(3);
    expect(t.ref(enc('refs/heads/some/long/prefix/branch-02345'))!.value).toEqual(id(hash, 2345 % 7));
    // Every id is named from far more blocks than fit in a record: count-0 records.
    const objs = [...t.sectionRecords<ObjRecord>('obj')];
    expect(objs).toHaveLength(7);
    expect(objs.every((o) => o.positions.length === 0)).toBe(true);
  });

  it('obj_id_len is one more than the longest shared prefix of adjacent ids', () => {
    const hash = SHA1;
    const a = new Uint8Array(20).fill(0x11);
    const b = a.slice();
    b[4] = 0x22; // shares 4 bytes with a
    const refs = Array.from({ length: 40 }, (_, i) => val1(`refs/heads/b${String(i).padStart(3, '0')}`, 1, i % 2 ? a : b));
    const t = Table.open(writeTable({ hash, blockSize: 128, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [])!, { hash });
    expect(t.footer.objIdLength).toBe(5);
    expect([...t.refsFor(a)]).toHaveLength(20);
  });

  it('writes obj_id_len 2 without an obj block when an indexed table has no ids', () => {
    const hash = SHA256;
    const refs: RefRecord[] = Array.from({ length: 200 }, (_, i) => ({ kind: 'ref', name: enc(`refs/heads/gone-${i + 1000}`), updateIndex: 4, valueType: 0 }));
    const t = Table.open(writeTable({ hash, blockSize: 256, minUpdateIndex: 4, maxUpdateIndex: 4 }, refs, [])!, { hash });
    expect(t.footer.refIndexPosition).toBeGreaterThan(0);
    expect(t.footer.objPosition).toBe(0);
    expect(t.footer.objIdLength).toBe(2);
  });

  it('registers a restart for every record with an empty prefix, not just every interval', () => {
    const hash = SHA1;
    const refs = [symref('HEAD', 1, 'refs/heads/main'), val1('ORIG_HEAD', 1, id(hash, 1)), val1('refs/heads/a', 1, id(hash, 2)), val1('refs/heads/b', 1, id(hash, 3))];
    refs.sort((x, y) => compareBytes(x.name, y.name));
    const t = Table.open(writeTable({ hash, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [])!, { hash });
    const b = t.block(0)!;
    // HEAD (forced), ORIG_HEAD (nothing shared), refs/heads/a (nothing shared); refs/heads/b shares.
    expect(b.restartCount).toBe(3);
  });
});

describe('TableWriter: round trips', () => {
  const configs: [string, HashFormat, Partial<WriterOptions>][] = [
    ['SHA-1 default', SHA1, {}],
    ['SHA-1 block 300 interval 3', SHA1, { blockSize: 300, restartInterval: 3 }],
    ['SHA-1 block 1024 interval 1 no obj', SHA1, { blockSize: 1024, restartInterval: 1, indexObjects: false }],
    ['SHA-256 default', SHA256, {}],
    ['SHA-256 block 512 interval 7', SHA256, { blockSize: 512, restartInterval: 7 }],
    ['SHA-256 block 65536 interval 200', SHA256, { blockSize: 65536, restartInterval: 200 }],
  ];
  for (const [label, hash, o] of configs) {
    it(label, () => {
      const min = 10;
      const max = 20;
      const refs: RefRecord[] = [];
      for (let i = 0; i < 1500; i++) {
        const name = `refs/${['heads', 'tags', 'remotes/origin'][i % 3]}/${(i * 7919 % 1500).toString(36)}-${i}`;
        const ui = min + (i % (max - min + 1));
        const k = i % 4;
        if (k === 0) refs.push({ kind: 'ref', name: enc(name), updateIndex: ui, valueType: 0 });
        else if (k === 1) refs.push(val1(name, ui, id(hash, i)));
        else if (k === 2) refs.push({ kind: 'ref', name: enc(name), updateIndex: ui, valueType: 2, value: id(hash, i), peeled: id(hash, i + 1) });
        else refs.push(symref(name, ui, `refs/heads/target-${i}`));
      }
      refs.sort((a, b) => compareBytes(a.name, b.name));
      const logs: LogRecord[] = [];
      for (let i = 0; i < 300; i++) {
        for (const ui of [max + 3, 7, 1]) {
          const name = `refs/heads/log-${i}`;
          logs.push(i % 5 === 0 && ui === 7
            ? { ...update(hash, name, ui, id(hash, i), ''), valueType: 0 }
            : update(hash, name, ui, id(hash, i + ui), `message ${i} ${'y'.repeat(i % 40)}\n\n`, { time: 1700000000 + i, tz: i % 2 ? 530 : -800 }));
        }
      }
      logs.sort((a, b) => compareBytes(logKey(a.name, a.updateIndex), logKey(b.name, b.updateIndex)));
      const bytes = writeTable({ hash, ...o, minUpdateIndex: min, maxUpdateIndex: max }, refs, logs)!;
      const t = Table.open(bytes, { hash });
      t.checkCrc();
      expect(t.header.blockSize).toBe(o.blockSize ?? 4096);
      expect([...t.refs()]).toEqual(refs);
      const back = [...t.logs()];
      expect(back).toHaveLength(logs.length);
      back.forEach((l, i) => {
        const want = logs[i];
        expect(logKey(l.name, l.updateIndex)).toEqual(logKey(want.name, want.updateIndex));
        expect(l.valueType).toBe(want.valueType);
        if (want.valueType === 1) {
          expect(l.new).toEqual(want.new);
          expect(l.tz).toBe(want.tz);
          expect(l.time).toBe(want.time);
          expect(l.message).toEqual(cleanLogMessage(want.message));
        }
      });
      // Seeks go through the indexes the writer built.
      for (const r of refs.filter((_, i) => i % 97 === 0)) expect(t.ref(r.name)).toEqual(r);
      expect([...t.logsFor(enc('refs/heads/log-123'))].map((l) => l.updateIndex)).toEqual([max + 3, 7, 1]);
      // A second write of the same input is identical (no hidden state).
      expect(toHex(writeTable({ hash, ...o, minUpdateIndex: min, maxUpdateIndex: max }, refs, logs)!)).toBe(toHex(bytes));
    });
  }
});

describe('TableWriter: errors and message cleaning', () => {
  const opts = { hash: SHA1, minUpdateIndex: 2, maxUpdateIndex: 4 };
  const c = id(SHA1, 1);

  it('rejects refs out of order or duplicated', () => {
    const w = new TableWriter(opts);
    w.addRef(val1('refs/heads/b', 2, c));
    expectCode(() => w.addRef(val1('refs/heads/a', 2, c)), ErrorCode.Api);
    expectCode(() => w.addRef(val1('refs/heads/b', 2, c)), ErrorCode.Api);
  });

  it('rejects logs out of order (name ascending, update index descending)', () => {
    const w = new TableWriter(opts);
    w.addLog(update(SHA1, 'refs/heads/a', 3, c, 'm'));
    expectCode(() => w.addLog(update(SHA1, 'refs/heads/a', 4, c, 'm')), ErrorCode.Api);
    expectCode(() => w.addLog(update(SHA1, 'refs/heads/a', 3, c, 'm')), ErrorCode.Api);
    w.addLog(update(SHA1, 'refs/heads/a', 1, c, 'm'));
    expectCode(() => w.addRef(val1('refs/heads/z', 2, c)), ErrorCode.Api);
  });

  it('checks ref update indexes against the limits but not log ones', () => {
    const w = new TableWriter(opts);
    expectCode(() => w.addRef(val1('refs/heads/a', 1, c)), ErrorCode.Api);
    expectCode(() => w.addRef(val1('refs/heads/a', 5, c)), ErrorCode.Api);
    w.addLog(update(SHA1, 'refs/heads/a', 1, c, 'old entry rewritten'));
    expect(w.finish()).toBeDefined();
  });

  it('rejects bad options and malformed records', () => {
    expectCode(() => new TableWriter({ ...opts, blockSize: 16777216 }), ErrorCode.Api);
    expect(new TableWriter({ ...opts, blockSize: 16777215 })).toBeDefined();
    expectCode(() => new TableWriter({ ...opts, restartInterval: 65536 }), ErrorCode.Api);
    const w = new TableWriter(opts);
    expectCode(() => w.addRef(val1('', 2, c)), ErrorCode.Api);
    expectCode(() => w.addRef(val1('refs/heads/short-id', 2, new Uint8Array(19))), ErrorCode.Api);
    expectCode(() => w.addRef({ kind: 'ref', name: enc('refs/heads/s'), updateIndex: 2, valueType: 3 }), ErrorCode.Api);
    expectCode(() => w.addLog(update(SHA1, 'refs/heads/a', 2, c, 'm', { tz: 40000 })), ErrorCode.Api);
  });

  it('reports entries too large for the block size', () => {
    const w = new TableWriter({ ...opts, blockSize: 50 });
    expectCode(() => w.addRef(val1('refs/heads/a-rather-long-branch-name', 2, c)), ErrorCode.EntryTooBig);
    const v = new TableWriter({ ...opts, blockSize: 100 });
    expectCode(() => v.addLog(update(SHA1, 'refs/heads/logme', 2, c, 'a'.repeat(500))), ErrorCode.EntryTooBig);
  });

  it('cleans messages like git: trailing LFs stripped, one appended, inner LF refused', () => {
    expect(new TextDecoder().decode(cleanLogMessage(enc('msg\n\n\n')))).toBe('msg\n');
    expect(new TextDecoder().decode(cleanLogMessage(enc('')))).toBe('\n');
    expectCode(() => cleanLogMessage(enc('two\nlines')), ErrorCode.Api);
    const w = new TableWriter(opts);
    expectCode(() => w.addLog(update(SHA1, 'refs/heads/a', 2, c, 'two\nlines\n')), ErrorCode.Api);
  });

  it('keeps an existence marker message exact (length 0) when asked', () => {
    const w = new TableWriter(opts);
    const zero = new Uint8Array(20);
    w.addLog({ kind: 'log', name: enc('refs/heads/x'), updateIndex: 3, valueType: 1, old: zero, new: zero, committerName: new Uint8Array(0), email: new Uint8Array(0), time: 0, tz: 0, message: new Uint8Array(0) }, { exactMessage: true });
    w.addLog(update(SHA1, 'refs/heads/y', 3, c, 'kept\n\n'), { exactMessage: true });
    const logs = [...Table.open(w.finish()!, { hash: SHA1 }).logs()];
    expect(logs[0].message).toHaveLength(0);
    expect(new TextDecoder().decode(logs[1].message)).toBe('kept\n\n');
  });
});

describe('TableWriter: throughput', () => {
  it('writes 200 000 refs quickly', () => {
    const hash = SHA1;
    const n = 200_000;
    const ids = Array.from({ length: 64 }, (_, i) => id(hash, i));
    const refs: RefRecord[] = Array.from({ length: n }, (_, i) => val1(`refs/heads/feature/branch-${String(i).padStart(6, '0')}`, 1, ids[i % 64]));
    const t0 = performance.now();
    const bytes = writeTable({ hash, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [])!;
    const ms = performance.now() - t0;
    const rate = Math.round(n / (ms / 1000));
    console.log(`writer throughput: ${n} refs in ${ms.toFixed(0)} ms = ${rate} refs/s, ${bytes.length} bytes`);
    expect(Table.open(bytes, { hash }).ref(enc('refs/heads/feature/branch-123456'))!.value).toEqual(ids[123456 % 64]);
    // A generous floor (alone it runs at several 100 000 refs/s): it catches quadratic
    // behaviour, not a busy machine.
    expect(rate).toBeGreaterThan(10_000);
  });
});

describe('BlockWriter: keys from reused buffers', () => {
  it('gives the same block for keys and values passed in one reused buffer as for fresh arrays', () => {
    // Compaction hands the block writer keys and values living in buffers it overwrites for
    // the next record: the writer must keep its own copy of the previous key.
    const opts = { blockSize: 4096, restartInterval: 16, minUpdateIndex: 1, hashSize: 20 };
    const fresh = new BlockWriter(opts);
    const reused = new BlockWriter(opts);
    fresh.reset(BlockType.Log, 0);
    reused.reset(BlockType.Log, 0);
    const keyBuf = new Uint8Array(64);
    const valueBuf = new Uint8Array(200);
    // Names sharing prefixes of varying lengths, so prefix compression depends on the previous
    // key; sorted, as the block writer requires.
    const keys = [...new Set(Array.from({ length: 400 }, (_, i) =>
      `refs/heads/${'ab'.slice(0, 1 + (i % 2))}/${String(i * 7919 % 1000).padStart(3, '0')}`.padEnd(20 + (i % 9), 'x')))].sort();
    let added = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = utf8(keys[i]);
      const value = Uint8Array.from({ length: 20 + (i % 150) }, (_, k) => (i * 31 + k) & 0xff);
      keyBuf.fill(0xee);
      keyBuf.set(key);
      valueBuf.fill(0xdd);
      valueBuf.set(value, 7);
      const a = fresh.addEncoded(key, 1, value);
      const b = reused.addParts(keyBuf, key.length, 1, valueBuf, 7, 7 + value.length);
      expect(b).toBe(a);
      if (!a) break;
      added++;
      // The caller's buffers are overwritten before the next add.
      keyBuf.fill(0x00);
      valueBuf.fill(0x00);
    }
    expect(added).toBeGreaterThan(20);
    expect(added).toBeLessThan(keys.length);
    expect(toHex(reused.lastKey)).toBe(toHex(fresh.lastKey));
    expect(toHex(reused.finish().bytes)).toBe(toHex(fresh.finish().bytes));
  });
});

describe('BlockWriter: key order', () => {
  const opts = { blockSize: 256, restartInterval: 3, minUpdateIndex: 1, hashSize: 20 };
  const value = new Uint8Array(20);
  const add = (w: BlockWriter, k: string) => w.addEncoded(utf8(k), 1, value);
  const nth = (i: number) => `refs/heads/k${String(i).padStart(3, '0')}`;
  /** A ref block filled with nth(0), nth(1)…; returns the index of the first key that did not fit. */
  const filled = (w: BlockWriter): number => {
    w.reset(BlockType.Ref, 0);
    let i = 0;
    while (add(w, nth(i))) i++;
    return i;
  };

  it('refuses a key equal to or before the previous one, and a prefix of it, leaving the block unchanged', () => {
    const w = new BlockWriter(opts);
    w.reset(BlockType.Ref, 0);
    expect(add(w, 'refs/heads/b')).toBe(true);
    expect(add(w, 'refs/heads/bb')).toBe(true);
    const before = toHex(w.lastKey);
    for (const k of ['refs/heads/bb', 'refs/heads/b', 'refs/heads/a', 'refs/heads/ba', '']) {
      expectCode(() => add(w, k), ErrorCode.Api);
    }
    expect(toHex(w.lastKey)).toBe(before);
    expect(w.count).toBe(2);
    // A key that shares the whole previous key and goes on sorts after it.
    expect(add(w, 'refs/heads/bba')).toBe(true);
  });

  it('checks across blocks of one sequence, and starts afresh after startKeySequence', () => {
    const w = new BlockWriter(opts);
    const last = nth(filled(w) - 1);
    expect(toHex(w.lastKey)).toBe(toHex(utf8(last)));
    // A new block of the same section still knows the previous key.
    w.reset(BlockType.Ref, 0);
    expectCode(() => add(w, 'refs/heads/a'), ErrorCode.Api);
    expectCode(() => add(w, last), ErrorCode.Api);
    w.startKeySequence();
    w.reset(BlockType.Index, 0);
    expect(add(w, 'refs/heads/a')).toBe(true);
  });

  it('gives a failed add no effect on the order: the record can go to the next block', () => {
    const w = new BlockWriter(opts);
    const refused = filled(w);
    expect(refused).toBeGreaterThan(1);
    // The key that did not fit is retried on a fresh block and accepted there.
    w.reset(BlockType.Ref, 0);
    expect(add(w, nth(refused))).toBe(true);
  });
});

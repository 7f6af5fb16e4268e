import { describe, expect, it } from 'vitest';
import { text, utf8 } from '../../../src/engine/bytes';
import { compactTables, compactTablesTo, compactionSize, suggestCompaction } from '../../../src/engine/compact';
import { ReftableError } from '../../../src/engine/errors';
import { HashFormat, SHA1, SHA256 } from '../../../src/engine/format';
import { LogRecord, RefRecord } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { TableWriter } from '../../../src/engine/writer';

describe('suggestCompaction (git\'s geometric segment)', () => {
  it('matches the merges git made (§7.4)', () => {
    expect(suggestCompaction([1653, 290, 483])).toEqual({ start: 1, end: 2 });
    expect(suggestCompaction([2923, 1114, 182, 376])).toEqual({ start: 0, end: 3 });
  });
  it('leaves geometric stacks and tiny stacks alone', () => {
    expect(suggestCompaction([])).toBeUndefined();
    expect(suggestCompaction([10])).toBeUndefined();
    expect(suggestCompaction([64, 32, 16, 8, 4, 2, 1])).toBeUndefined();
    expect(suggestCompaction([100, 40])).toBeUndefined();
  });
  it('keeps walking past a table that was big enough', () => {
    // git's own example: the run starts at the table of size 32, the newest table stays.
    expect(suggestCompaction([128, 32, 16, 8, 4, 3, 1])).toEqual({ start: 1, end: 5 });
    expect(suggestCompaction([100, 60, 10, 3])).toEqual({ start: 0, end: 1 });
  });
  it('honours the factor', () => {
    expect(suggestCompaction([100, 40])).toBeUndefined();
    expect(suggestCompaction([100, 40], 3)).toEqual({ start: 0, end: 1 });
  });
  it('weighs tables by file size minus footer and header', () => {
    expect(compactionSize(124, SHA1)).toBe(33);
    expect(compactionSize(200, SHA256)).toBe(101);
  });
});

function id(hash: HashFormat, n: number): Uint8Array {
  return new Uint8Array(hash.size).fill(n);
}

function table(hash: HashFormat, min: number, max: number, refs: RefRecord[], logs: LogRecord[], exact = false): Table {
  const w = new TableWriter({ hash, minUpdateIndex: min, maxUpdateIndex: max });
  refs.forEach((r) => w.addRef(r));
  logs.forEach((l) => w.addLog(l, { exactMessage: exact }));
  return Table.open(w.finish()!, { hash, name: `t${min}` });
}

describe('compactTables', () => {
  for (const hash of [SHA1, SHA256]) {
    const ref = (name: string, ui: number, v?: number): RefRecord =>
      v === undefined ? { kind: 'ref', name: utf8(name), updateIndex: ui, valueType: 0 } : { kind: 'ref', name: utf8(name), updateIndex: ui, valueType: 1, value: id(hash, v) };
    const log = (name: string, ui: number, v: number | undefined, message = 'm'): LogRecord => ({
      kind: 'log', name: utf8(name), updateIndex: ui, valueType: v === undefined ? 0 : 1,
      old: id(hash, 0), new: id(hash, v ?? 0), committerName: utf8(v === -1 ? '' : 'C'), email: utf8('e'), time: ui, tz: 0, message: utf8(message),
    });
    const t0 = table(hash, 1, 1, [ref('refs/heads/a', 1, 1), ref('refs/heads/b', 1, 2), ref('refs/heads/c', 1, 3)],
      [log('refs/heads/a', 1, 1), log('refs/heads/b', 1, 2), log('refs/heads/c', 1, 3)]);
    const t1 = table(hash, 2, 2, [ref('refs/heads/b', 2), ref('refs/heads/c', 2, 4)], [log('refs/heads/b', 1, undefined), log('refs/heads/c', 2, 4)]);
    // An existence marker as git first writes it: zero ids, zero-length message.
    const t2 = table(hash, 3, 3, [ref('refs/heads/d', 3, 5)], [{ ...log('refs/heads/e', 3, 0, ''), committerName: new Uint8Array(0) }], true);

    it(`merges newest-wins and drops tombstones at the base (${hash.name})`, () => {
      const out = Table.open(compactTables([t0, t1, t2], { hash, dropDeletions: true })!, { hash });
      expect([out.minUpdateIndex, out.maxUpdateIndex]).toEqual([1, 3]);
      expect([...out.refs()].map((r) => [text(r.name), r.updateIndex, r.value![0]])).toEqual([
        ['refs/heads/a', 1, 1], ['refs/heads/c', 2, 4], ['refs/heads/d', 3, 5],
      ]);
      const logs = [...out.logs()];
      expect(logs.map((l) => [text(l.name), l.updateIndex, l.valueType])).toEqual([
        ['refs/heads/a', 1, 1], ['refs/heads/c', 2, 1], ['refs/heads/c', 1, 1], ['refs/heads/e', 3, 1],
      ]);
      // The writer re-normalises: the marker's empty message becomes "\n", as after a git compaction.
      expect(text(logs[3].message)).toBe('\n');
      expect(text(logs[0].message)).toBe('m\n');
    });

    it(`copies tombstones when the run does not start at the base (${hash.name})`, () => {
      const out = Table.open(compactTables([t1, t2], { hash, dropDeletions: false })!, { hash });
      expect([out.minUpdateIndex, out.maxUpdateIndex]).toEqual([2, 3]);
      expect([...out.refs()].map((r) => [text(r.name), r.valueType])).toEqual([
        ['refs/heads/b', 0], ['refs/heads/c', 1], ['refs/heads/d', 1],
      ]);
      expect([...out.logs()].map((l) => [text(l.name), l.updateIndex, l.valueType])).toEqual([
        ['refs/heads/b', 1, 0], ['refs/heads/c', 2, 1], ['refs/heads/e', 3, 1],
      ]);
    });

    it(`merges pending records from a producer that reuses one record object as it merges fresh ones (${hash.name})`, () => {
      // Names before, between, equal to and after the stored ones, so the pending record is
      // held while stored records are copied and while it shadows one of the same name.
      const names = ['refs/heads/0', 'refs/heads/a', 'refs/heads/b1', 'refs/heads/c', 'refs/heads/cc', 'refs/heads/z'];
      const refs = names.map((n, i) => ref(n, 4, 10 + i));
      const logs = names.map((n, i) => log(n, 4, 10 + i, `pending ${i}`));
      const fresh = compactTables([t0, t1, t2], { hash, dropDeletions: false }, { refs, logs, minUpdateIndex: 4, maxUpdateIndex: 4 })!;
      /** Hands out `records` through one object whose arrays are overwritten for each record. */
      function reusing<R extends RefRecord | LogRecord>(records: R[]): Iterable<R> {
        return {
          [Symbol.iterator]: () => {
            const one = { ...records[0] } as R;
            const bufs = new Map<string, Uint8Array>();
            let i = 0;
            return {
              next: (): IteratorResult<R> => {
                // What the previous record held is spoiled before the next is handed out.
                for (const b of bufs.values()) b.fill(0xee);
                if (i >= records.length) return { done: true, value: undefined };
                const r = records[i++] as unknown as Record<string, unknown>;
                for (const [k, v] of Object.entries(r)) {
                  if (!(v instanceof Uint8Array)) {
                    (one as unknown as Record<string, unknown>)[k] = v;
                    continue;
                  }
                  let b = bufs.get(`${k}:${v.length}`);
                  if (!b) bufs.set(`${k}:${v.length}`, (b = new Uint8Array(v.length)));
                  b.set(v);
                  (one as unknown as Record<string, unknown>)[k] = b;
                }
                return { done: false, value: one };
              },
            };
          },
        };
      }
      const reused = compactTables([t0, t1, t2], { hash, dropDeletions: false }, { refs: reusing(refs), logs: reusing(logs), minUpdateIndex: 4, maxUpdateIndex: 4 })!;
      expect(Buffer.from(reused).equals(Buffer.from(fresh))).toBe(true);
      const out = Table.open(fresh, { hash });
      expect([...out.refs()].map((r) => text(r.name))).toEqual([...names, 'refs/heads/b', 'refs/heads/d'].sort());
      expect([...out.logs()].filter((l) => l.updateIndex === 4).map((l) => text(l.message))).toEqual(names.map((_, i) => `pending ${i}\n`));
    });
  }

  for (const hash of [SHA1, SHA256]) {
    it(`copies stored refs of every value type byte for byte as writing their records would (${hash.name})`, () => {
      // Ids, peeled ids, symrefs of varied target lengths and tombstones, over three tables
      // with shadowed names, update indexes far from the result's minimum (several varint
      // bytes), enough refs for many blocks, and the obj section built from copied ids.
      const tables: Table[] = [];
      const mins = [1, 200, 70_000];
      for (let t = 0; t < 3; t++) {
        const refs: RefRecord[] = [];
        for (let i = 0; i < 900; i++) {
          if ((i + t) % 3 === 0) continue;
          const name = utf8(`refs/${i % 4 ? 'heads' : 'tags'}/r${String((i * 13) % 900).padStart(4, '0')}`);
          const ui = mins[t] + (i % 5);
          const kind = (i + t) % 4;
          const full = (n: number) => Uint8Array.from({ length: hash.size }, (_, k) => (n * 7 + k * 13 + t) & 0xff);
          refs.push(kind === 0 ? { kind: 'ref', name, updateIndex: ui, valueType: 0 }
            : kind === 1 ? { kind: 'ref', name, updateIndex: ui, valueType: 1, value: full(i) }
            : kind === 2 ? { kind: 'ref', name, updateIndex: ui, valueType: 2, value: full(i), peeled: full(i + 1) }
            : { kind: 'ref', name, updateIndex: ui, valueType: 3, target: utf8(`refs/heads/${'t'.repeat(i % 150)}`) });
        }
        const seen = new Set<string>();
        const unique = refs.filter((r) => !seen.has(text(r.name)) && !!seen.add(text(r.name)));
        unique.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
        const w = new TableWriter({ hash, minUpdateIndex: mins[t], maxUpdateIndex: mins[t] + 4, blockSize: 1024 });
        unique.forEach((r) => w.addRef(r));
        tables.push(Table.open(w.finish()!, { hash, name: `r${t}` }));
      }
      for (const drop of [true, false]) {
        const out = compactTables(tables, { hash, dropDeletions: drop, blockSize: 1024 })!;
        const winners = new Map<string, RefRecord>();
        for (const t of [...tables].reverse()) for (const r of t.refs()) if (!winners.has(text(r.name))) winners.set(text(r.name), r);
        const w = new TableWriter({ hash, minUpdateIndex: 1, maxUpdateIndex: 70_004, blockSize: 1024 });
        [...winners.values()]
          .filter((r) => !(drop && r.valueType === 0))
          .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
          .forEach((r) => w.addRef(r));
        const want = w.finish()!;
        expect(Table.open(want, { hash }).sections.obj, 'the reference has an obj section').toBeDefined();
        expect(Buffer.compare(Buffer.from(out), Buffer.from(want)), `dropDeletions ${drop}`).toBe(0);
      }
    });
  }

  it('copies stored log values byte for byte as decoding and re-encoding them would', () => {
    // Varied values: long names and emails, times needing several varint bytes, negative
    // zones, messages already clean, without LF (stored exactly) and empty (existence markers).
    const hash = SHA1;
    const tables: Table[] = [];
    const expected = new Map<string, LogRecord>();
    for (let t = 0; t < 4; t++) {
      const logs: LogRecord[] = [];
      for (let i = 0; i < 300; i++) {
        const message = i % 7 === 0 ? '' : i % 5 === 0 ? `no newline ${i}` : `msg ${i} ${'x'.repeat(i % 90)}\n`;
        logs.push({
          kind: 'log', name: utf8(`refs/heads/${t % 2 ? 'ü' : 'b'}${String((i * 37) % 300).padStart(3, '0')}`), updateIndex: t + 1, valueType: i % 11 === 0 ? 0 : 1,
          old: id(hash, i % 256), new: id(hash, (i + t) % 256), committerName: utf8(`C ${'n'.repeat(i % 200)}`), email: utf8(`e${i}@x`),
          time: 1_700_000_000 + i * 1_000_003, tz: i % 2 ? -800 : 530, message: utf8(message),
        });
      }
      logs.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
      tables.push(table(hash, t + 1, t + 1, [], logs, true));
    }
    for (const drop of [true, false]) {
      const out = compactTables(tables, { hash, dropDeletions: drop })!;
      // Reference: every winning record decoded and added through addLog (with its cleaning).
      const all = tables.flatMap((t) => [...t.logs()]);
      for (const l of all) {
        const k = `${text(l.name)}@${l.updateIndex}`;
        const prev = expected.get(k);
        if (!prev) expected.set(k, l);
      }
      const winners = [...expected.values()]
        .filter((l) => !(drop && l.valueType === 0))
        .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || b.updateIndex - a.updateIndex);
      const w = new TableWriter({ hash, minUpdateIndex: 1, maxUpdateIndex: 4 });
      winners.forEach((l) => w.addLog(l));
      expect(Buffer.compare(Buffer.from(out), Buffer.from(w.finish()!)), `dropDeletions ${drop}`).toBe(0);
      expected.clear();
    }
  });

  it('copies big log records across many small blocks, newest table winning on equal keys', () => {
    // Messages of 1-3 KiB: one or two records per 4 KiB log block, so a stream crosses a
    // block boundary at nearly every record (the merge recycles block buffers), and tables
    // repeat each other's keys (a newer table's record must shadow the older one's).
    const hash = SHA1;
    const tables: Table[] = [];
    for (let t = 0; t < 3; t++) {
      const logs: LogRecord[] = [];
      for (let i = 0; i < 40; i++) {
        const n = (i * 7 + t * 3) % 45;
        const unclean = (i + t) % 9 === 0;
        logs.push({
          kind: 'log', name: utf8(`refs/heads/big${String(n).padStart(2, '0')}`), updateIndex: 1 + (n % 3), valueType: 1,
          old: id(hash, t), new: id(hash, (i + t) % 256), committerName: utf8(`C${t}`), email: utf8('e@x'),
          time: 1_700_000_000 + i, tz: 0, message: utf8(`${'m'.repeat(1000 + ((i * 97 + t * 11) % 2000))}${unclean ? '' : '\n'}`),
        });
      }
      const seen = new Set<string>();
      const unique = logs.filter((l) => {
        const k = `${text(l.name)}@${l.updateIndex}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      unique.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || b.updateIndex - a.updateIndex);
      tables.push(table(hash, 1, 3, [], unique, true));
    }
    const blocks = [...tables[0].sectionBlocks('log')].length;
    expect(blocks).toBeGreaterThan(15);
    const out = compactTables(tables, { hash, dropDeletions: true })!;
    const winners = new Map<string, LogRecord>();
    for (const t of [...tables].reverse()) {
      for (const l of t.logs()) {
        const k = `${text(l.name)}@${l.updateIndex}`;
        if (!winners.has(k)) winners.set(k, l);
      }
    }
    const sorted = [...winners.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || b.updateIndex - a.updateIndex);
    const w = new TableWriter({ hash, minUpdateIndex: 1, maxUpdateIndex: 3 });
    sorted.forEach((l) => w.addLog(l));
    expect(Buffer.compare(Buffer.from(out), Buffer.from(w.finish()!))).toBe(0);
    // And read back: every winner's message intact.
    const back = [...Table.open(out, { hash, name: 'out' }).logs()];
    expect(back.map((l) => text(l.message).length)).toEqual(sorted.map((l) => text(l.message).replace(/\n?$/, '\n').length));
  });

  it('streams to a sink the same table it returns, across output pages', () => {
    // Over 1 MiB of output, so the writer hands over full pages before the footer.
    const hash = SHA1;
    const tables: Table[] = [];
    for (let t = 0; t < 3; t++) {
      const refs: RefRecord[] = [];
      const logs: LogRecord[] = [];
      for (let i = t; i < 36_000; i += 3) {
        const name = utf8(`refs/heads/s${String(i).padStart(6, '0')}`);
        refs.push({ kind: 'ref', name, updateIndex: t + 1, valueType: 1, value: id(hash, i % 251) });
        logs.push({
          kind: 'log', name, updateIndex: t + 1, valueType: 1, old: id(hash, 0), new: id(hash, i % 251), committerName: utf8('C'),
          email: utf8('c@x'), time: 1_700_000_000 + i, tz: 60, message: utf8(`update ${i} ${'x'.repeat(i % 97)}\n`),
        });
      }
      tables.push(table(hash, t + 1, t + 1, refs, logs));
    }
    const opts = { hash, dropDeletions: true };
    const whole = compactTables(tables, opts)!;
    expect(whole.length).toBeGreaterThan(1 << 20);
    const chunks: Buffer[] = [];
    const size = compactTablesTo(tables, opts, (c) => chunks.push(Buffer.from(c)));
    expect(chunks.length).toBeGreaterThan(1);
    expect(size).toBe(whole.length);
    expect(Buffer.compare(Buffer.concat(chunks), Buffer.from(whole))).toBe(0);
    // Nothing to write: 0 and no chunk at all.
    const del = table(SHA1, 4, 4, [{ kind: 'ref', name: utf8('refs/heads/x'), updateIndex: 4, valueType: 0 }], []);
    let calls = 0;
    expect(compactTablesTo([del], opts, () => calls++)).toBe(0);
    expect(calls).toBe(0);
  });

  it('returns undefined for no tables or an empty result', () => {
    expect(compactTables([], { hash: SHA1, dropDeletions: true })).toBeUndefined();
    const del = table(SHA1, 4, 4, [{ kind: 'ref', name: utf8('refs/heads/x'), updateIndex: 4, valueType: 0 }], []);
    expect(compactTables([del], { hash: SHA1, dropDeletions: true })).toBeUndefined();
    expect(compactTables([del], { hash: SHA1, dropDeletions: false })).toBeDefined();
  });

  it('refuses tables of another hash', () => {
    const t = table(SHA1, 1, 1, [{ kind: 'ref', name: utf8('refs/heads/x'), updateIndex: 1, valueType: 1, value: id(SHA1, 1) }], []);
    expect(() => compactTables([t], { hash: SHA256, dropDeletions: true })).toThrow(ReftableError);
  });

  it('uses the block size it is given, not the tables\'', () => {
    const t = table(SHA1, 1, 1, [{ kind: 'ref', name: utf8('refs/heads/x'), updateIndex: 1, valueType: 1, value: id(SHA1, 1) }], []);
    const out = Table.open(compactTables([t], { hash: SHA1, blockSize: 1000, dropDeletions: true })!, { hash: SHA1 });
    expect(out.header.blockSize).toBe(1000);
  });
});

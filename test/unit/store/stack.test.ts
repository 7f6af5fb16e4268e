import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { text } from '../../../src/engine/bytes';
import { ReftableError } from '../../../src/engine/errors';
import { SHA1, SHA256 } from '../../../src/engine/format';
import { openFileSource } from '../../../src/store/fs-source';
import { Stack, parseTablesList } from '../../../src/store/stack';

const BASIC = path.resolve(__dirname, '../../fixtures/basic.git/reftable');
const NAMES = fs.readFileSync(path.join(BASIC, 'tables.list'), 'utf8').split('\n').filter(Boolean);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-stack-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh stack dir holding copies of the fixture tables `names` and the given tables.list. */
function stackDir(names: string[], list = names.map((x) => x + '\n').join('')): string {
  const dir = path.join(tmp, `s${n++}`);
  fs.mkdirSync(dir);
  for (const name of names) fs.copyFileSync(path.join(BASIC, name), path.join(dir, name));
  fs.writeFileSync(path.join(dir, 'tables.list'), list);
  return dir;
}

function caught(fn: () => unknown): ReftableError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReftableError);
    return e as ReftableError;
  }
  throw new Error('expected an error');
}

describe('tables.list', () => {
  it('ignores empty lines and keeps order', () => {
    expect(parseTablesList(Buffer.from('a.ref\n\nb.ref\n'))).toEqual(['a.ref', 'b.ref']);
    expect(parseTablesList(Buffer.from('a.ref'))).toEqual(['a.ref']);
    expect(parseTablesList(Buffer.from(''))).toEqual([]);
  });

  it('rejects garbage names with file tables.list and the line offset', () => {
    for (const [list, offset] of [
      ['a.ref\n../../etc/passwd\n', 6],
      ['a.ref\nb.ref\n.hidden\n', 12],
      ['x y.ref\n', 0],
      ['a.ref\r\n', 0],
      ['ok.ref\nsub/dir.ref\n', 7],
    ] as const) {
      const e = caught(() => parseTablesList(Buffer.from(list)));
      expect(e.code).toBe('FORMAT');
      expect(e.file).toBe('tables.list');
      expect(e.offset).toBe(offset);
    }
  });

  it('a missing tables.list (or directory) is an empty stack', () => {
    const s = Stack.open(path.join(tmp, 'does-not-exist'), SHA1);
    expect(s.tables).toHaveLength(0);
    expect(s.nextUpdateIndex).toBe(1);
    expect([...s.merged.refs()]).toHaveLength(0);
    expect(s.listContent).toBe('');
  });
});

describe('Stack.open', () => {
  it('opens every listed table and merges them newest-wins', () => {
    const s = Stack.open(stackDir(NAMES), SHA1);
    expect(s.tables.map((t) => t.name)).toEqual(NAMES);
    expect(s.tables[0].size).toBe(fs.statSync(path.join(BASIC, NAMES[0])).size);
    expect(s.nextUpdateIndex).toBe(s.tables[2].table.maxUpdateIndex + 1);
    const names = [...s.merged.refs()].map((r) => text(r.record.name));
    expect(names).toContain('refs/heads/main');
    expect(names).not.toContain('refs/heads/temp'); // deleted in the newest table
    s.close();
  });

  it('fails on a bad CRC instead of showing no refs', () => {
    const dir = stackDir(NAMES);
    const f = path.join(dir, NAMES[1]);
    const b = fs.readFileSync(f);
    b[b.length - 1] ^= 0xff;
    fs.writeFileSync(f, b);
    const e = caught(() => Stack.open(dir, SHA1));
    expect(e.code).toBe('CHECKSUM');
    expect(e.file).toBe(NAMES[1]);
    expect(e.offset).toBe(b.length - 4);
  });

  it('rejects tables of the wrong hash', () => {
    const e = caught(() => Stack.open(stackDir(NAMES), SHA256));
    expect(e.message).toMatch(/sha1 but the repository uses sha256/);
  });

  it('reports a listed table that is missing while tables.list stays unchanged as NOT_EXIST', () => {
    const dir = stackDir(NAMES.slice(0, 2), NAMES.map((x) => x + '\n').join(''));
    let sleeps = 0;
    const e = caught(() => Stack.open(dir, SHA1, { hooks: { sleep: () => void sleeps++ } }));
    expect(e.code).toBe('NOT_EXIST');
    expect(e.file).toBe(NAMES[2]);
    expect(sleeps).toBe(0);
  });

  it('retries when tables.list changes under it (concurrent compaction) and succeeds', () => {
    // The reader sees a list naming a table that a compaction has already removed; by the time
    // it re-reads, the list names the compacted result.
    const dir = stackDir([NAMES[0]], `${NAMES[0]}\n0x000000000019-0x00000000001c-deadbeef.ref\n`);
    const sleeps: number[] = [];
    const s = Stack.open(dir, SHA1, {
      hooks: {
        afterListRead(attempt) {
          if (attempt === 0) {
            fs.copyFileSync(path.join(BASIC, NAMES[1]), path.join(dir, NAMES[1]));
            fs.writeFileSync(path.join(dir, 'tables.list.lock'), `${NAMES[0]}\n${NAMES[1]}\n`);
            fs.renameSync(path.join(dir, 'tables.list.lock'), path.join(dir, 'tables.list'));
          }
        },
        sleep: (ms) => void sleeps.push(ms),
      },
    });
    expect(s.tables.map((t) => t.name)).toEqual([NAMES[0], NAMES[1]]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    s.close();
  });

  it('gives up after the deadline when the list keeps changing but the table never appears', () => {
    const dir = stackDir([NAMES[0]], `${NAMES[0]}\nmissing-0.ref\n`);
    let attempts = 0;
    const e = caught(() =>
      Stack.open(dir, SHA1, {
        retryDeadlineMs: 0,
        hooks: {
          afterListRead(attempt) {
            attempts = attempt + 1;
            fs.writeFileSync(path.join(dir, 'tables.list'), `${NAMES[0]}\nmissing-${attempt + 1}.ref\n`);
          },
          sleep: () => undefined,
        },
      }),
    );
    expect(e.code).toBe('NOT_EXIST');
    expect(attempts).toBe(3); // at least three attempts even with the deadline passed
  });
});

describe('Stack.reload', () => {
  it('reports changes, reuses open tables by name and closes dropped ones', () => {
    const dir = stackDir(NAMES.slice(0, 2));
    const closed: string[] = [];
    const s = Stack.open(dir, SHA1, {
      openSource: (file) => {
        const src = openFileSource(file);
        return { size: src.size, read: (o, l) => src.read(o, l), close: () => { closed.push(path.basename(file)); src.close(); } };
      },
    });
    const first = s.tables[0].table;
    expect(s.reload()).toBe(false);
    fs.copyFileSync(path.join(BASIC, NAMES[2]), path.join(dir, NAMES[2]));
    fs.writeFileSync(path.join(dir, 'tables.list'), NAMES.map((x) => x + '\n').join(''));
    expect(s.reload()).toBe(true);
    expect(s.tables).toHaveLength(3);
    expect(s.tables[0].table).toBe(first);
    expect(closed).toEqual([]);
    // A compaction replaces the first two tables: they must be closed, not kept open forever.
    fs.writeFileSync(path.join(dir, 'tables.list'), `${NAMES[2]}\n`);
    expect(s.reload()).toBe(true);
    expect(closed.sort()).toEqual([NAMES[0], NAMES[1]].sort());
    expect(s.listContent).toBe(`${NAMES[2]}\n`);
    s.close();
    expect(closed).toContain(NAMES[2]);
    expect(() => s.reload()).toThrow(/closed/);
  });
});

describe('openFileSource', () => {
  it('reads small files whole and large ones with positioned reads, closing the descriptor', () => {
    const f = path.join(tmp, 'big.bin');
    const data = Buffer.alloc(300 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    fs.writeFileSync(f, data);
    const big = openFileSource(f, 256 * 1024); // below the file size: positioned reads
    expect(big.size).toBe(data.length);
    expect([...big.read(1000, 4)]).toEqual([1000 & 0xff, 1001 & 0xff, 1002 & 0xff, 1003 & 0xff]);
    expect(big.read(data.length - 2, 10)).toHaveLength(2);
    big.close();
    expect(() => big.read(0, 1)).toThrow(/closed/);
    const small = openFileSource(f, 1 << 20);
    expect(small.read(5, 1)[0]).toBe(5);
    const e = caught(() => openFileSource(path.join(tmp, 'nope')));
    expect(e.code).toBe('NOT_EXIST');
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RefDatabase, isRootRef, normalizePrefixes } from '../../../src/store/refdb';
import { matchRefPattern, literalPrefix } from '../../../src/cli/pattern';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-refdb-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open = (fx: string) => RefDatabase.open(path.join(FIXTURES, fx));

describe('RefDatabase on the basic fixture', () => {
  const db = open('basic.git');
  afterAll(() => db.close());

  it('lists refs/ names in order, root refs only on request', () => {
    const names = [...db.refs()].map((r) => r.name);
    expect(names[0]).toBe('refs/custom/logged');
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => n.startsWith('refs/'))).toBe(true);
    const all = [...db.refs({ includeRootRefs: true })].map((r) => r.name);
    expect(all.slice(0, 2)).toEqual(['HEAD', 'ORIG_HEAD']);
  });

  it('iterates prefixes in order without duplicates', () => {
    const names = [...db.refs({ prefixes: ['refs/tags/', 'refs/heads/', 'refs/heads/topic/'] })].map((r) => r.name);
    expect(names[0]).toBe('refs/heads/alias');
    expect(names.filter((n) => n === 'refs/heads/topic/nested')).toHaveLength(1);
    expect(names[names.length - 1]).toBe('refs/tags/v1.0-outer');
    expect(normalizePrefixes(['b', 'a/x', 'a/', 'a/'])).toEqual(['a/', 'b']);
    expect(normalizePrefixes(['x', ''])).toEqual([undefined]);
  });

  it('pages from a name: seeks to it, keeps the prefix bound', () => {
    const heads = [...db.refs({ prefixes: ['refs/heads/'] })].map((r) => r.name);
    expect(heads.length).toBeGreaterThan(3);
    const from = heads[2];
    expect([...db.refs({ prefixes: ['refs/heads/'], from })].map((r) => r.name)).toEqual(heads.slice(2));
    // A `from` between two names starts at the next one; before the prefix it is ignored.
    expect([...db.refs({ prefixes: ['refs/heads/'], from: heads[2] + '\u0000' })].map((r) => r.name)).toEqual(heads.slice(3));
    expect([...db.refs({ prefixes: ['refs/heads/'], from: 'refs/a' })].map((r) => r.name)).toEqual(heads);
    expect([...db.refs({ prefixes: ['refs/heads/'], from: 'refs/heads0' })]).toEqual([]);
  });

  it('reads raw records and resolves symref chains', () => {
    const head = db.ref('HEAD')!;
    expect(head).toMatchObject({ type: 'symref', target: 'refs/heads/main', stack: 'main' });
    expect(db.ref('refs/tags/v1.0')).toMatchObject({ type: 'peeled' });
    expect(db.resolve('refs/heads/alias2')).toEqual({
      oid: db.ref('refs/heads/main')!.oid,
      chain: ['refs/heads/alias2', 'refs/heads/alias', 'refs/heads/main'],
    });
    expect(db.ref('refs/heads/temp')).toBeUndefined();
    expect(db.resolve('refs/heads/none')).toEqual({ chain: ['refs/heads/none'] });
  });

  it('reflogs: newest first, deleted ones hidden, shadowed history still reachable', () => {
    const log = db.reflog('HEAD');
    expect(log.length).toBeGreaterThan(3);
    for (let i = 1; i < log.length; i++) expect(log[i - 1].updateIndex).toBeGreaterThan(log[i].updateIndex);
    expect(db.reflogExists('HEAD')).toBe(true);
    expect(db.reflog('refs/heads/temp')).toEqual([]);
    expect(db.reflogExists('refs/heads/temp')).toBe(false);
    const shadowed = db.shadowedRefs();
    expect(shadowed.map((s) => s.ref.name)).toEqual(['refs/heads/temp']);
    expect(shadowed[0].deletedAt).toBeGreaterThan(shadowed[0].ref.updateIndex);
    expect(shadowed[0].table).not.toBe(shadowed[0].ref.table);
    const hidden = db.shadowedLogs('refs/heads/temp');
    expect(hidden).toHaveLength(1);
    expect(hidden[0].type).toBe('update');
    expect(hidden[0].new).toBe(shadowed[0].ref.oid);
  });

  it('allLogs covers every reflog in key order', () => {
    const all = [...db.allLogs()];
    const names = [...new Set(all.map((e) => e.name))];
    expect(names).toEqual(fs.readFileSync(path.join(FIXTURES, 'basic.expected/reflog-list.txt'), 'utf8').trim().split('\n').sort());
    expect(all.filter((e) => e.name === 'HEAD')).toEqual(db.reflog('HEAD'));
  });

  it('finds refs pointing at an object (value or peeled)', () => {
    const main = db.ref('refs/heads/main')!.oid!;
    const at = db.refsPointingAt(main).map((r) => r.name);
    expect(at).toContain('refs/heads/main');
    expect(at).toContain('refs/heads/feature');
    const peeled = db.ref('refs/tags/v1.0')!.peeled!;
    expect(db.refsPointingAt(peeled).map((r) => r.name)).toContain('refs/tags/v1.0');
  });

  it('reports per-table statistics', () => {
    const t = db.tables();
    expect(t).toHaveLength(db.stacks[0].stack.tables.length);
    expect(t.reduce((a, x) => a + x.refTombstones, 0)).toBe(1);
    expect(t[0].blocks.ref).toBeGreaterThan(0);
  });
});

describe('RefDatabase in a linked worktree', () => {
  it('routes per-worktree names to the worktree stack and the rest to main', () => {
    const main = open('worktree.git');
    const wt = open('worktree.git/worktrees/wt');
    try {
      expect(wt.stacks.map((s) => s.id)).toEqual(['main', 'wt']);
      expect(wt.ref('HEAD')).toMatchObject({ target: 'refs/heads/wtbranch', stack: 'wt' });
      expect(main.ref('HEAD')).toMatchObject({ target: 'refs/heads/main', stack: 'main' });
      expect(wt.ref('main-worktree/HEAD')).toMatchObject({ target: 'refs/heads/main', stack: 'main' });
      expect(main.ref('worktrees/wt/HEAD')).toMatchObject({ target: 'refs/heads/wtbranch', stack: 'wt' });
      expect(main.ref('worktrees/wt/refs/bisect/bad')?.oid).toBe(wt.ref('refs/bisect/bad')?.oid);
      expect(main.ref('refs/bisect/bad')).toBeUndefined();
      // Paging from a name in a linked worktree's view (two stacks merged by routing).
      const all = [...wt.refs({ includeRootRefs: true })].map((r) => r.name);
      const mid = all[Math.floor(all.length / 2)];
      expect([...wt.refs({ includeRootRefs: true, from: mid })].map((r) => r.name)).toEqual(all.slice(all.indexOf(mid)));
      expect(wt.ref('refs/worktree/mainonly')).toBeUndefined();
      const wtNames = [...wt.refs()].map((r) => r.name);
      expect(wtNames).toEqual(['refs/bisect/bad', 'refs/heads/main', 'refs/heads/wtbranch', 'refs/worktree/private']);
      expect(main.worktrees()).toEqual([
        expect.objectContaining({ id: 'wt', head: expect.objectContaining({ name: 'HEAD', target: 'refs/heads/wtbranch' }) }),
      ]);
      expect(wt.stacks[1].stack.tables.map((t) => t.name)).toContain(wt.reflog('HEAD')[0].table);
      expect(main.stacks[0].stack.tables.map((t) => t.name)).not.toContain(wt.reflog('HEAD')[0].table);
    } finally {
      main.close();
      wt.close();
    }
  });

  it('reads FETCH_HEAD from its file', () => {
    const dir = path.join(tmp, 'fh.git');
    fs.cpSync(path.join(FIXTURES, 'basic.git'), dir, { recursive: true });
    const oid = 'd669b0cd69c5509ffe1d3851422a721a5d94e177';
    fs.writeFileSync(path.join(dir, 'FETCH_HEAD'), `${oid}\t\tbranch 'main' of /x\n`);
    const db = RefDatabase.open(dir);
    expect(db.ref('FETCH_HEAD')).toMatchObject({ oid, type: 'oid', table: 'FETCH_HEAD' });
    expect(db.ref('MERGE_HEAD')).toBeUndefined();
    db.close();
  });

  it('knows which names are root refs', () => {
    expect(isRootRef('HEAD')).toBe(true);
    expect(isRootRef('CHERRY_PICK_HEAD')).toBe(true);
    expect(isRootRef('FETCH_HEAD')).toBe(false);
    expect(isRootRef('FOO')).toBe(false);
  });
});

describe('for-each-ref patterns', () => {
  it('match like git 2.47', () => {
    expect(matchRefPattern('refs/heads', 'refs/heads/main')).toBe(true);
    expect(matchRefPattern('refs/heads/', 'refs/heads/main')).toBe(true);
    expect(matchRefPattern('refs/heads/m', 'refs/heads/main')).toBe(false);
    expect(matchRefPattern('refs/heads/m*', 'refs/heads/main')).toBe(true);
    expect(matchRefPattern('refs/heads/m*', 'refs/heads/ma/x')).toBe(false);
    expect(matchRefPattern('refs/*/m1', 'refs/heads/m1')).toBe(true);
    expect(matchRefPattern('refs/h*', 'refs/heads/m1')).toBe(false);
    expect(matchRefPattern('refs/heads/[am]1', 'refs/heads/m1')).toBe(true);
    expect(matchRefPattern('refs/heads/[!a]1', 'refs/heads/a1')).toBe(false);
    expect(matchRefPattern('refs/**', 'refs/heads/a/b')).toBe(true);
    // "**" crosses directories only as a whole component; elsewhere it is a "*".
    expect(matchRefPattern('refs/heads/a**', 'refs/heads/ab/c')).toBe(false);
    expect(matchRefPattern('refs/heads/a**', 'refs/heads/abc')).toBe(true);
    expect(matchRefPattern('**/?', 'refs/heads/x')).toBe(true);
    expect(matchRefPattern('refs/**/main', 'refs/main')).toBe(true);
    // POSIX classes, a leading "]" as a member, malformed classes matching nothing.
    expect(matchRefPattern('refs/heads/[[:alpha:]]*', 'refs/heads/main')).toBe(true);
    expect(matchRefPattern('refs/heads/[[:digit:]]*', 'refs/heads/main')).toBe(false);
    expect(matchRefPattern('refs/heads/[]]x', 'refs/heads/]x')).toBe(true);
    expect(matchRefPattern('refs/heads/[[:bogus:]]*', 'refs/heads/main')).toBe(false);
    expect(matchRefPattern('refs/heads/[a*', 'refs/heads/[abc')).toBe(false);
    // Bytes, as git compares them: "?" is one byte of a two-byte character.
    expect(matchRefPattern('refs/heads/?', 'refs/heads/é')).toBe(false);
    expect(matchRefPattern('refs/heads/??', 'refs/heads/é')).toBe(true);
    expect(literalPrefix('refs/heads/m*')).toBe('refs/heads/m');
    expect(literalPrefix('refs/tags')).toBe('refs/tags');
  });
});

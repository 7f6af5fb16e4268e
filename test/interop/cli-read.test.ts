/**
 * The bundled `reftable` CLI, spawned as a user would run it: outputs equal git's, exit codes
 * 0/1/2/3, and every failure is exactly one `reftable: …` line on stderr.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scratch, loadGit } from './read-helpers';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
let s: Scratch;
let cliJs: string;
let repo: string;

beforeAll(async () => {
  const { git, gitEnv } = await loadGit();
  s = new Scratch(git, gitEnv, 'rt-cli-');
  cliJs = path.join(s.dir, 'cli.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'es2022',
    outfile: cliJs, logLevel: 'silent',
  });
  repo = path.join(s.dir, 'repo');
  s.run('.', ['init', '-q', '--ref-format=reftable', '-b', 'main', repo]);
  s.run(repo, ['commit', '-q', '--allow-empty', '-m', 'first']);
  s.run(repo, ['commit', '-q', '--allow-empty', '-m', 'second\n\nbody']);
  s.run(repo, ['branch', 'feature']);
  s.run(repo, ['tag', '-a', '-m', 'tag', 'v1']);
  s.run(repo, ['symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
  s.run(repo, ['symbolic-ref', 'refs/heads/dangling', 'refs/heads/nowhere']);
  s.run(repo, ['update-ref', 'refs/notes/x', 'HEAD~1']);
  fs.mkdirSync(path.join(repo, 'a', 'b'), { recursive: true });
}, 120_000);
afterAll(() => s?.cleanup());

function reftable(args: string[], cwd = repo, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectOneLineError(r: { err: string }, re: RegExp): void {
  const lines = r.err.split('\n').filter(Boolean);
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).toMatch(/^reftable: /);
  expect(lines[0]).toMatch(re);
}

describe('reftable refs', () => {
  it('prints what git for-each-ref prints, from any directory and with -C', () => {
    const git = s.run(repo, ['for-each-ref', '--format=%(objectname) %(refname)']);
    expect(git).toContain('refs/heads/alias');
    expect(git).not.toContain('refs/heads/dangling');
    for (const r of [reftable(['refs']), reftable(['refs'], path.join(repo, 'a', 'b')), reftable(['-C', repo, 'refs'], s.dir), reftable(['-C', path.join(repo, '.git'), 'refs'], s.dir)]) {
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toBe(git);
    }
  });

  it('matches patterns like git', () => {
    for (const pats of [['refs/heads'], ['refs/heads/'], ['refs/heads/m'], ['refs/heads/m*'], ['refs/*/x', 'refs/tags'], ['refs/h*'], ['refs/heads/[fm]*']]) {
      const git = s.run(repo, ['for-each-ref', '--format=%(objectname) %(refname)', ...pats]);
      expect(reftable(['refs', ...pats]).out, pats.join(' ')).toBe(git);
    }
  });

  it('--all adds root refs like --include-root-refs', () => {
    const git = s.run(repo, ['for-each-ref', '--include-root-refs', '--format=%(objectname) %(refname)']);
    expect(git).toMatch(/ HEAD\n/);
    expect(reftable(['refs', '--all']).out).toBe(git);
  });

  it('--json prints the raw records, dangling symrefs included', () => {
    const lines = reftable(['refs', '--json']).out.trim().split('\n').map((l) => JSON.parse(l));
    const byName = new Map(lines.map((o) => [o.name, o]));
    expect(byName.get('refs/heads/dangling')).toEqual({ name: 'refs/heads/dangling', updateIndex: expect.any(Number), type: 'symref', target: 'refs/heads/nowhere' });
    expect(Object.keys(byName.get('refs/tags/v1'))).toEqual(['name', 'updateIndex', 'type', 'oid', 'peeled']);
    expect(byName.get('refs/tags/v1').peeled).toBe(s.run(repo, ['rev-parse', 'v1^{}']).trim());
    expect(byName.has('HEAD')).toBe(false);
  });
});

describe('reftable show', () => {
  it('prints one raw record with its table', () => {
    const tables = fs.readFileSync(path.join(repo, '.git/reftable/tables.list'), 'utf8');
    const r = reftable(['show', 'HEAD']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ref: refs\/heads\/main HEAD \(table (0x[0-9a-f]{12}-0x[0-9a-f]{12}-[0-9a-f]{8}\.ref), update index \d+\)\n$/);
    expect(tables).toContain(/table (\S+),/.exec(r.out)![1]);
    const j = JSON.parse(reftable(['show', '--json', 'refs/heads/feature']).out);
    expect(j).toMatchObject({ name: 'refs/heads/feature', type: 'oid', oid: s.run(repo, ['rev-parse', 'feature']).trim() });
    expect(tables).toContain(j.table);
  });

  it('exits 1 with one line for an absent ref', () => {
    const r = reftable(['show', 'refs/heads/absent']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expectOneLineError(r, /refs\/heads\/absent/);
  });
});

describe('reftable log', () => {
  it('prints reflog entries newest first, like git reflog', () => {
    const git = s.run(repo, ['log', '-g', '--format=%gD %h %gs', 'refs/heads/main']);
    const ours = reftable(['log', 'refs/heads/main']);
    expect(ours.code).toBe(0);
    expect(ours.out).toBe(git);
    const j = reftable(['log', '--json', 'HEAD']).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(j[0]).toMatchObject({ name: 'HEAD', type: 'update', committer: { name: 'C O Mitter', email: 'committer@example.com', tz: '-0800' } });
    expect(j[0].committer.time).toBeGreaterThanOrEqual(1700000000);
    expect(j[0].new).toBe(s.run(repo, ['rev-parse', 'HEAD']).trim());
    expect(j.map((e) => e.updateIndex)).toEqual([...j.map((e) => e.updateIndex)].sort((a, b) => b - a));
  });

  it('keeps the newest N entries with -n, as git reflog show -n does', () => {
    for (const n of [0, 1]) {
      const git = s.run(repo, ['log', '-g', '-n', String(n), '--format=%gD %h %gs', 'refs/heads/main']);
      const ours = reftable(['log', '-n', String(n), 'refs/heads/main']);
      expect(ours.code, `-n ${n}`).toBe(0);
      expect(ours.out, `-n ${n}`).toBe(git);
    }
    const total = reftable(['log', 'refs/heads/main']).out.trim().split('\n').length;
    expect(total).toBeGreaterThan(1);
    // Without a ref: at most N per ref.
    const perRef = new Map<string, number>();
    for (const l of reftable(['log', '-n', '1']).out.trim().split('\n')) perRef.set(l.split('@{')[0], (perRef.get(l.split('@{')[0]) ?? 0) + 1);
    expect([...perRef.values()].every((c) => c === 1)).toBe(true);
    expect(perRef.size).toBeGreaterThan(1);
    const bad = reftable(['log', '-n', 'x', 'refs/heads/main']);
    expect(bad.code).toBe(2);
    expectOneLineError(bad, /-n takes a number/);
  });

  it('lists every reflog when no ref is named, and exits 1 for a ref without one', () => {
    const all = reftable(['log']).out;
    const names = [...new Set(all.trim().split('\n').map((l) => l.split('@{')[0]))].sort();
    expect(names).toEqual(s.run(repo, ['reflog', 'list']).trim().split('\n').sort());
    const r = reftable(['log', 'refs/tags/v1']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /no reflog for refs\/tags\/v1/);
  });
});

describe('reftable tables', () => {
  it('describes every table and the next auto-compaction', () => {
    const j = JSON.parse(reftable(['tables', '--json']).out);
    expect(j.stacks).toHaveLength(1);
    const st = j.stacks[0];
    const listed = fs.readFileSync(path.join(repo, '.git/reftable/tables.list'), 'utf8').trim().split('\n');
    expect(st.tables.map((t: { name: string }) => t.name)).toEqual(listed);
    for (const t of st.tables) expect(t.size).toBe(fs.statSync(path.join(repo, '.git/reftable', t.name)).size);
    expect(st.tables.reduce((a: number, t: { refCount: number }) => a + t.refCount, 0)).toBeGreaterThanOrEqual(7);
    expect(st.compaction === null || st.compaction.end > st.compaction.start).toBe(true);
    const text = reftable(['tables']).out;
    expect(text).toMatch(/^stack main: /);
    expect(text).toMatch(/auto-compaction/);
  });

  it('predicts the segment git pack-refs --auto merges', () => {
    const r = path.join(s.dir, 'compact');
    s.run('.', ['init', '-q', '--ref-format=reftable', '-b', 'main', r]);
    const env = { GIT_TEST_REFTABLE_AUTOCOMPACTION: 'false' };
    s.run(r, ['commit', '-q', '--allow-empty', '-m', 'x'], { env });
    for (let i = 0; i < 4; i++) s.run(r, ['update-ref', `refs/heads/b${i}`, 'HEAD'], { env });
    const before = JSON.parse(reftable(['tables', '--json'], r).out).stacks[0];
    expect(before.compaction).not.toBeNull();
    const kept = before.tables.filter((_: unknown, i: number) => i < before.compaction.start || i > before.compaction.end).map((t: { name: string }) => t.name);
    s.run(r, ['pack-refs', '--auto']);
    const after = fs.readFileSync(path.join(r, '.git/reftable/tables.list'), 'utf8').trim().split('\n');
    expect(after).toHaveLength(kept.length + 1);
    for (const k of kept) expect(after).toContain(k);
  });
});

describe('errors and exit codes', () => {
  it('bad usage exits 2 with one line', () => {
    for (const args of [[], ['frobnicate'], ['refs', '--bogus'], ['show'], ['show', 'a', 'b'], ['-C']]) {
      const r = reftable(args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLineError(r, /./);
    }
    expect(reftable(['help']).code).toBe(0);
    expect(reftable(['help']).out).toMatch(/refs \[--json\] \[--all\]/);
  });

  it('outside a repository exits 1 with one line', () => {
    const r = reftable(['refs'], s.home);
    expect(r.code).toBe(1);
    expectOneLineError(r, /not a git repository/);
  });

  it('a corrupt table exits 3 naming the file and the offset; REFTABLE_DEBUG adds the stack', () => {
    const bad = path.join(s.dir, 'corrupt.git');
    fs.cpSync(path.join(FIXTURES, 'basic.git'), bad, { recursive: true });
    const name = fs.readFileSync(path.join(bad, 'reftable/tables.list'), 'utf8').split('\n')[0];
    const file = path.join(bad, 'reftable', name);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 2] ^= 0x55; // footer CRC
    fs.writeFileSync(file, bytes);
    const r = reftable(['-C', bad, 'refs']);
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    expectOneLineError(r, new RegExp(`${name.replace(/\./g, '\\.')} at offset ${bytes.length - 4} .*CRC`));
    const d = reftable(['-C', bad, 'refs'], s.dir, { REFTABLE_DEBUG: '1' });
    expect(d.code).toBe(3);
    expect(d.err.split('\n').length).toBeGreaterThan(2);
    expect(d.err).toMatch(/\n\s+at /);

    // A table whose bytes are broken (bad magic) also exits 3 with file and offset.
    bytes[bytes.length - 2] ^= 0x55;
    bytes[0] = 0x58;
    fs.writeFileSync(file, bytes);
    const m = reftable(['-C', bad, 'show', 'HEAD']);
    expect(m.code).toBe(3);
    expectOneLineError(m, /at offset 0 .*magic/);
  });

  it('a listed but missing table exits 3 with NOT_EXIST', () => {
    const bad = path.join(s.dir, 'missing.git');
    fs.cpSync(path.join(FIXTURES, 'basic.git'), bad, { recursive: true });
    const name = fs.readFileSync(path.join(bad, 'reftable/tables.list'), 'utf8').split('\n')[1];
    fs.rmSync(path.join(bad, 'reftable', name));
    const r = reftable(['-C', bad, 'refs']);
    expect(r.code).toBe(3);
    expectOneLineError(r, new RegExp(`${name.replace(/\./g, '\\.')}.*does not exist`));
  });
});

describe('speed on 50 000 refs', () => {
  it('reftable refs vs git for-each-ref (measured, and equal output)', () => {
    const big = path.join(s.dir, 'big');
    s.run('.', ['init', '-q', '--ref-format=reftable', '-b', 'main', big]);
    s.run(big, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const head = s.run(big, ['rev-parse', 'HEAD']).trim();
    let input = '';
    for (let i = 0; i < 50_000; i++) input += `create refs/heads/branch-${String(i).padStart(5, '0')} ${head}\n`;
    s.run(big, ['update-ref', '--stdin'], { input });
    const time = (fn: () => string): { ms: number; out: string } => {
      let best = Infinity;
      let out = '';
      for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        out = fn();
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return { ms: best, out };
    };
    const g = time(() => s.run(big, ['for-each-ref', '--format=%(objectname) %(refname)']));
    const ours = time(() => reftable(['refs'], big).out);
    expect(ours.out === g.out).toBe(true);
    console.log(`50 000 refs: reftable refs ${ours.ms.toFixed(0)} ms, git for-each-ref ${g.ms.toFixed(0)} ms (best of 3, process start included)`);
    expect(ours.ms).toBeLessThan(20_000);
  }, 180_000);
});

describe('reftable dump', () => {
  it('prints every block and record of a table, and the same model as JSON', () => {
    const dir = path.join(FIXTURES, 'small-blocks.git/reftable');
    const name = fs.readFileSync(path.join(dir, 'tables.list'), 'utf8').trim().split('\n')[0];
    const file = path.join(dir, name);
    const j = JSON.parse(reftable(['dump', '--json', file]).out);
    expect(j.size).toBe(fs.statSync(file).size);
    expect(j.blockSize).toBe(512);
    const types = new Set(j.blocks.map((b: { type: string }) => b.type));
    for (const t of ['ref', 'index', 'obj', 'log']) expect(types).toContain(t);
    // Every ref git lists appears as a decoded record of some ref block.
    const names = new Set<string>();
    for (const bl of j.blockLayouts) for (const r of bl.records) if (r.decoded.kind === 'ref') names.add(r.decoded.name);
    const expected = fs.readFileSync(path.join(FIXTURES, 'small-blocks.expected/for-each-ref.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')[1]);
    for (const n of expected) expect(names.has(n), n).toBe(true);
    expect(j.footer.crcOk).toBe(true);

    const text = reftable(['dump', '--records', file]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^table .*: \d+ bytes, version 1 \(sha1\), block size 512/);
    expect(text.out).toMatch(/block \d+ index level 2/);
    expect(text.out).toMatch(/ \* @\d+\+\d+ prefix 0 refs\/heads\/branch-/);
    expect(text.out).toMatch(/footer @\d+\+68 crc ok/);
  });

  it('exits 3 with one line for a missing or corrupt file, 2 without a file', () => {
    const missing = reftable(['dump', path.join(s.dir, 'nope.ref')]);
    expect(missing.code).toBe(3);
    expectOneLineError(missing, /nope\.ref.*ENOENT/);
    const junk = path.join(s.dir, 'junk.ref');
    fs.writeFileSync(junk, Buffer.alloc(100, 7));
    const bad = reftable(['dump', junk]);
    expect(bad.code).toBe(3);
    expectOneLineError(bad, /junk\.ref at offset 0 .*magic/);
    expect(reftable(['dump']).code).toBe(2);
  });
});

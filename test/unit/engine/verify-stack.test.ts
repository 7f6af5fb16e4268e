import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ReftableError } from '../../../src/engine/errors';
import { SHA1, SHA256 } from '../../../src/engine/format';
import { formatAge, verifyStack } from '../../../src/store/verify-stack';
import { main } from '../../../src/cli';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A private copy of a fixture git dir. */
function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-verify-'));
  temps.push(dir);
  const dst = path.join(dir, name);
  fs.cpSync(path.join(FIXTURES, name), dst, { recursive: true });
  return dst;
}

const codes = (fs: { severity: string; code: string; file: string }[]) => fs.map((f) => `${f.severity}:${f.code}:${f.file}`);

describe('verifyStack', () => {
  it('finds nothing in git-made stacks', () => {
    for (const [fx, hash] of [['basic.git', SHA1], ['basic-packed.git', SHA1], ['sha256.git', SHA256], ['small-blocks.git', SHA1], ['worktree.git', SHA1]] as const) {
      expect({ fx, f: verifyStack(path.join(FIXTURES, fx, 'reftable'), hash) }).toEqual({ fx, f: [] });
    }
    expect(verifyStack(path.join(FIXTURES, 'worktree.git', 'worktrees', 'wt', 'reftable'), SHA1)).toEqual([]);
  });
  it('reports a hash different from the repository for every table', () => {
    const f = verifyStack(path.join(FIXTURES, 'sha256.git', 'reftable'), SHA1);
    expect(f.length).toBe(2);
    expect(f.every((x) => x.code === 'hash-mismatch' && x.severity === 'error')).toBe(true);
  });
  it('reports garbage in tables.list line by line, with offsets', () => {
    const repo = copyFixture('basic.git');
    const dir = path.join(repo, 'reftable');
    const list = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(dir, 'tables.list'), `${list[0]}\n\n../../etc/passwd\n${list[1]}\r\n${list[2]}\n${list[2]}`);
    const f = verifyStack(dir, SHA1);
    const syntax = f.filter((x) => x.file === 'tables.list');
    expect(syntax.map((x) => x.code)).toEqual(['list-syntax', 'list-syntax', 'list-syntax', 'list-syntax', 'list-duplicate']);
    expect(syntax[0].message).toMatch(/line feed/);
    expect(syntax[1]).toMatchObject({ severity: 'error', offset: list[0].length + 1 });
    expect(syntax[1].message).toMatch(/line 2 is an empty line/);
    expect(syntax[2].message).toMatch(/passwd/);
    expect(syntax[3].message).toMatch(/ending in CR/);
    // The CR line's table is then not listed: it shows up as an unlisted file.
    expect(codes(f)).toContain(`info:unlisted:${list[1]}`);
  });
  it('survives a binary tables.list', () => {
    const repo = copyFixture('basic.git');
    const dir = path.join(repo, 'reftable');
    fs.writeFileSync(path.join(dir, 'tables.list'), Buffer.from([0, 1, 2, 0xff, 10, 0x80, 0x81]));
    const f = verifyStack(dir, SHA1);
    expect(f.filter((x) => x.code === 'list-syntax').length).toBe(3);
    expect(f.filter((x) => x.code === 'unlisted').length).toBe(3);
  });
  it('reports missing listed tables, unlisted tables, locks with their age, and temp files', () => {
    const repo = copyFixture('basic.git');
    const dir = path.join(repo, 'reftable');
    const list = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').split('\n').filter(Boolean);
    fs.rmSync(path.join(dir, list[1]));
    fs.writeFileSync(path.join(dir, '0x000000000002-0x000000000003-12345678.ref'), 'x');
    fs.writeFileSync(path.join(dir, '0x0000000000ff-0x0000000000ff-12345678.ref'), 'x');
    fs.writeFileSync(path.join(dir, 'tables.list.lock'), '');
    fs.writeFileSync(path.join(dir, `${list[0]}.lock`), '');
    fs.writeFileSync(path.join(dir, '0x000000000020-0x000000000020-aaaaaaaa.temp.XyZ123'), '');
    const t = Date.now();
    const old = new Date(t - 3 * 3600 * 1000);
    fs.utimesSync(path.join(dir, 'tables.list.lock'), old, old);
    const f = verifyStack(dir, SHA1, { now: () => t });
    expect(codes(f)).toEqual(expect.arrayContaining([
      `error:missing:${list[1]}`,
      'info:unlisted:0x000000000002-0x000000000003-12345678.ref',
      'info:unlisted:0x0000000000ff-0x0000000000ff-12345678.ref',
      'warning:lock:tables.list.lock',
      `warning:lock:${list[0]}.lock`,
      'info:temp-file:0x000000000020-0x000000000020-aaaaaaaa.temp.XyZ123',
    ]));
    expect(f.find((x) => x.file === 'tables.list.lock')!.message).toMatch(/modified 3 h ago.*blocked/);
    expect(f.find((x) => x.file.startsWith('0x000000000002'))!.message).toMatch(/would delete it/);
    expect(f.find((x) => x.file.startsWith('0x0000000000ff'))!.message).toMatch(/about to add it/);
    // Never deletes anything.
    expect(fs.existsSync(path.join(dir, 'tables.list.lock'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '0x000000000002-0x000000000003-12345678.ref'))).toBe(true);
  });
  it('reports overlapping ranges as errors, gaps as info, and names that disagree with headers', () => {
    const repo = copyFixture('basic.git');
    const dir = path.join(repo, 'reftable');
    const list = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').split('\n').filter(Boolean);
    // Order reversed: every later table starts below the previous max.
    fs.writeFileSync(path.join(dir, 'tables.list'), [list[2], list[1], list[0]].join('\n') + '\n');
    expect(verifyStack(dir, SHA1).filter((x) => x.code === 'range-overlap')).toHaveLength(2);
    // Drop the middle table: a gap.
    fs.writeFileSync(path.join(dir, 'tables.list'), [list[0], list[2]].join('\n') + '\n');
    const gap = verifyStack(dir, SHA1);
    expect(gap.filter((x) => x.code === 'range-gap').map((x) => x.severity)).toEqual(['info']);
    // A name that lies about its range.
    const liar = '0x000000000001-0x000000000017-00000000.ref';
    fs.renameSync(path.join(dir, list[0]), path.join(dir, liar));
    fs.writeFileSync(path.join(dir, 'tables.list'), [liar, list[1], list[2]].join('\n') + '\n');
    const f = verifyStack(dir, SHA1);
    expect(codes(f).filter((c) => !c.startsWith('info:unlisted'))).toEqual([`warning:name-range:${liar}`]);
  });
  it('includes each table\'s own findings', () => {
    const repo = copyFixture('small-blocks.git');
    const dir = path.join(repo, 'reftable');
    const name = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').trim();
    const b = fs.readFileSync(path.join(dir, name));
    b[b.length - 1] ^= 1;
    b[512] = 0xee; // the second ref block's type byte
    fs.writeFileSync(path.join(dir, name), b);
    const f = verifyStack(dir, SHA1);
    expect(f.map((x) => x.code)).toContain('crc');
    expect(f.every((x) => x.file === name)).toBe(true);
    expect(f.filter((x) => x.severity === 'error').length).toBeGreaterThanOrEqual(2);
  });
  it('throws a typed error when the directory cannot be read', () => {
    expect(() => verifyStack(path.join(os.tmpdir(), 'no-such-reftable-dir-xyz'), SHA1)).toThrow(ReftableError);
  });
  it('formats ages', () => {
    expect(formatAge(5000)).toBe('5 s');
    expect(formatAge(10 * 60_000)).toBe('10 min');
    expect(formatAge(5 * 3600_000)).toBe('5 h');
    expect(formatAge(4 * 86400_000)).toBe('4 days');
  });
});

describe('reftable verify (CLI)', () => {
  async function run(args: string[], cwd: string) {
    let out = '';
    let err = '';
    const code = await main(args, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, cwd });
    return { code, out, err };
  }
  it('exits 0 and prints no findings for a healthy repository with worktrees', async () => {
    const r = await run(['-C', path.join(FIXTURES, 'worktree.git'), 'verify'], FIXTURES);
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(r.err).toMatch(/verified 3 tables in 2 stacks: 0 error/);
  });
  it('prints one line per finding and exits 1 on errors; --json has the same findings', async () => {
    const repo = copyFixture('basic.git');
    const dir = path.join(repo, 'reftable');
    const name = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').split('\n')[0];
    const b = fs.readFileSync(path.join(dir, name));
    b[b.length - 1] ^= 1;
    fs.writeFileSync(path.join(dir, name), b);
    fs.writeFileSync(path.join(dir, 'tables.list.lock'), '');
    const r = await run(['verify'], repo);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toContain(`error reftable/${name}@${b.length - 4}: footer CRC-32 is 0x${b.readUInt32BE(b.length - 4).toString(16).padStart(8, '0')}, computed 0x${(b.readUInt32BE(b.length - 4) ^ 1).toString(16).padStart(8, '0')}`);
    expect(lines.some((l) => l.startsWith('warning reftable/tables.list.lock: '))).toBe(true);
    const j = await run(['verify', '--json'], repo);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out);
    expect(parsed).toMatchObject({ stacks: 1, tables: 3, errors: 1, warnings: 1 });
    expect(parsed.findings.map((f: { code: string }) => f.code).sort()).toEqual(['crc', 'lock']);
  });
  it('verifies single table files, and exits 3 when one cannot be read', async () => {
    const dir = path.join(FIXTURES, 'small-blocks.git', 'reftable');
    const name = fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').trim();
    const ok = await run(['verify', name], dir);
    expect(ok).toMatchObject({ code: 0, out: '' });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-verify-'));
    temps.push(tmp);
    fs.writeFileSync(path.join(tmp, 'junk.ref'), 'REFT\x01 this is not a table at all, just text......................................');
    const bad = await run(['verify', 'junk.ref'], tmp);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^error junk\.ref@\d+: /);
    const missing = await run(['verify', 'nope.ref'], tmp);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/nope\.ref/);
  });
  it('rejects unknown options with exit 2', async () => {
    expect((await run(['verify', '--bogus'], FIXTURES)).code).toBe(2);
  });
});

/**
 * Round trip: what our store writes reads back identically through our reader and through
 * git 2.47 (for-each-ref, show-ref, reflog), including a 200 000-ref transaction (multi-level
 * index) and a SHA-256 repository; our CLI write commands work end to end on git's repos.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Table } from '../../src/engine/table';
import { RefDatabase } from '../../src/store/refdb';
import { discoverRepository } from '../../src/store/repository';
import { applyTransaction } from '../../src/store/transaction';
import { initRepository } from '../../src/store/init';
import { cliSuite, envFor, git, makeCommits, tablesList } from './write-helpers';

const suite = cliSuite('rt-roundtrip-');
const { tmp, cli: CLI } = suite;

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('round trip through git', () => {
  it('a 200 000-ref transaction (multi-level index) reads back in git and in our reader', () => {
    const env = envFor(tmp.home);
    const dir = path.join(tmp.dir, 'big');
    const info0 = initRepository(dir, { initialBranch: 'main' });
    const c = makeCommits(suite.git, dir, env, 8);
    const N = 200_000;
    const updates = Array.from({ length: N }, (_, i) => ({ op: 'create' as const, name: `refs/heads/b/${String(i).padStart(6, '0')}`, oid: c[i % 8] }));
    const t0 = Date.now();
    const res = applyTransaction(discoverRepository(dir), updates, { message: 'bulk', env });
    const ms = Date.now() - t0;
    console.log(`200k-ref transaction: ${ms} ms, table ${res.tables[0]?.name}`);
    expect(res.tables).toHaveLength(1);
    const list = tablesList(info0.gitDir);
    const bytes = fs.readFileSync(path.join(info0.gitDir, 'reftable', list[list.length - 1]));
    const t = Table.open(new Uint8Array(bytes), { name: list[list.length - 1] });
    expect(t.footer.refIndexPosition).toBeGreaterThan(0);
    // Multi-level: the top index block is itself made of index records pointing at index blocks.
    const refs = git(suite.git, dir, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/b/'], env).trim().split('\n');
    expect(refs).toHaveLength(N);
    expect(refs[123456]).toBe(`refs/heads/b/123456 ${c[123456 % 8]}`);
    expect(git(suite.git, dir, ['show-ref', '--verify', 'refs/heads/b/199999'], env).trim()).toBe(`${c[199999 % 8]} refs/heads/b/199999`);
    const log = git(suite.git, dir, ['reflog', 'show', '--format=%H %gs', 'refs/heads/b/000007'], env).trim();
    expect(log).toBe(`${c[7]} bulk`);
    const db = RefDatabase.open(dir);
    try {
      expect(db.ref('refs/heads/b/150000')?.oid).toBe(c[150000 % 8]);
    } finally {
      db.close();
    }
    expect(git(suite.git, dir, ['pack-refs'], env)).toBe('');
  }, 300_000);

  it('SHA-256 repository: init, update, symbolic-ref, reflog through the CLI', () => {
    const env = envFor(tmp.home);
    const dir = path.join(tmp.dir, 's256');
    expect(cli(tmp.dir, ['init', '--object-format=sha256', '-b', 'trunk', dir], env).status).toBe(0);
    const c = makeCommits(suite.git, dir, env, 3);
    expect(c[0]).toHaveLength(64);
    let r = cli(dir, ['update', '-m', 'first', 'refs/heads/trunk', c[0]], env);
    expect(r.status, r.stderr).toBe(0);
    r = cli(dir, ['update', '--stdin', '-m', 'batch'], env, `start\ncreate refs/heads/x ${c[1]}\nupdate refs/heads/trunk ${c[2]} ${c[0]}\ncommit\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('start: ok\ncommit: ok\n');
    expect(cli(dir, ['symbolic-ref', '-m', 'switch', 'HEAD', 'refs/heads/x'], env).status).toBe(0);
    expect(git(suite.git, dir, ['symbolic-ref', 'HEAD'], env).trim()).toBe('refs/heads/x');
    expect(git(suite.git, dir, ['rev-parse', 'HEAD'], env).trim()).toBe(c[1]);
    expect(git(suite.git, dir, ['reflog', 'show', '--format=%H %gs', 'refs/heads/trunk'], env).trim().split('\n')).toEqual([`${c[2]} batch`, `${c[0]} first`]);
    expect(git(suite.git, dir, ['reflog', 'show', '--format=%H %gs', 'HEAD'], env).trim().split('\n')).toEqual([`${c[1]} switch`, `${c[2]} batch`, `${c[0]} first`]);
    expect(cli(dir, ['reflog', 'delete', 'refs/heads/trunk@{0}'], env).status).toBe(0);
    expect(git(suite.git, dir, ['reflog', 'show', '--format=%H', 'refs/heads/trunk'], env).trim()).toBe(c[0]);
    expect(cli(dir, ['reflog', 'expire', '--expire=now', '--all'], env).status).toBe(0);
    expect(git(suite.git, dir, ['reflog', 'show', 'refs/heads/trunk'], env).trim()).toBe('');
    expect(spawnSync(suite.git, ['reflog', 'exists', 'refs/heads/trunk'], { cwd: dir, env }).status).toBe(0);
    expect(cli(dir, ['update', '-d', 'refs/heads/x'], env).status).toBe(0);
    expect(cli(dir, ['pack'], env).status).toBe(0);
    expect(tablesList(path.join(dir, '.git'))).toHaveLength(1);
    expect(git(suite.git, dir, ['for-each-ref', '--format=%(refname) %(objectname)'], env).trim()).toBe(`refs/heads/trunk ${c[2]}`);
    expect(git(suite.git, dir, ['status', '--porcelain'], env)).toBe('');
  });

  it('our init is accepted by git status / for-each-ref, bare and non-bare', () => {
    const env = envFor(tmp.home);
    const bare = path.join(tmp.dir, 'bare.git');
    expect(cli(tmp.dir, ['init', '--bare', bare], env).status).toBe(0);
    expect(git(suite.git, bare, ['rev-parse', '--is-bare-repository'], env).trim()).toBe('true');
    expect(git(suite.git, bare, ['symbolic-ref', 'HEAD'], env).trim()).toBe('refs/heads/main');
    expect(git(suite.git, bare, ['for-each-ref'], env)).toBe('');
    const wt = path.join(tmp.dir, 'wt');
    expect(cli(tmp.dir, ['init', wt], env).status).toBe(0);
    expect(git(suite.git, wt, ['status', '--short', '--branch'], env)).toContain('No commits yet on main');
    expect(git(suite.git, wt, ['config', 'extensions.refstorage'], env).trim()).toBe('reftable');
  });
});

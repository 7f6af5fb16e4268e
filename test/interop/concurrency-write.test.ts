/**
 * Concurrency: our CLI and `git update-ref` write the same repository at the same time from
 * separate processes (auto-compaction on). Every transaction reported as successful must be
 * present afterwards, failures must be clean lock errors, and git must read the stack.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite, envFor, git, makeCommits, tablesList } from './write-helpers';

const suite = cliSuite('rt-conc-');
const { tmp, cli: CLI } = suite;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('concurrent writers', () => {
  it('2 × 200 transactions from our CLI and git update-ref in parallel', async () => {
    const env = envFor(tmp.home, { GIT_TEST_REFTABLE_AUTOCOMPACTION: 'true' });
    const dir = path.join(tmp.dir, 'repo');
    git(suite.git, tmp.dir, ['init', '-q', '--ref-format=reftable', '-b', 'main', dir], env);
    const c = makeCommits(suite.git, dir, env, 4);
    const N = 200;
    // Our writer: one node process running N CLI invocations in a loop (positional update form).
    const driver = path.join(tmp.dir, 'ours.cjs');
    fs.writeFileSync(driver, `
      const { main } = require(${JSON.stringify(CLI)});
      (async () => {
        const sink = { stdout: () => {}, stderr: (s) => process.stderr.write(s), cwd: ${JSON.stringify(dir)} };
        for (let i = 0; i < ${N}; i++) {
          const code = await main(['update', '-m', 'ours ' + i, 'refs/heads/ours/' + i, ${JSON.stringify(c[1])}], sink);
          process.stdout.write((code === 0 ? 'ok ' : 'fail ') + i + ' ' + code + '\\n');
        }
      })();`);
    const gitLoop = path.join(tmp.dir, 'git.sh');
    fs.writeFileSync(gitLoop, `cd ${JSON.stringify(dir)}\nfor i in $(seq 0 ${N - 1}); do\n  if ${JSON.stringify(suite.git)} update-ref -m "git $i" refs/heads/git/$i ${c[2]} 2>>${JSON.stringify(path.join(tmp.dir, 'git.err'))}; then echo "ok $i"; else echo "fail $i"; fi\ndone\n`);
    const t0 = Date.now();
    const [ours, theirs] = await Promise.all([run(process.execPath, [driver], env), run('bash', [gitLoop], env)]);
    const ms = Date.now() - t0;
    const okOurs = ours.stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => Number(l.split(' ')[1]));
    const failOurs = ours.stdout.split('\n').filter((l) => l.startsWith('fail ')).map((l) => l.split(' '));
    const okGit = theirs.stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => Number(l.split(' ')[1]));
    console.log(`concurrency: ${ms} ms; ours ${okOurs.length}/${N} ok, git ${okGit.length}/${N} ok; tables now ${tablesList(path.join(dir, '.git')).length}`);
    expect(okOurs.length + failOurs.length).toBe(N);
    // Failures must be lock conflicts (exit 3 with a LOCK message), nothing else.
    for (const f of failOurs) expect(f[2]).toBe('3');
    if (failOurs.length) expect(ours.stderr).toMatch(/cannot lock references/);
    const refs = new Set(git(suite.git, dir, ['for-each-ref', '--format=%(refname)'], env).trim().split('\n'));
    for (const i of okOurs) expect(refs.has(`refs/heads/ours/${i}`), `ours/${i}`).toBe(true);
    for (const i of okGit) expect(refs.has(`refs/heads/git/${i}`), `git/${i}`).toBe(true);
    expect(okOurs.length).toBeGreaterThan(N / 2);
    expect(okGit.length).toBeGreaterThan(N / 2);
    // No debris: no lock, no temp file, every table listed.
    const files = fs.readdirSync(path.join(dir, '.git', 'reftable'));
    expect(files.filter((f) => f.endsWith('.lock') || f.includes('.temp.'))).toEqual([]);
    const listed = new Set(tablesList(path.join(dir, '.git')));
    expect(files.filter((f) => f.endsWith('.ref') && !listed.has(f))).toEqual([]);
    expect(git(suite.git, dir, ['reflog', 'show', '--format=%gs', 'refs/heads/ours/' + okOurs[0]], env).trim()).toBe(`ours ${okOurs[0]}`);
    expect(git(suite.git, dir, ['pack-refs'], env)).toBe('');
    expect(git(suite.git, dir, ['for-each-ref', '--format=%(refname)'], env).trim().split('\n').length).toBe(refs.size);
  }, 300_000);
});

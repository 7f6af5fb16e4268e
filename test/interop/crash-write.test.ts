/**
 * Crash safety: a process running our CLI's writes in a loop is killed with SIGKILL at random
 * moments (≥ 100 runs). After every kill git must read the stack, no update reported as
 * committed may be lost, and a leftover tables.list.lock (if any) is reported by our tools as a
 * LOCK error naming it. Debris other than locks is counted (temp files from a kill mid-write).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite, envFor, git, makeCommits, tablesList } from './write-helpers';

const suite = cliSuite('rt-crash-');
const { tmp, cli: CLI } = suite;

describe('SIGKILL during writes', () => {
  it('≥ 100 kills: stack readable by git, no committed update lost, only a lock as debris', async () => {
    const env = envFor(tmp.home, { GIT_TEST_REFTABLE_AUTOCOMPACTION: 'true' });
    const dir = path.join(tmp.dir, 'repo');
    git(suite.git, tmp.dir, ['init', '-q', '--ref-format=reftable', '-b', 'main', dir], env);
    const [c] = makeCommits(suite.git, dir, env, 1);
    const driver = path.join(tmp.dir, 'loop.cjs');
    fs.writeFileSync(driver, `
      const { main } = require(${JSON.stringify(CLI)});
      const run = process.argv[2];
      (async () => {
        const sink = { stdout: () => {}, stderr: () => {}, cwd: ${JSON.stringify(dir)} };
        process.stdout.write('ready\\n');
        for (let i = 0; ; i++) {
          const code = await main(['update', '-m', 'crash ' + run + ' ' + i, 'refs/heads/r' + run + '/' + i, ${JSON.stringify(c)}], sink);
          if (code === 0) process.stdout.write('ok ' + i + '\\n');
          else process.exit(code);
        }
      })();`);
    const committed: string[] = [];
    const stats = { runs: 0, lockLeft: 0, lockProbes: 0, tempLeft: 0, unlistedLeft: 0, committed: 0 };
    const unlisted = new Set<string>();
    const t0 = Date.now();
    for (let run = 0; run < 100 || (run < 400 && Date.now() - t0 < 20_000); run++) {
      const out = await new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [driver, String(run)], { env });
        let s = '';
        let killed = false;
        // Kill after the k-th commit (k = 0 means right after start-up) plus a random delay:
        // the kill lands at a random point of a write whatever the machine's load, and every
        // other run commits something first.
        const k = run % 2;
        p.stdout.on('data', (d) => {
          s += d;
          const oks = s.split('\n').filter((l) => l.startsWith('ok ')).length;
          if (!killed && s.includes('ready') && oks >= k) {
            killed = true;
            setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * 120));
          }
        });
        p.on('close', () => resolve(s));
      });
      stats.runs++;
      for (const l of out.split('\n')) if (l.startsWith('ok ')) committed.push(`refs/heads/r${run}/${l.slice(3)}`);
      const rt = path.join(dir, '.git', 'reftable');
      const files = fs.readdirSync(rt);
      // git must read the stack after every kill.
      const fer = spawnSync(suite.git, ['for-each-ref', '--format=%(refname)'], { cwd: dir, env, encoding: 'utf8' });
      expect(fer.status, fer.stderr).toBe(0);
      const have = new Set(fer.stdout.trim().split('\n'));
      for (const r of committed) expect(have.has(r), `${r} lost after run ${run}`).toBe(true);
      if (files.includes('tables.list.lock')) {
        stats.lockLeft++;
        // A few probes show the report; a node start for every leftover lock would double the run time.
        if (stats.lockProbes++ < 5) {
          const r = spawnSync(process.execPath, [CLI, 'update', 'refs/heads/probe', c], { cwd: dir, env, encoding: 'utf8' });
          expect(r.status).toBe(3);
          expect(r.stderr).toMatch(/tables\.list\.lock exists/);
        }
        fs.unlinkSync(path.join(rt, 'tables.list.lock')); // the human decides: nothing runs
      }
      for (const f of files.filter((x) => x.endsWith('.ref.lock'))) {
        stats.lockLeft++;
        fs.unlinkSync(path.join(rt, f));
      }
      const temps = files.filter((f) => f.includes('.temp.'));
      stats.tempLeft += temps.length;
      for (const f of temps) fs.unlinkSync(path.join(rt, f));
      const listed = new Set(tablesList(path.join(dir, '.git')));
      for (const f of files) if (f.endsWith('.ref') && !listed.has(f) && fs.existsSync(path.join(rt, f))) unlisted.add(f);
    }
    stats.committed = committed.length;
    stats.unlistedLeft = unlisted.size;
    console.log(`crash: ${stats.runs} SIGKILLs in ${Date.now() - t0} ms; ${stats.committed} committed updates all present; ` +
      `debris after kills: ${stats.lockLeft} locks, ${stats.tempLeft} temp files, ${stats.unlistedLeft} unlisted tables (compacted-away tables not yet unlinked; removed by pack)`);
    expect(stats.runs).toBeGreaterThanOrEqual(100);
    // Every other run waits for a commit before the kill is armed.
    expect(committed.length).toBeGreaterThanOrEqual(Math.floor(stats.runs / 2));
    // The last kill may have landed between renaming a new table into place and listing it:
    // that table carries the next update index, and git's cleaning (and ours) keeps tables
    // newer than the stack. The repository's next write takes that index and makes it stale.
    const after = spawnSync(process.execPath, [CLI, 'update', 'refs/heads/after-crash', c], { cwd: dir, env, encoding: 'utf8' });
    expect(after.status, after.stderr).toBe(0);
    committed.push('refs/heads/after-crash');
    // pack-refs (ours) cleans unlisted tables; git still reads everything afterwards.
    const p = spawnSync(process.execPath, [CLI, 'pack'], { cwd: dir, env, encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const files = fs.readdirSync(path.join(dir, '.git', 'reftable'));
    expect(files.filter((f) => f.endsWith('.ref')), `left after pack: ${files.join(' ')}`).toEqual(tablesList(path.join(dir, '.git')));
    const all = new Set(git(suite.git, dir, ['for-each-ref', '--format=%(refname)'], env).trim().split('\n'));
    for (const r of committed) expect(all.has(r)).toBe(true);
  }, 300_000); // a node start per kill: slow on a loaded 2-core machine
});

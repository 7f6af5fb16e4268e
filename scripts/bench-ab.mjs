#!/usr/bin/env node
// `npm run bench:ab -- [options] REPO DIST... -- ARGS...`: CPU time of one CLI command run by
// several builds of the CLI (and optionally git) on fresh copies of one repository, in
// alternating rounds, so that a change of a few percent can be told from the machine's drift
// (a full `npm run bench` moves by 15-25% between runs on a shared machine).
//
//   node esbuild.mjs --production && cp -r dist /tmp/before   # then change, rebuild, and:
//   npm run bench:ab -- --rounds=10 --git=pack-refs bench/tmp/repos/unpacked-100000-1000 /tmp/before dist -- pack
//
// Options: --rounds=N (default 8); --stdin=FILE fed to every run; --git="ARGS" adds git with
// those arguments as a contender. Prints, per contender, the median, minimum and mean CPU time
// (user + system, from bench/lib/rusage.py), the median peak RSS, and the ratio of medians to
// the first contender. Each run gets its own copy of REPO, so mutating commands compare fairly.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitEnv, reftableGit, unwrappedGit } from './git-path.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: bench-ab [--rounds=N] [--stdin=FILE] [--git="ARGS"] REPO DIST... -- ARGS...';

function fail(msg) {
  console.error(`bench-ab: ${msg}\n${usage}`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
if (dash < 0) fail('missing -- before the command arguments');
const cmd = argv.slice(dash + 1);
let rounds = 8;
let stdin;
let gitArgs;
const positional = [];
for (const a of argv.slice(0, dash)) {
  if (a.startsWith('--rounds=')) rounds = Number(a.slice(9));
  else if (a.startsWith('--stdin=')) stdin = path.resolve(a.slice(8));
  else if (a.startsWith('--git=')) gitArgs = a.slice(6).split(' ').filter(Boolean);
  else if (a.startsWith('--')) fail(`unknown option ${a}`);
  else positional.push(a);
}
if (!Number.isInteger(rounds) || rounds < 1) fail('--rounds needs a positive integer');
const [repo, ...dists] = positional.map((p) => path.resolve(p));
if (!repo || dists.length === 0) fail('need a repository and at least one build');
if (!fs.existsSync(repo)) fail(`no repository at ${repo}`);
for (const d of dists) if (!fs.existsSync(path.join(d, 'cli.js'))) fail(`no cli.js in ${d}`);
if (stdin !== undefined && !fs.existsSync(stdin)) fail(`no input file ${stdin}`);

const contenders = dists.map((d) => ({ name: path.relative(process.cwd(), d) || d, file: process.execPath, args: [path.join(d, 'cli.js'), ...cmd] }));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ab-'));
const env = { ...process.env };
if (gitArgs) {
  Object.assign(env, gitEnv(path.join(work, 'home')));
  contenders.push({ name: `git ${gitArgs.join(' ')}`, file: unwrappedGit(await reftableGit(), env), args: gitArgs });
}

const rusage = path.join(root, 'bench', 'lib', 'rusage.py');
const stats = path.join(work, 'stats.json');
const results = contenders.map(() => []);
try {
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((c, i) => {
      const dir = path.join(work, 'repo');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(repo, dir, { recursive: true });
      const input = stdin === undefined ? 'ignore' : fs.openSync(stdin, 'r');
      const run = spawnSync('python3', [rusage, stats, c.file, ...c.args], { cwd: dir, env, stdio: [input, 'ignore', 'pipe'], encoding: 'utf8' });
      if (typeof input === 'number') fs.closeSync(input);
      if (run.status !== 0) throw new Error(`${c.name} failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
      results[i].push({ cpu: s.user + s.sys, rss: s.maxrss / 1024 });
    });
    if (process.stderr.isTTY) process.stderr.write(`round ${r + 1}/${rounds}\r`);
  }
} catch (e) {
  console.error(`bench-ab: ${e.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
if (process.exitCode) process.exit();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(results[0].map((x) => x.cpu));
console.log(`${rounds} alternating rounds of: ${cmd.join(' ')}  (CPU ms = user + system)`);
contenders.forEach((c, i) => {
  const cpu = results[i].map((x) => x.cpu);
  const m = median(cpu);
  const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  console.log(`${c.name.padEnd(28)} median ${m.toFixed(0).padStart(6)}  min ${Math.min(...cpu).toFixed(0).padStart(6)}  mean ${mean.toFixed(0).padStart(6)}  rss ${median(results[i].map((x) => x.rss)).toFixed(0).padStart(4)} MiB  ×${(m / base).toFixed(3)}`);
});

#!/usr/bin/env node
// `npm start`: build, make a fresh demo reftable repository (with our engine, no git needed)
// under .tools/demo-repo, and open VS Code on it with the extension loaded:
//   * the desktop `code` (with --extensionDevelopmentPath) when it is on PATH;
//   * otherwise code-server on 127.0.0.1 (installed on first use by scripts/provision-e2e.sh)
//     with the extension installed from this checkout; the URL is printed.
// Runs until Ctrl+C (or, for the desktop, until the window is closed).
//   node scripts/start.mjs [--code-server] [--port=N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DEMO_DIR, makeDemoRepo } from './demo-repo.mjs';
import { WRAPPER } from './git-path.mjs';
import { CODE_SERVER, ROOT, freePort, installExtension, startCodeServer } from '../test/e2e/lib/code-server.mjs';

const opt = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  return m ? [m[1], m[2] ?? true] : [a, true];
}));
const say = (s) => console.log(`[start] ${s}`);

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[start] ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

run('npm', ['run', '-s', 'build'], 'npm run build');
const repo = await makeDemoRepo(DEFAULT_DEMO_DIR);
say(`demo repository ${repo.dir}: ${Object.keys(repo.refs).length} refs in ${repo.tables.length} tables`);

if (!opt['code-server'] && onPath('code')) {
  say('opening VS Code desktop (close the window to stop)');
  const child = spawn('code', ['--new-window', '--wait', `--extensionDevelopmentPath=${ROOT}`, repo.dir], { stdio: 'inherit' });
  process.on('SIGINT', () => child.kill('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!existsSync(CODE_SERVER)) say('no `code` on PATH: installing code-server into .tools/code-server (first use, takes a few minutes)');
  run('bash', [join(ROOT, 'scripts', 'provision-e2e.sh')], 'scripts/provision-e2e.sh (installs code-server; needs root on Debian)');
  const dir = join(ROOT, '.tools', 'start');
  mkdirSync(dir, { recursive: true });
  installExtension(join(dir, 'extensions'), { link: true });
  const port = typeof opt.port === 'string' ? Number(opt.port) : Number(process.env.PORT) || (await freePort());
  // VS Code's git extension needs a git that reads reftable (the system one may be older).
  const settings = existsSync(WRAPPER) ? { 'git.path': WRAPPER } : {};
  const server = await startCodeServer({ dir, port, settings });
  server.child.stdout.on('data', (d) => process.stdout.write(d));
  server.child.stderr.on('data', (d) => process.stderr.write(d));
  const url = `${server.url}/?folder=${encodeURIComponent(repo.dir)}`;
  console.log(`\n  Reftable Explorer is running in code-server:\n\n    ${url}\n\n  (after \`npm run build\`, run "Developer: Reload Window" to load new code; Ctrl+C to stop)\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping code-server');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (code) => {
    if (!stopping) {
      say(`code-server exited (${code})`);
      process.exit(code ?? 1);
    }
  });
}

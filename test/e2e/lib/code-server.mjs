// Starting and stopping a throwaway code-server (VS Code 1.100 in the browser) with our
// extension installed as an unpacked folder, and reading its logs when something fails.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
export const CODE_SERVER = join(ROOT, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Folder name VS Code expects for an unpacked extension: publisher.name-version. */
export function extensionFolderName(pkg) {
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
}

export function readPackageJson(dir = ROOT) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/**
 * Copy the built extension (package.json, dist, media and the docs the .vsix would ship) into
 * `extensionsDir` as an unpacked extension. A copy rather than a symlink: the scanner then
 * sees exactly what a packaged install would hold, and nothing from node_modules.
 */
export function installExtension(extensionsDir, { link = false, from = ROOT } = {}) {
  const pkg = readPackageJson(from);
  const dest = join(extensionsDir, extensionFolderName(pkg));
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of ['package.json', 'dist', 'media', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    const src = join(from, f);
    if (!existsSync(src)) continue;
    // Linked (npm start): a rebuild plus "Developer: Reload Window" picks up new code.
    if (link) symlinkSync(src, join(dest, f));
    else cpSync(src, join(dest, f), { recursive: true, dereference: true });
  }
  return dest;
}

/** User settings that keep first-run UI (trust prompt, welcome page, tips, chat) out of the way. */
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'git.autofetch': false,
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
  'files.hotExit': 'off',
  'workbench.colorTheme': 'Default Dark Modern',
  'window.commandCenter': false,
  'terminal.integrated.enablePersistentSessions': false,
};

/**
 * Start code-server in its own process group (so one signal ends it and its extension host).
 * Resolves once it answers HTTP; rejects after `timeoutMs` with the tail of its output.
 * @param {{ dir: string, env?: NodeJS.ProcessEnv, settings?: object, timeoutMs?: number, port?: number }} o
 *   dir: a temp dir owned by the caller; user-data, extensions, home and logs go below it.
 */
export async function startCodeServer(o) {
  const userDataDir = join(o.dir, 'user-data');
  const extensionsDir = join(o.dir, 'extensions');
  const home = join(o.dir, 'home');
  for (const d of [join(userDataDir, 'User'), extensionsDir, home]) mkdirSync(d, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2));
  // An explicit config file so code-server never writes one into the real ~/.config.
  const config = join(o.dir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = o.port ?? (await freePort());
  const args = [
    '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
  ];
  const output = [];
  const child = spawn(CODE_SERVER, args, {
    cwd: o.dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), ...o.env },
  });
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  // Last resort if we exit without stopping it (an uncaught error, process.exit elsewhere):
  // the group must not outlive us.
  const killOnExit = () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  };
  process.on('exit', killOnExit);
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const server = {
    url: `http://127.0.0.1:${port}`, port, pid: child.pid, child, userDataDir, extensionsDir, home,
    output: () => output.join(''),
    exited: () => exited,
    stop: async () => {
      await stopGroup(child);
      process.off('exit', killOnExit);
    },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${tail(server.output(), 40)}`);
    try {
      const r = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return server;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer within ${o.timeoutMs ?? 60_000} ms:\n${tail(server.output(), 40)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM the whole process group, SIGKILL what is left after 3 s. */
export async function stopGroup(child) {
  if (!child || child.pid === undefined) return;
  const alive = () => {
    try { process.kill(-child.pid, 0); return true; } catch { return false; }
  };
  if (!alive()) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  const deadline = Date.now() + 3000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function tail(text, lines) {
  return text.split('\n').slice(-lines).join('\n');
}

/** Every *.log under user-data-dir/logs (exthost, remoteagent, …), newest session first. */
export function logFiles(userDataDir) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.log')) out.push(p);
    }
  };
  walk(join(userDataDir, 'logs'));
  return out;
}

/** The tails of code-server's own output and of its log files, for a failure report. */
export function diagnostics(server, lines = 40) {
  if (!server) return '';
  const parts = [`--- code-server output (last ${lines} lines) ---`, tail(server.output(), lines)];
  for (const f of logFiles(server.userDataDir)) {
    // The extension host, the server, and our own output channel (Reftable.log).
    if (!/remoteexthost\.log$|remoteagent\.log$|reftable/i.test(f.slice(server.userDataDir.length))) continue;
    const text = readFileSync(f, 'utf8').trim();
    if (text) parts.push(`--- ${f.slice(server.userDataDir.length + 1)} (last ${lines} lines) ---`, tail(text, lines));
  }
  return parts.join('\n');
}

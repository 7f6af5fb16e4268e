#!/usr/bin/env node
// End-to-end suite: the extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// driven through Debian's Chromium with playwright-core.
//
//   node test/e2e/run.mjs [--report=<file>] [--only=<check>,...] [--update-screenshot] [--keep]
//                         [--extension=<unpacked extension dir>]
//
// Provisions what it needs (scripts/provision-e2e.sh, scripts/provision-git.sh), builds the
// extension, installs it unpacked into a throwaway extensions dir, starts code-server on a free
// 127.0.0.1 port, opens a repository made by a reftable-capable git and runs the checks in
// test/e2e/checks.mjs. Each check gets a screenshot in test-results/e2e/. Writes
// { passed, failed, skipped } to --report and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHECKS } from './checks.mjs';
import { ROOT, diagnostics, installExtension, readPackageJson, startCodeServer } from './lib/code-server.mjs';
import { CHROMIUM, Workbench, launchBrowser } from './lib/workbench.mjs';
import { makeGitRepo } from './lib/repo.mjs';

const SUITE_TIMEOUT_MS = 8 * 60_000;
const CHECK_TIMEOUT_MS = 60_000;
const RESULTS = join(ROOT, 'test-results', 'e2e');

const opt = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  return m ? [m[1], m[2] ?? true] : [a, true];
}));
const only = typeof opt.only === 'string' ? new Set(opt.only.split(',')) : undefined;
const started = Date.now();
const results = [];
let server;
let browser;
let tmp;

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (s) => console.log(`[e2e ${elapsed().padStart(7)}] ${s}`);

/** Set on SIGINT/SIGTERM/suite timeout: results recorded after it are teardown noise. */
let frozen;

function writeReport() {
  if (frozen !== undefined) results.length = frozen;
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const report = { passed, failed, skipped, durationMs: Date.now() - started, checks: results };
  writeFileSync(join(RESULTS, 'report.json'), JSON.stringify(report, null, 2));
  if (typeof opt.report === 'string') {
    mkdirSync(dirname(opt.report), { recursive: true });
    writeFileSync(opt.report, JSON.stringify(report, null, 2));
  }
  return report;
}

/** Stop Chromium and code-server once; every caller awaits the same stop. */
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (tmp && !opt.keep) rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

function finish(code) {
  const r = writeReport();
  console.log(`\ne2e: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''} (${elapsed()})`);
  process.exit(code ?? (r.failed > 0 ? 1 : 0));
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (frozen !== undefined) return;
    say(`${sig}: stopping code-server and chromium`);
    results.push({ name: 'interrupted', status: 'failed', error: sig });
    frozen = results.length;
    await cleanup();
    finish(1);
  });
}
const suiteTimer = setTimeout(async () => {
  say(`suite exceeded ${SUITE_TIMEOUT_MS / 1000} s`);
  results.push({ name: 'suite-timeout', status: 'failed', error: `suite exceeded ${SUITE_TIMEOUT_MS} ms` });
  frozen = results.length;
  if (server) console.log(diagnostics(server));
  await cleanup();
  finish(1);
}, SUITE_TIMEOUT_MS);
suiteTimer.unref();

/** A setup step that must succeed; on failure the suite stops with one failed entry. */
async function setup(name, fn) {
  const t = Date.now();
  try {
    const v = await fn();
    say(`${name}: ok (${Date.now() - t} ms)`);
    return v;
  } catch (e) {
    say(`${name}: FAILED\n${e.stack ?? e}`);
    results.push({ name: `setup:${name}`, status: 'failed', error: String(e.message ?? e) });
    if (server) console.log(diagnostics(server));
    await cleanup();
    finish(1);
  }
}

function sh(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim());
  return r.stdout;
}

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
  ]);
}

function slug(i, name) {
  return `${String(i + 1).padStart(2, '0')}-${name}`;
}

async function main() {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });

  await setup('provision', () => {
    const hint = 'The e2e suite needs root on Debian (apt-get) to install chromium, ripgrep and libkrb5-dev, '
      + 'and npm access to install code-server 4.100.3. Otherwise install them yourself: '
      + '`apt-get install chromium ripgrep libkrb5-dev`, then run scripts/provision-e2e.sh; and a git >= 2.45 '
      + '(scripts/provision-git.sh, or REFTABLE_GIT=/path/to/git).';
    try {
      sh('bash', [join(ROOT, 'scripts', 'provision-e2e.sh')], 'scripts/provision-e2e.sh');
      sh('bash', [join(ROOT, 'scripts', 'provision-git.sh')], 'scripts/provision-git.sh');
    } catch (e) {
      throw new Error(`${e.message}\n\n${hint}`);
    }
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing after provisioning.\n${hint}`);
  });

  // --extension=<dir>: test another unpacked copy of the extension (e.g. a .vsix's content).
  const extension = typeof opt.extension === 'string' ? opt.extension : undefined;
  if (!extension) {
    await setup('build', () => {
      sh('npm', ['run', '-s', 'build'], 'npm run build');
      const main = join(ROOT, readPackageJson().main ?? 'dist/extension.js');
      if (!existsSync(main)) throw new Error(`the build did not produce ${main} (is src/extension.ts there?)`);
    });
  }

  tmp = mkdtempSync(join(tmpdir(), 'reftable-e2e-'));
  const repo = await setup('repository', () => makeGitRepo(tmp));
  await setup('install extension', () => installExtension(join(tmp, 'extensions'), { from: extension }));
  server = await setup('code-server', () => startCodeServer({
    dir: tmp,
    // The server resolves its extension host's environment from a login shell, which resets
    // PATH: point VS Code's git extension at the reftable-capable git explicitly.
    settings: { 'git.path': repo.gitPath },
    env: {
      // The integrated terminal gets the reftable-capable git too.
      PATH: `${dirname(repo.gitPath)}:${process.env.PATH}`,
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }));
  say(`code-server ${server.url} (pid ${server.pid}), repository ${repo.dir}`);

  browser = await setup('chromium', () => launchBrowser());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Console errors of the workbench and of every webview frame, for the failure report.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/open-vsx|ENOTFOUND|vsda|Failed to load resource/.test(m.text())) consoleErrors.push(`[${m.location()?.url?.split('?')[0].slice(-60) ?? ''}] ${m.text().slice(0, 400)}`);
  });
  const wb = new Workbench(page);
  await setup('workbench', async () => {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(repo.dir)}`, { timeout: 90_000, waitUntil: 'domcontentloaded' });
    await wb.waitReady(90_000);
  });

  const ctx = { page, wb, repo, server, pkg: readPackageJson(extension), results: RESULTS, root: ROOT, opt, say, state: {} };
  const outcome = new Map();
  for (const [i, check] of CHECKS.entries()) {
    if (frozen !== undefined) break;
    if (only && !only.has(check.name)) continue;
    const shot = join(RESULTS, `${slug(i, check.name)}.png`);
    const missing = (check.needs ?? []).filter((n) => outcome.get(n) !== 'passed' && (!only || only.has(n)));
    if (missing.length) {
      const error = `not run: needs ${missing.join(', ')}`;
      results.push({ name: check.name, status: 'failed', error, ms: 0 });
      outcome.set(check.name, 'failed');
      say(`FAIL ${check.name}: ${error}`);
      continue;
    }
    const t = Date.now();
    let status = 'passed';
    let error;
    try {
      await withTimeout(check.run(ctx), check.timeoutMs ?? CHECK_TIMEOUT_MS, check.name);
    } catch (e) {
      status = 'failed';
      error = String(e.message ?? e);
    }
    await page.screenshot({ path: shot, timeout: 10_000 }).catch(() => {});
    results.push({ name: check.name, title: check.title, status, error, ms: Date.now() - t, screenshot: shot.slice(ROOT.length + 1) });
    outcome.set(check.name, status);
    say(`${status === 'passed' ? 'ok  ' : 'FAIL'} ${check.name} — ${check.title} (${Date.now() - t} ms)${error ? `\n       ${error.split('\n').join('\n       ')}` : ''}`);
    // Leave no quick input or dialog open for the next check.
    await page.keyboard.press('Escape').catch(() => {});
  }

  if (results.some((r) => r.status === 'failed')) {
    console.log(diagnostics(server));
    if (consoleErrors.length) console.log(`--- page and webview console errors (last 15) ---\n${consoleErrors.slice(-15).join('\n')}`);
  }
  if (opt['update-screenshot'] && ctx.state.viewsScreenshot) {
    copyFileSync(ctx.state.viewsScreenshot, join(ROOT, 'media', 'screenshot-views.png'));
    say(`media/screenshot-views.png updated (${statSync(join(ROOT, 'media', 'screenshot-views.png')).size} bytes)`);
  }
}

try {
  await main();
} catch (e) {
  say(`harness error: ${e.stack ?? e}`);
  results.push({ name: 'harness', status: 'failed', error: String(e.message ?? e) });
  if (server) console.log(diagnostics(server));
}
await cleanup();
finish();

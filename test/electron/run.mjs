#!/usr/bin/env node
// The mocha suite in test/electron/suite, run inside a real VS Code extension host.
//
//   node test/electron/run.mjs [--report=<file>] [--host=desktop|code-server] [--download[=<version>]]
//                              [--extension=<dir>]
//
// Hosts, first that works:
//   1. a VS Code desktop through @vscode/test-electron 2.5: $VSCODE_EXECUTABLE, a copy
//      already in .vscode-test/, or one downloaded there with --download;
//   2. code-server 4.100.3 (VS Code 1.100.3, provisioned by scripts/provision-e2e.sh): the
//      workbench is opened in headless Chromium with the same `extensionDevelopmentPath` and
//      `extensionTestsPath` the desktop gets, passed through the web workbench's `payload`
//      query parameter; the suite runs in code-server's (Node) extension host.
// If neither is possible the suite is reported as skipped, loudly.
// The suite writes its results to $REFTABLE_TEST_REPORT; this script turns them into
// { passed, failed, skipped } for --report and exits non-zero on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { makeDemoRepo } from '../../scripts/demo-repo.mjs';
import { CODE_SERVER, ROOT, diagnostics, startCodeServer } from '../e2e/lib/code-server.mjs';
import { CHROMIUM, launchBrowser, waitFor } from '../e2e/lib/workbench.mjs';

const SUITE_DIR = join(ROOT, 'test', 'electron', 'suite');
const OUT = join(ROOT, 'test', 'electron', 'out');
const RUN_TIMEOUT_MS = 4 * 60_000;
const opt = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  return m ? [m[1], m[2] ?? true] : [a, true];
}));
const started = Date.now();
const say = (s) => console.log(`[electron ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${s}`);

function testCount() {
  let n = 0;
  for (const f of readdirSync(SUITE_DIR).filter((f) => f.endsWith('.test.ts'))) {
    n += (readFileSync(join(SUITE_DIR, f), 'utf8').match(/^\s*it\(/gm) ?? []).length;
  }
  return n;
}

function finish(report, code) {
  if (typeof opt.report === 'string') {
    mkdirSync(dirname(opt.report), { recursive: true });
    writeFileSync(opt.report, JSON.stringify(report, null, 2));
  }
  console.log(`\nelectron (${report.host ?? 'no host'}): ${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`);
  process.exit(code ?? (report.failed > 0 ? 1 : 0));
}

function skipLoudly(reason) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n!! electron suite: cannot run: ${reason}\n!! ${testCount()} test(s) counted as SKIPPED.\n${bar}\n`);
  finish({ passed: 0, failed: 0, skipped: testCount(), host: null, reason }, 0);
}

// --extension=<dir> tests another unpacked copy of the extension (skips the build).
const EXTENSION = typeof opt.extension === 'string' ? opt.extension : ROOT;

async function bundle() {
  if (EXTENSION === ROOT) {
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
    if (!existsSync(join(ROOT, 'dist', 'extension.js'))) throw new Error('the build produced no dist/extension.js');
  }
  rmSync(OUT, { recursive: true, force: true });
  const entries = readdirSync(SUITE_DIR).filter((f) => f.endsWith('.ts')).map((f) => join(SUITE_DIR, f));
  await build({
    entryPoints: entries, outdir: OUT, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  return join(OUT, 'index.js');
}

function readResults(file) {
  if (!existsSync(file)) return undefined;
  try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return undefined; }
}

function summarise(results, host) {
  for (const t of results.tests ?? []) {
    console.log(`  ${t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip'} ${t.title}${t.ms !== undefined ? ` (${t.ms} ms)` : ''}`);
    if (t.error) console.log(`       ${t.error.split('\n').slice(0, 8).join('\n       ')}`);
  }
  return { passed: results.passed, failed: results.failed, skipped: results.skipped, host, tests: results.tests };
}

function desktopExecutable() {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  const cache = join(ROOT, '.vscode-test');
  if (!existsSync(cache)) return undefined;
  for (const d of readdirSync(cache).filter((d) => d.startsWith('vscode-')).sort().reverse()) {
    for (const bin of ['code', 'Code', 'VSCode-linux-x64/code']) {
      if (existsSync(join(cache, d, bin))) return join(cache, d, bin);
    }
  }
  return undefined;
}

async function runDesktop(exe, testsPath, work, reportFile, repoDir) {
  const { runTests } = await import('@vscode/test-electron');
  say(`host: VS Code desktop ${exe}`);
  let code = 0;
  try {
    code = await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: EXTENSION,
      extensionTestsPath: testsPath,
      extensionTestsEnv: { REFTABLE_TEST_REPORT: reportFile, REFTABLE_DEMO_REFS: process.env.REFTABLE_DEMO_REFS },
      launchArgs: [repoDir, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', join(work, 'user-data'), '--extensions-dir', join(work, 'extensions')],
    });
  } catch (e) {
    say(`@vscode/test-electron: ${e.message ?? e}`);
    code = 1;
  }
  const results = readResults(reportFile);
  if (!results) return { passed: 0, failed: 1, skipped: 0, host: 'desktop', error: `no results (exit ${code})` };
  return summarise(results, `VS Code desktop (${exe})`);
}

/** What an interrupt must stop: code-server runs in its own process group and would outlive us. */
const live = { server: undefined, browser: undefined, work: undefined };
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    say(`${sig}: stopping code-server and chromium`);
    await live.browser?.close().catch(() => {});
    await live.server?.stop().catch(() => {});
    if (live.work) rmSync(live.work, { recursive: true, force: true });
    finish({ passed: 0, failed: 1, skipped: 0, host: null, error: `interrupted (${sig})` }, 1);
  });
}

async function runCodeServer(testsPath, work, reportFile, repoDir) {
  const version = spawnSync(CODE_SERVER, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  say(`host: code-server ${version}`);
  let server;
  let browser;
  try {
    server = live.server = await startCodeServer({ dir: work, env: { REFTABLE_TEST_REPORT: reportFile, REFTABLE_DEMO_REFS: process.env.REFTABLE_DEMO_REFS, GIT_CONFIG_NOSYSTEM: '1' } });
    browser = live.browser = await launchBrowser();
    const page = await browser.newPage();
    const remote = `vscode-remote://127.0.0.1:${server.port}`;
    // The web workbench reads development options from `payload` (VS Code's browser
    // environment service): the same two paths @vscode/test-electron passes to a desktop.
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `${remote}${EXTENSION}`],
      ['extensionTestsPath', `${remote}${testsPath}`],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(repoDir)}&payload=${encodeURIComponent(payload)}`, { timeout: 90_000, waitUntil: 'domcontentloaded' });
    const results = await waitFor('the suite to finish in the extension host', () => {
      const r = readResults(reportFile);
      return r?.done ? r : undefined;
    }, RUN_TIMEOUT_MS, 500).catch((e) => {
      console.log(diagnostics(server));
      return { passed: 0, failed: 1, skipped: 0, tests: [{ title: 'suite', state: 'failed', error: e.message }] };
    });
    if (results.failed > 0) console.log(diagnostics(server, 60));
    return summarise(results, `code-server ${version.split(' ')[0]} (VS Code ${version.split(' with Code ')[1] ?? '?'})`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
  }
}

let exe = opt.host === 'code-server' ? undefined : desktopExecutable();
if (!exe && opt.download) {
  // --download: let @vscode/test-electron fetch the VS Code desktop matching code-server's.
  try {
    const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
    exe = await downloadAndUnzipVSCode({ version: typeof opt.download === 'string' ? opt.download : '1.100.3', cachePath: join(ROOT, '.vscode-test'), timeout: 60_000 });
  } catch (e) {
    say(`cannot download VS Code: ${String(e.message ?? e).split('\n')[0]}`);
  }
}
let host = exe ? 'desktop' : undefined;
if (!host && opt.host !== 'desktop') {
  const p = spawnSync('bash', [join(ROOT, 'scripts', 'provision-e2e.sh')], { cwd: ROOT, encoding: 'utf8' });
  if (p.status === 0 && existsSync(CODE_SERVER) && existsSync(CHROMIUM)) host = 'code-server';
  else say(`code-server route unavailable: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
}
if (!host) skipLoudly(opt.host === 'desktop' ? 'no VS Code desktop (set VSCODE_EXECUTABLE)' : 'no VS Code desktop (set VSCODE_EXECUTABLE) and no code-server (scripts/provision-e2e.sh failed)');

const work = mkdtempSync(join(tmpdir(), 'reftable-electron-'));
live.work = work;
let report;
try {
  const testsPath = await bundle();
  const repo = await makeDemoRepo(join(work, 'demo'));
  const reportFile = join(work, 'mocha-report.json');
  const refsFile = join(work, 'demo-refs.json');
  writeFileSync(refsFile, JSON.stringify(repo.refs));
  process.env.REFTABLE_DEMO_REFS = refsFile;
  report = host === 'desktop'
    ? await runDesktop(exe, testsPath, work, reportFile, repo.dir)
    : await runCodeServer(testsPath, work, reportFile, repo.dir);
} catch (e) {
  say(`error: ${e.stack ?? e}`);
  report = { passed: 0, failed: 1, skipped: 0, host: null, error: String(e.message ?? e) };
} finally {
  rmSync(work, { recursive: true, force: true });
}
finish(report);

// One build script for every bundle: extension host (CJS, node), CLI (node), webview (browser).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', target: 'es2022' };
const builds = [];
// The CLI is a small launcher (dist/cli.js) that runs the bundle (dist/cli-main.js) from V8's
// code cache (src/cli-launcher.ts). The bundle's first line is an id the cache must carry.
const cliId = `/*build ${watch ? 'watch-' : ''}${randomBytes(8).toString('hex')}*/`;
if (existsSync('src/cli.ts')) {
  builds.push({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli-main.js', platform: 'node', format: 'cjs', banner: { js: cliId } });
  builds.push({ ...common, entryPoints: ['src/cli-launcher.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } });
}
if (existsSync('src/extension.ts')) {
  builds.push({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] });
}
if (existsSync('webview/main.ts')) {
  builds.push({ ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'esm' });
}

const CODE_CACHE = 'dist/cli-main.js.cache';
rmSync(CODE_CACHE, { force: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync('src/cli.ts')) {
    // One run of the CLI under this Node writes the cache; without it the CLI still works.
    const r = spawnSync(process.execPath, ['dist/cli.js', 'help'], { stdio: 'ignore', env: { ...process.env, REFTABLE_WRITE_CODE_CACHE: '1' } });
    if (r.status !== 0 || !existsSync(CODE_CACHE)) console.warn(`esbuild.mjs: no V8 code cache for the CLI (exit ${r.status})`);
  }
}

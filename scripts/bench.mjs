#!/usr/bin/env node
// `npm run bench [-- options]`: build the CLI, bundle bench/run.ts to bench/tmp/run.mjs (no
// TypeScript loader at run time), then run it with --expose-gc. Options: see bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'tmp', 'run.mjs');

const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('bench: npm run build failed');
  process.exit(build.status ?? 1);
}
mkdirSync(dirname(out), { recursive: true });
await esbuild.build({
  entryPoints: [join(root, 'bench', 'run.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (pako) may call require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const r = spawnSync(process.execPath, ['--expose-gc', '--enable-source-maps', out, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

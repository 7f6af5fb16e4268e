#!/usr/bin/env node
// Make the demo reftable repository with our own engine (no git needed):
//   node scripts/demo-repo.mjs [dir]      (default .tools/demo-repo, recreated each time)
// Also importable: `const { createDemoRepo } = await loadDemoRepo()`.
// The TypeScript source (scripts/demo/create.ts) is bundled with esbuild on the fly so the engine
// is used exactly as the extension uses it.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DEMO_DIR = join(ROOT, '.tools', 'demo-repo');

/** @returns {Promise<{ createDemoRepo: (dir: string) => { dir: string, gitDir: string, refs: Record<string,string>, tables: string[] } }>} */
export async function loadDemoRepo() {
  const outdir = join(ROOT, '.tools', 'build');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `demo-repo-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'scripts', 'demo', 'create.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** Recreate `dir` as a fresh demo repository. */
export async function makeDemoRepo(dir = DEFAULT_DEMO_DIR) {
  const { createDemoRepo } = await loadDemoRepo();
  rmSync(dir, { recursive: true, force: true });
  return createDemoRepo(dir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? DEFAULT_DEMO_DIR);
  const repo = await makeDemoRepo(dir);
  console.log(`demo repository: ${repo.dir} (${repo.tables.length} tables)`);
  for (const [name, value] of Object.entries(repo.refs)) console.log(`  ${name} ${value}`);
}

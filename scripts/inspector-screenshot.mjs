// Bundle the screenshot harness (TypeScript) and run it; see inspector-screenshot.ts.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Built outside dist/ so the harness never ships in the extension package.
const out = join(mkdtempSync(join(tmpdir(), 'inspector-harness-')), 'inspector-screenshot.mjs');
await esbuild.build({
  entryPoints: ['scripts/inspector-screenshot.ts'], bundle: true, platform: 'node', format: 'esm',
  outfile: out, nodePaths: [join(process.cwd(), 'node_modules')], external: ['playwright-core', 'vscode'], logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
await import(pathToFileURL(out).href);

// Bundle the screenshot harness (TypeScript) and run it; see inspector-screenshot.ts.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

// Built outside dist/ so the harness never ships, but under node_modules so it resolves playwright-core.
const out = join(process.cwd(), 'node_modules', '.cache', 'inspector-harness', 'inspector-screenshot.mjs');
await esbuild.build({
  entryPoints: ['scripts/inspector-screenshot.ts'], bundle: true, platform: 'node', format: 'esm',
  outfile: out, external: ['playwright-core', 'vscode'], logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
await import(pathToFileURL(out).href);

// Bundle the screenshot harness (TypeScript) and run it; see inspector-screenshot.ts.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';
await esbuild.build({
  entryPoints: ['scripts/inspector-screenshot.ts'], bundle: true, platform: 'node', format: 'esm',
  outfile: 'dist/inspector-screenshot.mjs', external: ['playwright-core', 'vscode'], logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
await import(pathToFileURL('dist/inspector-screenshot.mjs').href);

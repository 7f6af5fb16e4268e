/**
 * Renders the inspector webview standalone in Chromium (fake acquireVsCodeApi, host requests
 * answered in Node by the real document model) and saves media/screenshot-inspector.png.
 * Run: node scripts/inspector-screenshot.mjs (bundles this file with esbuild first).
 */
import { mkdtempSync, copyFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TableDocumentModel } from '../src/editor/document.js';
import { shellHtml } from '../src/editor/shell.js';
import { parseInspectorMessage } from '../src/shared/protocol.js';

const root = process.cwd();
const dir = join(root, 'test/fixtures/small-blocks.git/reftable');
const name = readdirSync(dir).find((f) => f.endsWith('.ref'))!;
const doc = new TableDocumentModel(join(dir, name), name, 'sha1');

const out = mkdtempSync(join(tmpdir(), 'inspector-shot-'));
copyFileSync(join(root, 'dist/webview.js'), join(out, 'webview.js'));
copyFileSync(join(root, 'media/inspector.css'), join(out, 'inspector.css'));
const nonce = 'screenshotnonce';
// A dark theme's variables, as VS Code injects them into webviews.
const theme = `
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 12px;
  --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e; --vscode-descriptionForeground: #9d9d9d;
  --vscode-panel-border: #3c3c3c; --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-activeSelectionForeground: #ffffff; --vscode-focusBorder: #007fd4; --vscode-textLink-foreground: #3794ff;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-yellow: #cca700; --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7; --vscode-charts-red: #f14c4c; --vscode-charts-lines: #808080; --vscode-errorForeground: #f48771;
  --vscode-editor-selectionBackground: #264f78; --vscode-editor-findMatchHighlightBackground: #623315;
  --vscode-editorLineNumber-foreground: #858585; --vscode-sideBarSectionHeader-background: #252526; --vscode-input-background: #3c3c3c;
  --vscode-textCodeBlock-background: #0a0a0a; --vscode-disabledForeground: #6b6b6b; --vscode-editorWarning-foreground: #cca700;
  --vscode-symbolIcon-stringForeground: #ce9178; --vscode-button-background: #0e639c; --vscode-button-foreground: #ffffff;`;
let html = shellHtml({ cspSource: "'self'", nonce, script: 'webview.js', style: 'inspector.css', kind: 'inspector', title: name });
html = html.replace('</head>', `<style nonce="${nonce}">body {${theme}}</style></head>`).replace("<script type=\"module\"", `<script nonce="${nonce}">
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.hostPost(JSON.stringify(m)), getState: () => undefined, setState: () => {} });
</script>
<script type="module"`);
writeFileSync(join(out, 'index.html'), html);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
page.on('console', (m) => console.log('webview:', m.text()));
page.on('pageerror', (e) => console.error('webview error:', e.message));
const toPage = (m: unknown) => {
  // ArrayBuffers do not survive JSON: send them as number arrays and rebuild them in the page.
  const json = JSON.stringify(m, (_k, v) => (v instanceof ArrayBuffer ? { __ab: [...new Uint8Array(v)] } : v));
  // Page-side code as a string: this file is type-checked without the DOM library.
  return page.evaluate(`window.postMessage(JSON.parse(${JSON.stringify(json)}, (k, v) => (v && typeof v === 'object' && Array.isArray(v.__ab) ? new Uint8Array(v.__ab).buffer : v)), '*')`);
};
await page.exposeFunction('hostPost', async (s: string) => {
  const m = parseInspectorMessage(JSON.parse(s));
  if (!m) throw new Error(`malformed message ${s}`);
  if (m.type === 'ready') await toPage(doc.initMessage());
  else if (m.type === 'request') await toPage(doc.handle(m));
});
await page.goto(`file://${join(out, 'index.html')}`);
await page.waitForSelector('.row');
// Expand a ref block, open a record, and run a seek so every pane has content.
await page.locator('.row', { hasText: '#1 ref' }).first().locator('.twisty').click();
await page.waitForSelector('.row.record');
await page.locator('.row.record').nth(3).click();
await page.locator('.row.record').nth(3).locator('.twisty').click();
await page.locator('.row.field', { hasText: 'key suffix' }).first().click();
const refs = doc.handle({ type: 'request', id: 0, method: 'block', params: { index: 2 } });
const wanted = refs.ok ? (refs.result as { layout: { records: { key: string }[] } }).layout.records[5]?.key ?? 'refs/heads/main' : 'refs/heads/main';
await page.evaluate(`document.querySelector('vscode-text-field').value = ${JSON.stringify(wanted)}`);
await page.getByText('Seek ref', { exact: true }).click();
await page.waitForSelector('.outcome');
await page.locator('.row.field', { hasText: 'key suffix' }).first().click();
await page.waitForTimeout(300);
const file = join(root, 'media/screenshot-inspector.png');
const raw = join(out, 'shot.png');
await page.screenshot({ path: raw });
// Quantize to a palette (pngquant, from the distribution) so the README image stays small.
execFileSync('pngquant', ['--force', '--quality=60-90', '--output', file, raw]);
await browser.close();
doc.dispose();
console.log(`${file}: ${statSync(file).size} bytes`);

/**
 * The HTML shell of both webviews: one script bundle (dist/webview.js) and one stylesheet,
 * a strict CSP with a fresh nonce, and resources only from dist/ and media/.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export type WebviewKind = 'inspector' | 'compaction';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: WebviewKind, title: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'inspector.css'));
  return shellHtml({ cspSource: webview.cspSource, nonce, script: script.toString(), style: style.toString(), kind, title });
}

/** Pure part, shared with the standalone screenshot page. */
export function shellHtml(o: { cspSource: string; nonce: string; script: string; style: string; kind: WebviewKind; title: string }): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${o.style}" nonce="${o.nonce}">
<title>${escapeHtml(o.title)}</title>
</head>
<body data-view="${o.kind}">
<div id="app" role="application" aria-label="${escapeHtml(o.title)}"></div>
<script type="module" nonce="${o.nonce}" src="${o.script}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

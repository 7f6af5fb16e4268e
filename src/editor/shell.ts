/** The webview HTML shell, free of vscode imports (the screenshot harness renders it too). */
export type WebviewKind = 'inspector' | 'compaction';

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

/**
 * The HTML shell of both webviews: one script bundle (dist/webview.js) and one stylesheet,
 * a strict CSP with a fresh nonce, and resources only from dist/ and media/.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { WebviewKind, shellHtml } from './shell.js';

export type { WebviewKind } from './shell.js';

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

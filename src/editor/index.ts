/**
 * Entry points the extension host calls: the table inspector (custom editor + command) and the
 * compaction panel (command). Each returns one Disposable owning everything it registered.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CompactionPanel, CompactionViewDeps, configuredFactor } from './compactionPanel.js';
import { INSPECTOR_VIEW_TYPE, InspectorDeps, InspectorProvider } from './inspectorProvider.js';

export { INSPECTOR_VIEW_TYPE } from './inspectorProvider.js';
export type { InspectorDeps, InspectorStack } from './inspectorProvider.js';
export type { CompactionRepository, CompactionViewDeps } from './compactionPanel.js';

/** A command argument that names a table: a Uri, a path, or a tree node carrying either. */
export function tableUriFrom(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.file(arg);
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { resourceUri?: unknown; file?: unknown; path?: unknown; dir?: unknown; name?: unknown };
    if (o.resourceUri instanceof vscode.Uri) return o.resourceUri;
    if (typeof o.file === 'string') return vscode.Uri.file(o.file);
    if (typeof o.dir === 'string' && typeof o.name === 'string') return vscode.Uri.file(path.join(o.dir, o.name));
    if (typeof o.path === 'string' && o.path.endsWith('.ref')) return vscode.Uri.file(o.path);
  }
  return undefined;
}

export function registerInspector(context: vscode.ExtensionContext, deps: InspectorDeps = {}): vscode.Disposable {
  const provider = new InspectorProvider(context.extensionUri, deps);
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(INSPECTOR_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand('reftable.openInspector', async (arg?: unknown) => {
      let uri = tableUriFrom(arg);
      if (!uri) {
        const active = vscode.window.activeTextEditor?.document.uri;
        if (active && active.path.endsWith('.ref')) uri = active;
      }
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Reftable tables': ['ref'] }, openLabel: 'Inspect' });
        uri = picked?.[0];
      }
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, INSPECTOR_VIEW_TYPE);
    }),
  );
}

export function registerCompactionView(context: vscode.ExtensionContext, deps: CompactionViewDeps): vscode.Disposable {
  const panels = new Map<string, CompactionPanel>();
  const factor = deps.geometricFactor ?? configuredFactor;
  const command = vscode.commands.registerCommand('reftable.showCompaction', async (arg?: unknown) => {
    const repo = await deps.resolveRepository(arg);
    if (!repo) {
      void vscode.window.showInformationMessage('No reftable repository to show.');
      return;
    }
    const open = panels.get(repo.id);
    if (open) {
      open.reveal();
      return;
    }
    const panel = new CompactionPanel(context.extensionUri, repo, factor);
    panels.set(repo.id, panel);
    panel.onDidDispose(() => panels.delete(repo.id));
  });
  return vscode.Disposable.from(command, {
    dispose: () => {
      for (const p of panels.values()) p.dispose();
      panels.clear();
    },
  });
}

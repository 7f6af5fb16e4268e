/**
 * The `reftable.inspector` custom readonly editor for `*.ref` tables: a document per file
 * (the parsed table and its lazy layout, cached), any number of webview panels on it, and a
 * watch on the file so a compaction that deletes it is reported with the table that took
 * its place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import { InspectorHostMessage, Replacement, parseInspectorMessage } from '../shared/protocol.js';
import { TableDocumentModel } from './document.js';
import { webviewHtml, webviewOptions } from './html.js';
import { findReplacement, rangeFromName } from './replacement.js';

export const INSPECTOR_VIEW_TYPE = 'reftable.inspector';

/** What the inspector may learn about the stack a table belongs to. */
export interface InspectorStack {
  /** tables.list names, oldest first. */
  names(): string[];
  /** The repository's hash (verification flags a table using another). */
  hash?: 'sha1' | 'sha256';
}

export interface InspectorDeps {
  /** The stack a table file belongs to; default: the `tables.list` next to it. */
  openStack?: (refTableFile: string) => InspectorStack | undefined;
}

function defaultStack(file: string): InspectorStack | undefined {
  const list = path.join(path.dirname(file), 'tables.list');
  if (!fs.existsSync(list)) return undefined;
  return {
    names: () => {
      try {
        return fs.readFileSync(list, 'utf8').split('\n').filter((l) => l !== '');
      } catch {
        return [];
      }
    },
  };
}

export class TableDocument extends Disposable implements vscode.CustomDocument {
  readonly model: TableDocumentModel;
  private readonly _onDidDelete = this._register(new vscode.EventEmitter<void>());
  readonly onDidDelete = this._onDidDelete.event;
  deleted = false;

  constructor(readonly uri: vscode.Uri, private readonly stack: InspectorStack | undefined) {
    super();
    this.model = new TableDocumentModel(uri.fsPath, path.basename(uri.fsPath), stack?.hash);
    this._register({ dispose: () => this.model.dispose() });
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)), true, true, false,
    );
    this._register(watcher);
    this._register(watcher.onDidDelete(() => this.markDeleted()));
  }

  /** Re-check on demand: watchers can miss events on some file systems. */
  checkExists(): void {
    if (!this.deleted && !fs.existsSync(this.uri.fsPath)) this.markDeleted();
  }

  private markDeleted(): void {
    if (this.deleted) return;
    this.deleted = true;
    this._onDidDelete.fire();
  }

  replacement(): Replacement | undefined {
    const name = path.basename(this.uri.fsPath);
    const l = this.model.layout;
    const range = l ? { min: l.minUpdateIndex, max: l.maxUpdateIndex } : rangeFromName(name);
    if (!range) return undefined;
    const names = (this.stack ?? defaultStack(this.uri.fsPath))?.names() ?? [];
    const r = findReplacement({ ...range, name }, names);
    if (!r) return undefined;
    return { file: path.join(path.dirname(this.uri.fsPath), r.name), name: r.name, minUpdateIndex: r.min, maxUpdateIndex: r.max };
  }
}

export class InspectorProvider implements vscode.CustomReadonlyEditorProvider<TableDocument> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly deps: InspectorDeps) {}

  openCustomDocument(uri: vscode.Uri): TableDocument {
    const stack = (this.deps.openStack ?? defaultStack)(uri.fsPath);
    return new TableDocument(uri, stack);
  }

  resolveCustomEditor(document: TableDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    webview.options = webviewOptions(this.extensionUri);
    webview.html = webviewHtml(webview, this.extensionUri, 'inspector', document.model.fileName);
    const subs: vscode.Disposable[] = [];
    let ready = false;
    const post = (m: InspectorHostMessage) => {
      if (ready) void webview.postMessage(m);
    };
    const announceGone = () => post({ type: 'tableGone', replacement: document.replacement() });
    subs.push(document.onDidDelete(announceGone));
    subs.push(webview.onDidReceiveMessage((raw: unknown) => {
      const msg = parseInspectorMessage(raw);
      if (!msg) {
        log.warn(`inspector: ignored a malformed message from the webview: ${safeJson(raw)}`);
        return;
      }
      switch (msg.type) {
        case 'ready':
          ready = true;
          post(document.model.initMessage());
          if (document.model.verifyDeferred) {
            // Let the first paint happen; verification of a big table reads every byte.
            setTimeout(() => post({ type: 'findings', findings: document.model.findings() }), 50);
          }
          document.checkExists();
          if (document.deleted) announceGone();
          return;
        case 'request':
          post(document.model.handle(msg));
          return;
        case 'openReplacement': {
          const r = document.replacement();
          if (r) void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(r.file), INSPECTOR_VIEW_TYPE);
          else void vscode.window.showInformationMessage('No table in the stack covers this table\'s update indexes any more.');
          return;
        }
        case 'copy':
          void vscode.env.clipboard.writeText(msg.text);
          return;
      }
    }));
    subs.push(panel.onDidChangeViewState(() => {
      if (panel.visible) document.checkExists();
    }));
    panel.onDidDispose(() => subs.forEach((d) => d.dispose()));
  }
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x).slice(0, 200);
  } catch {
    return String(x);
  }
}

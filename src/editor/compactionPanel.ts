/**
 * The compaction-state panel: one webview panel per repository showing each stack's layers,
 * the geometric rule and what auto-compaction would do next, with "Compact now" and "Pack all".
 * It reads the repository through the model (never the disk) and re-renders on its changes.
 */
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import type { CompactionResult, StackInfo } from '../model/source.js';
import { CompactionHostMessage, CompactionState, parseCompactionMessage } from '../shared/protocol.js';
import { compactionStack } from './compactionModel.js';
import { webviewHtml, webviewOptions } from './html.js';

export const COMPACTION_VIEW_TYPE = 'reftable.compaction';

/** The slice of a model Repository the panel needs (a `Repository` satisfies it as is). */
export interface CompactionRepository {
  readonly id: string;
  readonly label: string;
  readonly info: { hash: { name: 'sha1' | 'sha256' } };
  readonly source: { stacks(): StackInfo[] };
  readonly writer: { compact(mode: 'auto' | 'full', stack?: string): CompactionResult | Promise<CompactionResult> };
  readonly onDidChange: vscode.Event<unknown>;
}

export interface CompactionViewDeps {
  /** The repository a command argument stands for (or the active one / a pick when absent). */
  resolveRepository: (arg?: unknown) => CompactionRepository | undefined | Promise<CompactionRepository | undefined>;
  /** Geometric factor; default: configuration `reftable.geometricFactor` (2). */
  geometricFactor?: () => number;
}

export function configuredFactor(): number {
  const v = vscode.workspace.getConfiguration('reftable').get<number>('geometricFactor', 2);
  return Number.isInteger(v) && v >= 2 && v <= 256 ? v : 2;
}

export function describeResult(mode: 'auto' | 'full', r: CompactionResult): string {
  if (!r.merged) return mode === 'auto' ? 'Nothing to compact: the stack already satisfies the geometric rule.' : 'Nothing to pack: the stack has at most one table.';
  return `Merged tables ${r.merged.start}–${r.merged.end}: ${r.tablesBefore} → ${r.tablesAfter} tables, ${r.bytesBefore} → ${r.bytesAfter} bytes.`;
}

export class CompactionPanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private lastAction: CompactionState['lastAction'];
  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  constructor(extensionUri: vscode.Uri, private readonly repo: CompactionRepository, private readonly factor: () => number) {
    super();
    this.panel = vscode.window.createWebviewPanel(COMPACTION_VIEW_TYPE, `Compaction: ${repo.label}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'compaction', `Compaction: ${repo.label}`);
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this._register(repo.onDidChange(() => this.render()));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('reftable.geometricFactor')) this.render();
    }));
    this.panel.onDidDispose(() => {
      this._onDidDispose.fire();
      this.dispose();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  state(): CompactionState {
    const hash = this.repo.info.hash.name;
    const f = this.factor();
    return {
      repository: this.repo.label, hash, factor: f,
      stacks: this.repo.source.stacks().map((s) => compactionStack(s.id, s.dir, s.tables, hash, f)),
      readOnly: !vscode.workspace.isTrusted,
      lastAction: this.lastAction,
    };
  }

  private post(m: CompactionHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private render(): void {
    try {
      this.post({ type: 'state', state: this.state() });
    } catch (e) {
      log.error(e instanceof Error ? e : String(e));
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parseCompactionMessage(raw);
    if (!m) {
      log.warn('compaction panel: ignored a malformed message');
      return;
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.render();
        return;
      case 'refresh':
        this.render();
        return;
      case 'compact':
        // Writes are refused in untrusted workspaces, whatever a webview asks for.
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage('Compaction changes the repository: trust this workspace first.');
          return;
        }
        this.post({ type: 'busy', busy: true });
        try {
          const r = await this.repo.writer.compact(m.mode, m.stack);
          this.lastAction = { mode: m.mode, stack: m.stack, summary: describeResult(m.mode, r) };
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          this.lastAction = { mode: m.mode, stack: m.stack, summary: msg, error: true };
          void vscode.window.showErrorMessage(`Compaction failed: ${msg}`);
        } finally {
          this.post({ type: 'busy', busy: false });
          this.render();
        }
        return;
    }
  }

  override dispose(): void {
    super.dispose();
    this.panel.dispose();
  }
}

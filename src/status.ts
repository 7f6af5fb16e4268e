/**
 * Status bar item: the current branch as the reftable stack says (not the git extension) and
 * how many tables the stack has; clicking it shows the Tables view.
 */
import * as vscode from 'vscode';
import { Disposable } from './util/disposable.js';
import type { RepositoryModel } from './model/model.js';
import type { Repository } from './model/repository.js';
import { shortId } from './views/format.js';

export const SHOW_TABLES_COMMAND = 'reftable.showTables';

export function statusText(repo: Repository): { text: string; tooltip: string } {
  let head = '?';
  let tables = 0;
  try {
    const h = repo.source.ref('HEAD');
    if (h?.type === 'symref') head = (h.target ?? '').replace(/^refs\/heads\//, '');
    else if (h?.oid) head = `${shortId(h.oid)} (detached)`;
    for (const s of repo.source.stackSummaries()) tables += s.tableNames.length;
  } catch {
    head = 'unreadable';
  }
  return {
    text: `$(git-branch) ${head} $(layers) ${tables}`,
    tooltip: `Reftable: ${repo.label} is on ${head}; ${tables} table${tables === 1 ? '' : 's'} in its stack${tables === 1 ? '' : 's'}. Click to show the tables.`,
  };
}

export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('reftable.status', vscode.StatusBarAlignment.Left, 10));

  constructor(private readonly model: RepositoryModel) {
    super();
    this.item.name = 'Reftable';
    this.item.command = SHOW_TABLES_COMMAND;
    this._register(model.onDidChange(() => this.update()));
    this._register(model.onDidChangeRepositories(() => this.update()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  /** The repository of the active editor, else the first one. */
  current(): Repository | undefined {
    const file = vscode.window.activeTextEditor?.document.uri;
    return (file?.scheme === 'file' ? this.model.repositoryFor(file.fsPath) : undefined) ?? this.model.repositories[0];
  }

  update(): void {
    const repo = this.current();
    if (!repo) {
      this.item.hide();
      return;
    }
    const { text, tooltip } = statusText(repo);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }
}

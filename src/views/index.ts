/** Creates the three tree views and wires them: Refs selection drives the Reflog view. */
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { RefEntry } from '../model/source.js';
import { ContextKey, ViewId } from './contextValues.js';
import { TreeNode } from './node.js';
import { ReflogTreeProvider } from './reflog.js';
import { RefNode, RefsTreeProvider, WorktreeHeadNode } from './refs.js';
import { TablesTreeProvider } from './tables.js';

/** Context keys drive `when` clauses only: a failure to set one is logged, never thrown. */
function setContext(key: string, value: unknown): void {
  Promise.resolve()
    .then(() => vscode.commands.executeCommand('setContext', key, value))
    .catch((e) => log.warn(`setContext ${key} failed: ${(e as Error)?.message ?? String(e)}`));
}

export class Views extends Disposable {
  readonly refs: RefsTreeProvider;
  readonly reflog: ReflogTreeProvider;
  readonly tables: TablesTreeProvider;
  readonly refsView: vscode.TreeView<TreeNode>;
  readonly reflogView: vscode.TreeView<TreeNode>;
  readonly tablesView: vscode.TreeView<TreeNode>;

  constructor(private readonly model: RepositoryModel) {
    super();
    this.refs = this._register(new RefsTreeProvider(model));
    this.reflog = this._register(new ReflogTreeProvider(model));
    this.tables = this._register(new TablesTreeProvider(model));
    this.refsView = this._register(vscode.window.createTreeView(ViewId.Refs, { treeDataProvider: this.refs, showCollapseAll: true }));
    this.reflogView = this._register(vscode.window.createTreeView(ViewId.Reflog, { treeDataProvider: this.reflog }));
    this.tablesView = this._register(vscode.window.createTreeView(ViewId.Tables, { treeDataProvider: this.tables }));

    this._register(this.refsView.onDidChangeSelection((e) => {
      const n = e.selection[0];
      if (n instanceof RefNode || n instanceof WorktreeHeadNode) this.reflog.follow({ repo: n.repo, name: n.ref.name });
    }));
    this._register(this.reflog.onDidChangeFollowed((f) => {
      this.reflogView.description = f ? (model.repositories.length > 1 ? `${f.repo.label} · ${f.name}` : f.name) : undefined;
    }));
    this._register(model.onDidChangeRepositories(() => this.updateContext()));
    this.updateContext();
  }

  /** Context keys behind `viewsWelcome`: no repository, or only files-backend ones. */
  private updateContext(): void {
    const has = this.model.repositories.length > 0;
    setContext(ContextKey.HasRepository, has);
    setContext(ContextKey.FilesBackend, !has && this.model.filesBackendRepositories.length > 0);
    const f = this.reflog.followed;
    this.reflogView.description = f?.name;
  }

  /** Select `ref` in the Refs view (loading pages or pinning it as needed) and show its reflog. */
  async revealRef(repo: Repository, ref: RefEntry): Promise<void> {
    this.reflog.follow({ repo, name: ref.name });
    const node = await this.refs.nodeFor(repo, ref);
    if (node) {
      this.refs.changed(node.parent ?? node);
      await this.refsView.reveal(node, { select: true, focus: true, expand: true });
    }
  }
}

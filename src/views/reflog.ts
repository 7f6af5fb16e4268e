/**
 * The Reflog view follows the ref selected in the Refs view (HEAD until something is
 * selected): entries newest first, in pages; then a "Recoverable" group of deleted refs whose
 * value an older table still holds (until a full compaction drops it).
 */
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { LogEntry, ShadowedRef } from '../model/source.js';
import { ContextValue } from './contextValues.js';
import { formatTime, isZeroId, isoTime, md, pageSize, shortId } from './format.js';
import { MessageNode, Pageable, ShowMoreNode, TreeNode } from './node.js';

export interface FollowedRef {
  repo: Repository;
  name: string;
}

export class ReflogEntryNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, readonly repo: Repository, readonly refName: string, readonly entry: LogEntry, readonly position: number) {
    super(parent);
    this.id = `${repo.id}|log|${refName}|${entry.updateIndex}`;
  }
  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const message = e.message.replace(/\n+$/, '') || '(no message)';
    const item = new vscode.TreeItem(message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const move = `${isZeroId(e.old) ? '∅' : shortId(e.old)} → ${isZeroId(e.new) ? '∅' : shortId(e.new)}`;
    item.description = `${formatTime(e.committer.time, e.committer.tz)} · ${e.committer.name} · ${move}`;
    const t = new vscode.MarkdownString('', true);
    t.appendMarkdown(`**${md(this.refName)}@{${this.position}}** — ${md(message)}\n\n`);
    t.appendMarkdown(`old \`${e.old}\`\n\nnew \`${e.new}\`\n\n`);
    t.appendMarkdown(`${md(e.committer.name)} <${md(e.committer.email)}> · ${isoTime(e.committer.time, e.committer.tz)}\n\n`);
    t.appendMarkdown(`update index ${e.updateIndex} · table \`${e.table}\``);
    item.tooltip = t;
    item.iconPath = new vscode.ThemeIcon(isZeroId(e.new) ? 'trash' : isZeroId(e.old) ? 'add' : 'history');
    item.contextValue = ContextValue.ReflogEntry;
    return item;
  }
}

export class RecoverableNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode, readonly repo: Repository, readonly shadowed: ShadowedRef) {
    super(parent);
    this.id = `${repo.id}|recoverable|${shadowed.stack}|${shadowed.name}`;
  }
  getTreeItem(): vscode.TreeItem {
    const s = this.shadowed;
    const item = new vscode.TreeItem(s.name.replace(/^refs\/heads\//, ''), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${shortId(s.oid)} · in ${s.table}`;
    item.tooltip = new vscode.MarkdownString(
      `**${md(s.name)}** was deleted; table \`${s.table}\` still holds \`${s.oid}\` (update index ${s.updateIndex}).\n\n` +
        'It can be restored until the next full compaction (Pack Refs) drops it.',
    );
    item.iconPath = new vscode.ThemeIcon('discard');
    item.contextValue = ContextValue.Recoverable;
    return item;
  }
}

class RecoverableGroupNode extends TreeNode {
  readonly id: string;
  constructor(readonly repo: Repository) {
    super(undefined);
    this.id = `${repo.id}|recoverable`;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Recoverable', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = 'deleted refs still in older tables';
    item.iconPath = new vscode.ThemeIcon('archive');
    item.contextValue = ContextValue.RecoverableGroup;
    return item;
  }
  override getChildren(): TreeNode[] {
    // Collapsed by default: this walks every record including tombstones, so only on demand.
    try {
      const list = this.repo.source.shadowedRefs();
      if (list.length === 0) return [new MessageNode(this, `${this.id}|none`, 'No deleted refs left in the tables')];
      return list.map((s) => new RecoverableNode(this, this.repo, s));
    } catch (e) {
      log.error(`listing deleted refs failed: ${(e as Error).message}`);
      return [new MessageNode(this, `${this.id}|error`, `Cannot list deleted refs: ${(e as Error).message}`, 'error')];
    }
  }
}

export class ReflogTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode>, Pageable {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly _onDidChangeFollowed = this._register(new vscode.EventEmitter<FollowedRef | undefined>());
  readonly onDidChangeFollowed = this._onDidChangeFollowed.event;
  readonly id = 'reftable.reflog';
  private explicit: FollowedRef | undefined;
  private shown = 0;

  constructor(private readonly model: RepositoryModel) {
    super();
    this._register(model.onDidChange((r) => {
      if (r === this.followed?.repo) this._onDidChangeTreeData.fire(undefined);
    }));
    this._register(model.onDidChangeRepositories(() => {
      if (this.explicit && !model.repositories.includes(this.explicit.repo)) this.explicit = undefined;
      this.changed();
    }));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('reftable.dateFormat') || e.affectsConfiguration('reftable.pageSize')) this._onDidChangeTreeData.fire(undefined);
    }));
  }

  /** The ref shown: the one selected last, else the first repository's HEAD. */
  get followed(): FollowedRef | undefined {
    if (this.explicit) return this.explicit;
    const repo = this.model.repositories[0];
    return repo ? { repo, name: 'HEAD' } : undefined;
  }

  follow(ref: FollowedRef | undefined): void {
    if (ref && this.explicit && ref.repo === this.explicit.repo && ref.name === this.explicit.name) return;
    this.explicit = ref;
    this.changed();
  }

  private changed(): void {
    this.shown = 0;
    this._onDidChangeFollowed.fire(this.followed);
    this._onDidChangeTreeData.fire(undefined);
  }

  async loadMore(): Promise<void> {
    this.shown += pageSize();
    this._onDidChangeTreeData.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) return node.getChildren();
    const f = this.followed;
    if (!f) return [];
    const limit = Math.max(this.shown, pageSize());
    const out: TreeNode[] = [];
    let more = false;
    try {
      let i = 0;
      for (const e of f.repo.source.reflog(f.name)) {
        if (i >= limit) {
          more = true;
          break;
        }
        out.push(new ReflogEntryNode(undefined, f.repo, f.name, e, i));
        i++;
      }
      this.shown = limit;
    } catch (e) {
      out.push(new MessageNode(undefined, `${f.repo.id}|log|error`, `Cannot read the reflog of ${f.name}: ${(e as Error).message}`, 'error'));
    }
    if (out.length === 0) out.push(new MessageNode(undefined, `${f.repo.id}|log|${f.name}|empty`, `${f.name} has no reflog`));
    if (more) out.push(new ShowMoreNode(undefined, this));
    out.push(new RecoverableGroupNode(f.repo));
    return out;
  }
}

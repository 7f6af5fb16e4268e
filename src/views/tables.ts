/**
 * The Tables view: each stack's layers newest first, with a first node saying whether git's
 * auto-compaction would merge anything and what. Clicking a table opens it in the inspector.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { compactionSize, suggestCompaction } from '../engine/compact.js';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { StackInfo, TableInfo } from '../model/source.js';
import { ContextValue } from './contextValues.js';
import { formatBytes, md } from './format.js';
import { MessageNode, TreeNode } from './node.js';

export const OPEN_TABLE_COMMAND = 'reftable.openTableInspector';

export class TableNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, readonly repo: Repository, readonly stack: StackInfo, readonly table: TableInfo, readonly position: number) {
    super(parent);
    this.id = `${repo.id}|table|${stack.id}|${table.name}`;
  }
  get uri(): vscode.Uri {
    return vscode.Uri.file(path.join(this.stack.dir, this.table.name));
  }
  getTreeItem(): vscode.TreeItem {
    const t = this.table;
    const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const range = t.minUpdateIndex === t.maxUpdateIndex ? `#${t.minUpdateIndex}` : `#${t.minUpdateIndex}–${t.maxUpdateIndex}`;
    item.description = `${range} · ${formatBytes(t.size)} · ${t.refCount} refs · ${t.logCount} logs`;
    const tip = new vscode.MarkdownString('', true);
    tip.appendMarkdown(`**${md(t.name)}** (layer ${this.position} of stack \`${md(this.stack.id)}\`)\n\n`);
    tip.appendMarkdown(`update indexes ${t.minUpdateIndex}–${t.maxUpdateIndex} · ${t.size} bytes\n\n`);
    tip.appendMarkdown(`refs ${t.refCount} (${t.refTombstones} tombstones) · logs ${t.logCount} (${t.logTombstones} tombstones) · obj ${t.objCount}\n\n`);
    tip.appendMarkdown(`blocks: ref ${t.blocks.ref}, log ${t.blocks.log}, obj ${t.blocks.obj}, index ${t.blocks.index}`);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon('database');
    item.resourceUri = this.uri;
    item.contextValue = ContextValue.Table;
    item.command = { command: OPEN_TABLE_COMMAND, title: 'Open Table Inspector', arguments: [this] };
    return item;
  }
}

/** Says what auto-compaction would do now, in git's own terms. */
export class CompactionHintNode extends TreeNode {
  readonly id: string;
  readonly segment: { start: number; end: number } | undefined;
  constructor(parent: TreeNode | undefined, readonly repo: Repository, readonly stack: StackInfo) {
    super(parent);
    this.id = `${repo.id}|compaction|${stack.id}`;
    this.segment = suggestCompaction(stack.tables.map((t) => Math.max(0, compactionSize(t.size, repo.info.hash))), geometricFactor(repo));
  }
  getTreeItem(): vscode.TreeItem {
    const tables = this.stack.tables;
    let label: string;
    let tip: string;
    if (this.segment) {
      const n = this.segment.end - this.segment.start + 1;
      const names = tables.slice(this.segment.start, this.segment.end + 1).map((t) => t.name);
      label = `Auto-compaction would merge ${n} of ${tables.length} tables`;
      tip = `The newest tables do not shrink geometrically, so the next write (or "Compact If Needed") merges:\n\n${names.map((x) => `- \`${x}\``).join('\n')}`;
    } else {
      label = tables.length <= 1 ? `${tables.length} table: nothing to compact` : `${tables.length} tables: auto-compaction has nothing to merge`;
      tip = 'Each table is at least twice the size of the next newer one, so git leaves the stack as it is.';
    }
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.tooltip = new vscode.MarkdownString(tip);
    item.iconPath = new vscode.ThemeIcon(this.segment ? 'fold' : 'check');
    item.contextValue = this.segment ? ContextValue.CompactionHintNeeded : ContextValue.CompactionHint;
    return item;
  }
}

/** git's reftable.geometricFactor from the repository config, else the editor setting, else 2. */
function geometricFactor(repo: Repository): number {
  const raw = repo.info.config.get('reftable.geometricfactor')?.at(-1) ?? vscode.workspace.getConfiguration('reftable').get<number>('geometricFactor', 2);
  const n = Number(raw);
  return Number.isInteger(n) && n >= 2 && n <= 256 ? n : 2;
}

export class StackNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, readonly repo: Repository, readonly stack: StackInfo) {
    super(parent);
    this.id = `${repo.id}|stack|${stack.id}`;
  }
  getTreeItem(): vscode.TreeItem {
    const label = this.stack.id === 'main' ? 'main stack' : `worktree ${this.stack.id}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    const bytes = this.stack.tables.reduce((a, t) => a + t.size, 0);
    item.description = `${this.stack.tables.length} tables · ${formatBytes(bytes)}`;
    item.tooltip = this.stack.dir;
    item.iconPath = new vscode.ThemeIcon('layers');
    item.contextValue = ContextValue.Stack;
    return item;
  }
  override getChildren(): TreeNode[] {
    return stackChildren(this, this.repo, this.stack);
  }
}

function stackChildren(parent: TreeNode | undefined, repo: Repository, stack: StackInfo): TreeNode[] {
  const out: TreeNode[] = [new CompactionHintNode(parent, repo, stack)];
  // Newest first: the layer that wins is on top, as in the merged view.
  for (let i = stack.tables.length - 1; i >= 0; i--) out.push(new TableNode(parent, repo, stack, stack.tables[i], i));
  return out;
}

class RepoTablesNode extends TreeNode {
  readonly id: string;
  constructor(readonly repo: Repository) {
    super(undefined);
    this.id = `${repo.id}|tables`;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.repo.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('repo');
    item.contextValue = ContextValue.Repository;
    return item;
  }
  override getChildren(): TreeNode[] {
    return repoChildren(this, this.repo);
  }
}

function repoChildren(parent: TreeNode | undefined, repo: Repository): TreeNode[] {
  let stacks: StackInfo[];
  try {
    stacks = repo.source.stacks();
  } catch (e) {
    return [new MessageNode(parent, `${repo.id}|tables|error`, `Cannot read the stack: ${(e as Error).message}`, 'error')];
  }
  if (stacks.length === 1) return stackChildren(parent, repo, stacks[0]);
  return stacks.map((s) => new StackNode(parent, repo, s));
}

export class TablesTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly model: RepositoryModel) {
    super();
    this._register(model.onDidChangeRepositories(() => this._onDidChangeTreeData.fire(undefined)));
    this._register(model.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
    // The auto-compaction hint depends on the factor: re-render when the setting changes.
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('reftable.geometricFactor')) this._onDidChangeTreeData.fire(undefined);
    }));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) return node.getChildren();
    const repos = this.model.repositories;
    if (repos.length === 1) return repoChildren(undefined, repos[0]);
    return repos.map((r) => new RepoTablesNode(r));
  }
}

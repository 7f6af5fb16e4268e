/** Tree node base: every node knows its id, parent and how to render itself. */
import * as vscode from 'vscode';
import { ContextValue } from './contextValues.js';

export abstract class TreeNode {
  abstract readonly id: string;
  constructor(readonly parent: TreeNode | undefined) {}
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }
}

/** A node that loads children in pages; "Show more…" asks it for the next one. */
export interface Pageable {
  readonly id: string;
  loadMore(): Promise<void>;
}

export const SHOW_MORE_COMMAND = 'reftable.showMore';

export class ShowMoreNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, readonly owner: Pageable, private readonly hint?: string) {
    super(parent);
    this.id = `${owner.id}|more`;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Show more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.hint;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = ContextValue.ShowMore;
    item.command = { command: SHOW_MORE_COMMAND, title: 'Show more', arguments: [this] };
    return item;
  }
}

export class MessageNode extends TreeNode {
  constructor(parent: TreeNode | undefined, readonly id: string, private readonly text: string, private readonly icon = 'info', private readonly tooltip?: string) {
    super(parent);
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.tooltip = this.tooltip ?? this.text;
    item.contextValue = ContextValue.Message;
    return item;
  }
}

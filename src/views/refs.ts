/**
 * The Refs view: repository → groups (HEAD and root refs, Branches, Remotes, Tags, Other
 * namespaces) → folders split on '/' → refs. Folders list lazily through `listFolder`, one page
 * at a time, so opening a namespace of a million refs reads a page, not the namespace.
 */
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import { ListingCancelled, listFolder } from '../model/listing.js';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { RefEntry, WorktreeInfo } from '../model/source.js';
import { ContextValue } from './contextValues.js';
import { md, pageSize, shortId } from './format.js';
import { MessageNode, Pageable, ShowMoreNode, TreeNode } from './node.js';

export type GroupKind = 'root' | 'heads' | 'remotes' | 'tags' | 'other';

interface GroupSpec {
  kind: GroupKind;
  label: string;
  prefix: string;
  icon: string;
  excludeFolder?: (prefix: string) => boolean;
}

const STANDARD = new Set(['refs/heads/', 'refs/remotes/', 'refs/tags/']);
export const GROUPS: readonly GroupSpec[] = [
  // Root refs never contain '/', so every folder (refs/…) is left out of this group.
  { kind: 'root', label: 'HEAD and root refs', prefix: '', icon: 'target', excludeFolder: () => true },
  { kind: 'heads', label: 'Branches', prefix: 'refs/heads/', icon: 'git-branch' },
  { kind: 'remotes', label: 'Remotes', prefix: 'refs/remotes/', icon: 'cloud' },
  { kind: 'tags', label: 'Tags', prefix: 'refs/tags/', icon: 'tag' },
  { kind: 'other', label: 'Other namespaces', prefix: 'refs/', icon: 'symbol-namespace', excludeFolder: (p) => STANDARD.has(p) },
];

/** Which group a full ref name belongs to. */
export function groupOf(name: string): GroupKind {
  if (!name.startsWith('refs/')) return 'root';
  for (const g of GROUPS) if (g.kind !== 'root' && g.kind !== 'other' && name.startsWith(g.prefix)) return g.kind;
  return 'other';
}

const NAMESPACE_ICONS: Record<string, string> = {
  notes: 'note', stash: 'archive', pull: 'git-pull-request', 'merge-requests': 'git-pull-request',
  changes: 'git-pull-request', bisect: 'debug-alt', worktree: 'list-tree', prefetch: 'cloud-download',
};

export function refIcon(ref: RefEntry, kind: GroupKind): string {
  if (ref.type === 'symref') return 'link';
  switch (kind) {
    case 'root': return ref.name === 'HEAD' ? 'target' : 'symbol-constant';
    case 'heads': return 'git-branch';
    case 'remotes': return 'cloud';
    case 'tags': return 'tag';
    default: return NAMESPACE_ICONS[ref.name.split('/')[1] ?? ''] ?? 'symbol-reference';
  }
}

export function refContextValue(ref: RefEntry, kind: GroupKind): string {
  if (ref.type === 'symref') return ContextValue.Symref;
  switch (kind) {
    case 'root': return ContextValue.RootRef;
    case 'heads': return ContextValue.Branch;
    case 'remotes': return ContextValue.RemoteBranch;
    case 'tags': return ContextValue.Tag;
    default: return ContextValue.OtherRef;
  }
}

export function refDescription(ref: RefEntry): string {
  if (ref.type === 'symref') return `→ ${ref.target ?? '?'}`;
  if (ref.type === 'peeled') return `${shortId(ref.oid)} ^{} ${shortId(ref.peeled)}`;
  return shortId(ref.oid);
}

export function refTooltip(ref: RefEntry, resolved?: string): vscode.MarkdownString {
  const t = new vscode.MarkdownString('', true);
  t.appendMarkdown(`**${md(ref.name)}**\n\n`);
  if (ref.type === 'symref') {
    t.appendMarkdown(`$(link) symbolic ref → \`${ref.target}\`\n\n`);
    if (resolved) t.appendMarkdown(`resolves to \`${resolved}\`\n\n`);
  } else {
    t.appendMarkdown(`id \`${ref.oid}\`\n\n`);
    if (ref.peeled) t.appendMarkdown(`peeled (annotated tag) \`${ref.peeled}\`\n\n`);
  }
  t.appendMarkdown(`update index ${ref.updateIndex} · table \`${ref.table}\``);
  if (ref.stack !== 'main') t.appendMarkdown(` · worktree \`${md(ref.stack)}\``);
  return t;
}

/** Per-repository node state that must survive tree refreshes (pages loaded, pinned refs). */
class RepoTree {
  readonly containers = new Map<string, ContainerNode>();
  readonly groups: GroupNode[];
  constructor(readonly repo: Repository, parent: TreeNode | undefined) {
    this.groups = GROUPS.map((g) => new GroupNode(this, parent, g));
  }
}

export class RepositoryNode extends TreeNode {
  readonly id: string;
  readonly tree: RepoTree;
  constructor(readonly repo: Repository) {
    super(undefined);
    this.id = `${repo.id}|repo`;
    this.tree = new RepoTree(repo, this);
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.repo.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.description = this.repo.info.bare ? 'bare' : undefined;
    item.tooltip = this.repo.info.workTree ?? this.repo.info.commonDir;
    item.iconPath = new vscode.ThemeIcon('repo');
    item.contextValue = ContextValue.Repository;
    return item;
  }
  override getChildren(): TreeNode[] {
    return this.tree.groups;
  }
}

abstract class ContainerNode extends TreeNode implements Pageable {
  protected items: TreeNode[] = [];
  protected next: string | undefined;
  private loadedGeneration = -1;
  private loading: Promise<void> | undefined;
  /** Refs asked for by "Go to Ref" that lie beyond the loaded pages. */
  private readonly pinned = new Map<string, RefEntry>();
  private error: string | undefined;

  constructor(readonly tree: RepoTree, parent: TreeNode | undefined, readonly prefix: string, readonly kind: GroupKind, private readonly excludeFolder?: (p: string) => boolean) {
    super(parent);
  }

  get repo(): Repository {
    return this.tree.repo;
  }

  override async getChildren(): Promise<TreeNode[]> {
    if (this.loadedGeneration !== this.repo.generation) await this.load();
    if (this.error !== undefined) return [new MessageNode(this, `${this.id}|error`, this.error, 'error')];
    const out = [...this.items];
    for (const ref of this.pinned.values()) {
      if (!this.items.some((n) => n instanceof RefNode && n.ref.name === ref.name)) out.push(new RefNode(this, ref, this.kind, ref.name.slice(this.prefix.length)));
    }
    out.push(...this.extra());
    if (this.next !== undefined) out.push(new ShowMoreNode(this, this, `from ${this.next.slice(this.prefix.length)}`));
    return out;
  }

  /** Children appended after the listing (worktree HEADs in the root group). */
  protected extra(): TreeNode[] {
    return [];
  }

  private load(): Promise<void> {
    // One load at a time; a refresh during a long load waits for it and reloads after.
    this.loading ??= (async () => {
      try {
        for (;;) {
          const gen = this.repo.generation;
          const keep = this.items.filter((n) => !(n instanceof ShowMoreNode)).length;
          try {
            const page = await listFolder(this.repo.source, this.prefix, {
              limit: Math.max(pageSize(), keep),
              excludeFolder: this.excludeFolder,
              cancelled: () => gen !== this.repo.generation,
            });
            this.items = page.items.map((c) => (c.kind === 'folder' ? this.folder(c.prefix, c.label) : new RefNode(this, c.ref, this.kind, c.label)));
            this.next = page.next;
            this.error = undefined;
            this.loadedGeneration = gen;
            return;
          } catch (e) {
            if (e instanceof ListingCancelled) continue;
            this.error = `Cannot list ${this.prefix || 'root refs'}: ${(e as Error).message}`;
            log.error(this.error);
            this.loadedGeneration = gen;
            return;
          }
        }
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private folder(prefix: string, label: string): FolderNode {
    const id = `${this.repo.id}|folder|${prefix}`;
    let f = this.tree.containers.get(id) as FolderNode | undefined;
    if (!f || f.parent !== this) {
      f = new FolderNode(this.tree, this, prefix, label, this.kind);
      this.tree.containers.set(id, f);
    }
    return f;
  }

  async loadMore(): Promise<void> {
    if (this.next === undefined) return;
    const gen = this.repo.generation;
    const page = await listFolder(this.repo.source, this.prefix, { from: this.next, limit: pageSize(), excludeFolder: this.excludeFolder });
    if (gen !== this.repo.generation) return;
    this.items.push(...page.items.map((c) => (c.kind === 'folder' ? this.folder(c.prefix, c.label) : new RefNode(this, c.ref, this.kind, c.label))));
    this.next = page.next;
  }

  /** Make sure `ref` is a child (pinned when it lies beyond the loaded pages). */
  async ensureChild(ref: RefEntry): Promise<RefNode> {
    await this.getChildren();
    const hit = this.items.find((n): n is RefNode => n instanceof RefNode && n.ref.name === ref.name);
    if (hit) return hit;
    this.pinned.set(ref.name, ref);
    return new RefNode(this, ref, this.kind, ref.name.slice(this.prefix.length));
  }

  /** The folder child for `prefix`, created when beyond the loaded pages. */
  folderChild(prefix: string): FolderNode {
    const label = prefix.slice(this.prefix.length, -1);
    return this.folder(prefix, label);
  }

  /** Page count survives refreshes; a folder that is gone simply lists nothing. */
  loadedCount(): number {
    return this.items.length;
  }
}

export class GroupNode extends ContainerNode {
  readonly id: string;
  constructor(tree: RepoTree, parent: TreeNode | undefined, readonly spec: GroupSpec) {
    super(tree, parent, spec.prefix, spec.kind, spec.excludeFolder);
    this.id = `${tree.repo.id}|group|${spec.kind}`;
  }
  getTreeItem(): vscode.TreeItem {
    const expanded = this.spec.kind === 'root' || this.spec.kind === 'heads';
    const item = new vscode.TreeItem(this.spec.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.spec.icon);
    item.contextValue = `${ContextValue.Group}:${this.spec.kind}`;
    return item;
  }
  protected override extra(): TreeNode[] {
    if (this.spec.kind !== 'root') return [];
    let wts: WorktreeInfo[];
    try {
      wts = this.repo.source.worktrees();
    } catch (e) {
      log.warn(`cannot list worktrees: ${(e as Error).message}`);
      return [];
    }
    return wts.filter((w) => w.head).map((w) => new WorktreeHeadNode(this, w));
  }
}

export class FolderNode extends ContainerNode {
  readonly id: string;
  constructor(tree: RepoTree, parent: TreeNode, prefix: string, private readonly label: string, kind: GroupKind) {
    super(tree, parent, prefix, kind);
    this.id = `${tree.repo.id}|folder|${prefix}`;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.tooltip = this.prefix;
    item.iconPath = new vscode.ThemeIcon('folder');
    item.contextValue = ContextValue.Folder;
    return item;
  }
}

export class RefNode extends TreeNode {
  readonly id: string;
  constructor(parent: ContainerNode | GroupNode, readonly ref: RefEntry, readonly kind: GroupKind, readonly label: string) {
    super(parent);
    this.id = `${parent.repo.id}|ref|${ref.stack === 'main' || kind !== 'root' ? '' : ref.stack + '|'}${ref.name}`;
  }
  get repo(): Repository {
    return (this.parent as ContainerNode).repo;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = refDescription(this.ref);
    item.tooltip = refTooltip(this.ref, this.ref.type === 'symref' ? safeResolve(this.repo, this.ref.name) : undefined);
    item.iconPath = new vscode.ThemeIcon(refIcon(this.ref, this.kind));
    item.contextValue = refContextValue(this.ref, this.kind);
    item.accessibilityInformation = { label: `${this.ref.name} ${item.description}` };
    return item;
  }
}

/** A linked worktree's HEAD, read from that worktree's own stack. */
export class WorktreeHeadNode extends TreeNode {
  readonly id: string;
  readonly ref: RefEntry;
  constructor(parent: GroupNode, readonly worktree: WorktreeInfo) {
    super(parent);
    this.ref = { ...worktree.head!, name: `worktrees/${worktree.id}/HEAD` };
    this.id = `${parent.repo.id}|ref|worktrees/${worktree.id}/HEAD`;
  }
  get repo(): Repository {
    return (this.parent as GroupNode).repo;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`HEAD (${this.worktree.id})`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = refDescription(this.ref);
    const tip = refTooltip(this.ref);
    if (this.worktree.workTree) tip.appendMarkdown(`\n\nworktree at \`${this.worktree.workTree}\``);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon('list-tree');
    item.contextValue = ContextValue.WorktreeHead;
    return item;
  }
}

function safeResolve(repo: Repository, name: string): string | undefined {
  try {
    return repo.source.resolve(name);
  } catch {
    return undefined;
  }
}

export class RefsTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private roots = new Map<string, RepositoryNode>();

  constructor(private readonly model: RepositoryModel) {
    super();
    this._register(model.onDidChangeRepositories(() => this.refresh()));
    this._register(model.onDidChange((repo) => this._onDidChangeTreeData.fire(this.single() ? undefined : this.roots.get(repo.id))));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('reftable.pageSize') || e.affectsConfiguration('reftable.dateFormat')) this.refresh();
    }));
  }

  private single(): boolean {
    return this.model.repositories.length <= 1;
  }

  refresh(): void {
    const next = new Map<string, RepositoryNode>();
    for (const r of this.model.repositories) next.set(r.id, this.roots.get(r.id)?.repo === r ? this.roots.get(r.id)! : new RepositoryNode(r));
    this.roots = next;
    this._onDidChangeTreeData.fire(undefined);
  }

  /** Re-render one container after "Show more…" loaded a page. */
  changed(node: TreeNode): void {
    this._onDidChangeTreeData.fire(node);
  }

  rootNode(repo: Repository): RepositoryNode {
    let n = this.roots.get(repo.id);
    if (!n || n.repo !== repo) {
      n = new RepositoryNode(repo);
      this.roots.set(repo.id, n);
    }
    return n;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) return node.getChildren();
    const repos = this.model.repositories;
    if (repos.length === 1) return this.rootNode(repos[0]).getChildren();
    return repos.map((r) => this.rootNode(r));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    // With one repository its groups are the roots.
    if (node.parent instanceof RepositoryNode && this.single()) return undefined;
    return node.parent;
  }

  /** The node for `ref`, creating folder nodes and pinning it beyond loaded pages as needed (for reveal). */
  async nodeFor(repo: Repository, ref: RefEntry): Promise<TreeNode | undefined> {
    const tree = this.rootNode(repo).tree;
    if (ref.name.startsWith('worktrees/')) {
      const root = tree.groups.find((g) => g.spec.kind === 'root')!;
      const kids = await root.getChildren();
      return kids.find((k) => k instanceof WorktreeHeadNode && k.ref.name === ref.name);
    }
    const kind = groupOf(ref.name);
    let container: ContainerNode = tree.groups.find((g) => g.spec.kind === kind)!;
    const rest = ref.name.slice(container.prefix.length);
    const parts = rest.split('/');
    let prefix = container.prefix;
    for (let i = 0; i < parts.length - 1; i++) {
      prefix += parts[i] + '/';
      await container.getChildren();
      container = container.folderChild(prefix);
    }
    return container.ensureChild(ref);
  }
}

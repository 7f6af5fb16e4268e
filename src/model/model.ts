/**
 * Owns every open repository of the workspace (multi-root folders, nested and bare
 * repositories, linked worktrees folded into their common dir). Views and commands only talk
 * to this model; it is the only place that watches files.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log } from '../log.js';
import { Repository, RepositoryOptions, isInside } from './repository.js';
import type { RepositoryInfo, StoreBackend } from './source.js';

export interface ModelOptions extends RepositoryOptions {
  /** How deep below each workspace folder to look for nested repositories. */
  searchDepth?: number;
}

export class RepositoryModel extends Disposable {
  private readonly repos = new Map<string, Repository>();
  /** Repositories seen with the files backend: drives the "not reftable" welcome text. */
  private filesBackend: RepositoryInfo[] = [];
  private readonly _onDidChangeRepositories = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeRepositories = this._onDidChangeRepositories.event;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<Repository>());
  /** Any repository's stack changed. */
  readonly onDidChange = this._onDidChange.event;
  private scanning: Promise<void> | undefined;
  private rescanWanted = false;

  constructor(private readonly backend: StoreBackend, private readonly opts: ModelOptions = {}) {
    super();
    this._register({
      dispose: () => {
        for (const r of this.repos.values()) r.dispose();
        this.repos.clear();
      },
    });
  }

  get repositories(): Repository[] {
    return [...this.repos.values()].sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
  }

  get filesBackendRepositories(): readonly RepositoryInfo[] {
    return this.filesBackend;
  }

  get(id: string): Repository | undefined {
    return this.repos.get(id);
  }

  /** The repository holding `p` (a file, a work tree, a git dir); the innermost wins. */
  repositoryFor(p: string): Repository | undefined {
    let best: Repository | undefined;
    let bestLen = -1;
    for (const r of this.repos.values()) {
      if (!r.contains(p)) continue;
      const root = r.info.workTree ?? r.info.commonDir;
      if (root.length > bestLen) {
        best = r;
        bestLen = root.length;
      }
    }
    return best;
  }

  /** A change reported by the backup watcher (VS Code's): route it to the owning repository. */
  onTablesListChanged(file: string): void {
    const dir = path.resolve(path.dirname(file));
    for (const r of this.repos.values()) {
      if (r.watchedDirs().some((d) => d === dir || isInside(dir, d))) r.onFileEvent();
    }
  }

  /**
   * Find repositories for these folders, open the new ones and close the ones no folder holds
   * any more. Overlapping calls are serialised; the last one wins.
   */
  async scan(folders: readonly string[]): Promise<void> {
    this.pendingFolders = folders;
    if (this.scanning) {
      this.rescanWanted = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.rescanWanted = false;
          await this.scanOnce(this.pendingFolders);
        } while (this.rescanWanted);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private pendingFolders: readonly string[] = [];

  private async scanOnce(folders: readonly string[]): Promise<void> {
    const found = new Map<string, RepositoryInfo>();
    const files: RepositoryInfo[] = [];
    const add = (info: RepositoryInfo | undefined) => {
      if (!info) return;
      const key = path.resolve(info.commonDir);
      if (info.refStorage !== 'reftable') {
        if (!files.some((f) => path.resolve(f.commonDir) === key)) files.push(info);
        return;
      }
      // Prefer the main worktree's view when both it and a linked worktree are open.
      const prev = found.get(key);
      if (!prev || (prev.worktreeId !== undefined && info.worktreeId === undefined)) found.set(key, info);
    };
    for (const folder of folders) {
      try {
        add(this.backend.discover(folder));
      } catch (e) {
        log.debug(`no repository at ${folder}: ${(e as Error).message}`);
      }
      try {
        for (const info of await this.backend.find(folder, this.opts.searchDepth ?? 3)) add(info);
      } catch (e) {
        log.warn(`searching ${folder} for repositories failed: ${(e as Error).message}`);
      }
    }
    let changed = false;
    for (const [id, repo] of this.repos) {
      if (!found.has(id)) {
        this.repos.delete(id);
        repo.dispose();
        changed = true;
      }
    }
    for (const [id, info] of found) {
      if (this.repos.has(id)) continue;
      try {
        const repo = new Repository(this.backend.open(info), this.opts);
        repo.onDidChange((r) => this._onDidChange.fire(r));
        this.repos.set(id, repo);
        log.info(`opened reftable repository ${id}`);
        changed = true;
      } catch (e) {
        log.error(`cannot open ${id}: ${(e as Error).message}`);
      }
    }
    const filesChanged = files.length !== this.filesBackend.length;
    this.filesBackend = files;
    if (changed || filesChanged) this._onDidChangeRepositories.fire();
  }
}

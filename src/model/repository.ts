/**
 * One open reftable repository: its read source, its writer, and a watcher per stack. File
 * events are debounced into a reload; listeners hear about it only when the stack really
 * changed, so views re-render only after a change by git or by us.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable, IDisposable } from '../util/disposable.js';
import { log } from '../log.js';
import type { OpenedRepository, RefSource, RefWriter, RepositoryInfo } from './source.js';
import { WatchFactory, debounce, watchStackDir } from './watch.js';

export const RELOAD_DEBOUNCE_MS = 150;

export interface RepositoryOptions {
  debounceMs?: number;
  watch?: WatchFactory;
}

export class Repository extends Disposable {
  /** Stable key: the common dir (worktrees of one repository share it). */
  readonly id: string;
  readonly source: RefSource;
  readonly writer: RefWriter;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<Repository>());
  /** Fires after a reload found a different stack. */
  readonly onDidChange = this._onDidChange.event;
  private readonly watchers = new Map<string, IDisposable>();
  private readonly scheduled: ReturnType<typeof debounce>;
  private readonly watch: WatchFactory;
  /** Bumped on every observed change; lazily built tree pages compare it to know they are stale. */
  generation = 0;

  constructor(opened: OpenedRepository, opts: RepositoryOptions = {}) {
    super();
    this.source = opened.source;
    this.writer = opened.writer;
    this.id = path.resolve(this.source.info.commonDir);
    this.watch = opts.watch ?? watchStackDir;
    this.scheduled = debounce(() => this.reloadNow(), opts.debounceMs ?? RELOAD_DEBOUNCE_MS);
    this._register({ dispose: () => this.scheduled.cancel() });
    this._register({
      dispose: () => {
        for (const w of this.watchers.values()) w.dispose();
        this.watchers.clear();
        this.source.close();
      },
    });
    this.syncWatchers();
  }

  get info(): RepositoryInfo {
    return this.source.info;
  }

  /** Short human name: the work tree's folder, or the bare repository's directory. */
  get label(): string {
    const info = this.info;
    return path.basename(info.workTree ?? info.commonDir.replace(/[\\/]\.git[\\/]?$/, ''));
  }

  /** Called by any watcher (ours or VS Code's): coalesced into one reload. */
  onFileEvent(): void {
    if (!this.isDisposed) this.scheduled();
  }

  /** After our own writes: reload at once instead of waiting for the watcher. */
  refresh(): void {
    this.scheduled.cancel();
    this.reloadNow(true);
  }

  /** The stack directories this repository watches (for tests and the backup watcher). */
  watchedDirs(): string[] {
    return [...this.watchers.keys()];
  }

  private reloadNow(force = false): void {
    if (this.isDisposed) return;
    let changed: boolean;
    try {
      changed = this.source.reload();
    } catch (e) {
      // A half-written stack (git mid-commit on a slow disk) heals on the next event.
      log.warn(`reload of ${this.id} failed: ${(e as Error).message}`);
      return;
    }
    if (changed) this.syncWatchers();
    if (changed || force) {
      this.generation++;
      log.trace(`reloaded ${this.id}${changed ? '' : ' (unchanged)'}`);
      this._onDidChange.fire(this);
    }
  }

  /** Worktrees come and go; keep exactly one watcher per existing stack. */
  private syncWatchers(): void {
    let dirs: string[];
    try {
      dirs = this.source.stackSummaries().map((s) => path.resolve(s.dir));
    } catch (e) {
      log.warn(`cannot list stacks of ${this.id}: ${(e as Error).message}`);
      return;
    }
    const want = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!want.has(dir)) {
        w.dispose();
        this.watchers.delete(dir);
      }
    }
    for (const dir of want) {
      if (!this.watchers.has(dir)) this.watchers.set(dir, this.watch(dir, () => this.onFileEvent()));
    }
  }

  /** True when `p` lies inside this repository's work tree, git dir or a worktree. */
  contains(p: string): boolean {
    const abs = path.resolve(p);
    const roots = [this.info.workTree, this.info.commonDir, this.info.gitDir];
    for (const wt of safe(() => this.source.worktrees(), [])) roots.push(wt.workTree, wt.gitDir);
    return roots.some((r) => r !== undefined && isInside(abs, path.resolve(r)));
  }
}

export function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

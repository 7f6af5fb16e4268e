/**
 * What the extension needs from the store, per repository. The model, views and commands code
 * against these two interfaces only; `store-adapter.ts` maps them onto the store modules and the
 * unit tests give small in-memory fakes. Keeping the seam here means a store signature change
 * touches one adapter, not every view.
 */
import type {
  CompactionResult, Finding, LogEntry, RefEntry, RefUpdate, RepositoryInfo, TableInfo,
  TransactionOptions, TransactionResult,
} from '../store/api.js';

export type {
  CompactionResult, Finding, LogEntry, RefEntry, RefUpdate, RepositoryInfo, TableInfo, TransactionOptions, TransactionResult,
};

/** One stack on disk: the main one (`id === 'main'`) or a linked worktree's. */
export interface StackInfo {
  id: string;
  /** The `reftable/` directory holding `tables.list`. */
  dir: string;
  /** Oldest first, as in tables.list. */
  tables: TableInfo[];
}

/** What a stack is without reading its tables: cheap enough for every reload. */
export interface StackSummary {
  id: string;
  dir: string;
  /** tables.list names, oldest first. */
  tableNames: string[];
}

export interface WorktreeInfo {
  id: string;
  /** `$GIT_COMMON_DIR/worktrees/<id>`. */
  gitDir: string;
  workTree?: string;
  /** That worktree's own HEAD as its stack holds it. */
  head?: RefEntry;
}

/** A ref that the merged view no longer shows but whose value an older table still holds. */
export interface ShadowedRef {
  name: string;
  oid: string;
  /** Table file holding the surviving value. */
  table: string;
  stack: string;
  updateIndex: number;
}

/** Read side, bound to one repository. */
export interface RefSource {
  readonly info: RepositoryInfo;
  /**
   * Refs whose names start with `prefix`, in byte order, starting at the first name ≥ `from`
   * (a seek, not a scan, so skipping a folder of a million refs is cheap). The empty prefix
   * includes root refs (HEAD, ORIG_HEAD…). Lazily produced: callers stop early.
   */
  scan(prefix: string, from?: string): Iterable<RefEntry>;
  ref(name: string): RefEntry | undefined;
  /** Follows symrefs to an object id. */
  resolve(name: string): string | undefined;
  /** Reflog of `name`, newest first, existence markers hidden. */
  reflog(name: string): Iterable<LogEntry>;
  refsPointingAt(oid: string): RefEntry[];
  /** Every stack with full per-table statistics (reads whole tables once; cached by the store). */
  stacks(): StackInfo[];
  /** Every stack's directory and table names only. */
  stackSummaries(): StackSummary[];
  worktrees(): WorktreeInfo[];
  shadowedRefs(): ShadowedRef[];
  /** Re-read tables.list of every stack; true when anything changed. */
  reload(): boolean;
  close(): void;
}

/** Write side, bound to one repository. Every call is one short transaction. */
export interface RefWriter {
  transaction(updates: RefUpdate[], opts: TransactionOptions): TransactionResult;
  /** Atomic rename (one table); fails with EXPECTATION when `oldName` no longer holds `expectedOid`. */
  rename(oldName: string, newName: string, expectedOid: string | undefined, opts: TransactionOptions): TransactionResult;
  /** Delete the entry written at `updateIndex`; EXPECTATION when it is gone already. */
  deleteReflogEntry(name: string, updateIndex: number): void;
  /** Drop reflog entries older than `before` (seconds since the epoch); returns how many went. */
  expireReflog(names: string[] | 'all', before: number): number;
  compact(mode: 'auto' | 'full', stack?: string): CompactionResult;
  verify(): StackFinding[];
  /**
   * Write `shadowed.name` (or `as`) back at `shadowed.oid` with the reflog entries its deletion
   * tombstoned, in one table. EXPECTATION when the new name exists or the deleted value differs.
   */
  restoreRef(shadowed: ShadowedRef, as: string, opts: TransactionOptions): TransactionResult & { restoredLogs: number };
}

/** A verify finding with the stack directory its file lives in. */
export interface StackFinding extends Finding {
  dir: string;
}

export interface OpenedRepository {
  source: RefSource;
  writer: RefWriter;
}

/** Discovery and opening; the adapter supplies the real one. */
export interface StoreBackend {
  /** Repository containing `path`, or undefined when there is none. */
  discover(path: string): RepositoryInfo | undefined;
  /** Repositories at or below `root` (nested repos, bare repos), at most `maxDepth` levels. */
  find(root: string, maxDepth: number): Promise<RepositoryInfo[]>;
  open(info: RepositoryInfo): OpenedRepository;
}

/**
 * The contract between the store (files on disk) and its users: the CLI and the extension.
 * Implementations live beside this file; callers import these types only, so the pieces can be
 * built and tested independently.
 *
 * Names, ids and targets cross this boundary as strings (ref names are UTF-8 in practice; the
 * engine keeps raw bytes). Object ids are lower-case hex.
 */
import type { HashFormat } from '../engine/format.js';

/** Where a repository lives and how it is configured. */
export interface RepositoryInfo {
  /** $GIT_DIR of the work tree we were opened from (a linked worktree's own dir for worktrees). */
  gitDir: string;
  /** $GIT_COMMON_DIR: holds the main stack `reftable/`, objects, config. */
  commonDir: string;
  /** The work tree root, absent for bare repositories. */
  workTree?: string;
  bare: boolean;
  hash: HashFormat;
  /** `extensions.refStorage`; the store refuses to open anything but reftable. */
  refStorage: 'reftable' | 'files';
  /** Linked worktree id when opened from one (`worktrees/<id>`). */
  worktreeId?: string;
  /** Parsed config (common dir's config, then worktree config if enabled). Keys lower-cased `section.key` or `section.sub.key`. */
  config: ReadonlyMap<string, string[]>;
}

/** A ref as the merged view shows it. */
export interface RefEntry {
  name: string;
  type: 'oid' | 'peeled' | 'symref';
  oid?: string;
  peeled?: string;
  target?: string;
  updateIndex: number;
  /** Which stack holds it: 'main' or a worktree id. */
  stack: string;
  /** File name of the table that holds the winning record. */
  table: string;
}

export interface LogEntry {
  name: string;
  updateIndex: number;
  type: 'update' | 'deletion';
  old: string;
  new: string;
  committer: { name: string; email: string; time: number; tz: string };
  message: string;
  /** File name of the table that holds this record. */
  table: string;
}

export interface TableInfo {
  name: string;
  size: number;
  minUpdateIndex: number;
  maxUpdateIndex: number;
  refCount: number;
  logCount: number;
  objCount: number;
  refTombstones: number;
  logTombstones: number;
  blocks: { ref: number; obj: number; log: number; index: number };
}

/** One finding of `verify`. */
export interface Finding {
  severity: 'error' | 'warning' | 'info';
  /** Table file name or 'tables.list'. */
  file: string;
  offset?: number;
  code: string;
  message: string;
}

/** One ref change inside a transaction (mirrors `git update-ref --stdin`). */
export type RefUpdate =
  | { op: 'create'; name: string; oid: string; peeled?: string }
  | { op: 'update'; name: string; oid: string; peeled?: string; old?: string }
  | { op: 'delete'; name: string; old?: string }
  | { op: 'verify'; name: string; old?: string }
  | { op: 'symref-create'; name: string; target: string }
  | { op: 'symref-update'; name: string; target: string; oldTarget?: string; old?: string }
  | { op: 'symref-delete'; name: string; oldTarget?: string }
  | { op: 'symref-verify'; name: string; oldTarget?: string };

export interface TransactionOptions {
  /** Reflog message (normalised as git does). */
  message?: string;
  /** Force a reflog entry for every update that sets a value: create, update, symref-create, symref-update (`--create-reflog`, which git does not apply to deletions and verifications). */
  createReflog?: boolean;
  /** Run geometric auto-compaction after the commit (default true). */
  autoCompact?: boolean;
  /** Committer identity/time override; otherwise GIT_COMMITTER_* env, then config. */
  committer?: { name: string; email: string; time: number; tz: string };
}

export interface TransactionResult {
  /** Tables added, per stack ('main' or worktree id). */
  tables: { stack: string; name: string }[];
  updateIndex: number;
  compacted?: CompactionResult;
}

export interface CompactionResult {
  tablesBefore: number;
  tablesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Inclusive indexes of the merged segment, if any. */
  merged?: { start: number; end: number };
}

/**
 * The real StoreBackend: maps the extension's RefSource/RefWriter seam onto the store modules.
 * Everything store-specific the extension depends on is in this file.
 */
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { RefDatabase } from '../store/refdb.js';
import { discoverRepository, findRepositories } from '../store/repository.js';
import { applyTransaction, renameRef } from '../store/transaction.js';
import { deleteReflogEntryByIndex, expireReflogs } from '../store/reflog-edit.js';
import { autoCompactStack, packRefs } from '../store/compaction.js';
import { verifyStack } from '../store/verify-stack.js';
import { restoreDeletedRef } from '../store/restore.js';
import { writeSettings } from '../store/add-table.js';
import type {
  CompactionResult, LogEntry, OpenedRepository, RefEntry, RefSource, RefUpdate, RefWriter, RepositoryInfo, ShadowedRef,
  StackFinding, StackInfo, StackSummary, StoreBackend, TableInfo, TransactionOptions, TransactionResult, WorktreeInfo,
} from './source.js';

class StoreRepository implements RefSource, RefWriter {
  constructor(readonly info: RepositoryInfo, private readonly db: RefDatabase) {}

  // ---- read ------------------------------------------------------------------------------

  scan(prefix: string, from?: string): Iterable<RefEntry> {
    // The store seeks to `from` in every stack (main and worktree alike): paging is O(log n).
    return this.db.refs({ prefixes: prefix ? [prefix] : undefined, includeRootRefs: prefix === '', from });
  }

  ref(name: string): RefEntry | undefined {
    return this.db.ref(name);
  }

  resolve(name: string): string | undefined {
    return this.db.resolve(name).oid;
  }

  reflog(name: string): Iterable<LogEntry> {
    return this.db.reflog(name);
  }

  refsPointingAt(oid: string): RefEntry[] {
    return this.db.refsPointingAt(oid);
  }

  stackSummaries(): StackSummary[] {
    const out: StackSummary[] = this.db.stacks.map((h) => ({ id: h.id, dir: h.dir, tableNames: h.stack.tables.map((t) => t.name) }));
    for (const w of this.db.worktrees()) {
      if (out.some((s) => s.id === w.id)) continue;
      const h = this.db.stackById(w.id);
      if (h) out.push({ id: h.id, dir: h.dir, tableNames: h.stack.tables.map((t) => t.name) });
    }
    return out;
  }

  stacks(): StackInfo[] {
    return this.stackSummaries().map((s) => {
      let tables: TableInfo[] | undefined;
      const db = this.db;
      return {
        id: s.id,
        dir: s.dir,
        // Statistics read whole tables: computed only when someone looks.
        get tables(): TableInfo[] {
          return (tables ??= db.tables(s.id));
        },
      };
    });
  }

  worktrees(): WorktreeInfo[] {
    return this.db.worktrees().map((w) => ({
      id: w.id,
      gitDir: path.join(this.info.commonDir, 'worktrees', w.id),
      workTree: w.path,
      head: w.head,
    }));
  }

  shadowedRefs(): ShadowedRef[] {
    return this.db.shadowedRefs().map((s) => ({
      name: s.ref.name, oid: s.ref.oid ?? '', table: s.ref.table, stack: s.ref.stack, updateIndex: s.ref.updateIndex,
    })).filter((s) => s.oid !== '');
  }

  reload(): boolean {
    return this.db.reload();
  }

  close(): void {
    this.db.close();
  }

  // ---- write -----------------------------------------------------------------------------

  transaction(updates: RefUpdate[], opts: TransactionOptions): TransactionResult {
    return applyTransaction(this.info, updates, { ...opts, autoCompact: opts.autoCompact ?? autoCompactSetting() });
  }

  rename(oldName: string, newName: string, expectedOid: string | undefined, opts: TransactionOptions): TransactionResult {
    // The store checks `expectedOid` under its lock, against the stack as re-read there.
    return renameRef(this.info, oldName, newName, {
      message: opts.message, committer: opts.committer, autoCompact: opts.autoCompact ?? autoCompactSetting(), expectedOid,
    });
  }

  deleteReflogEntry(name: string, updateIndex: number): void {
    try {
      // Resolved by update index under the store's lock: a concurrent entry cannot shift it.
      deleteReflogEntryByIndex(this.info, name, updateIndex, { autoCompact: autoCompactSetting() });
    } catch (e) {
      // The seam promises EXPECTATION when the entry is gone (the view was stale).
      if (e instanceof ReftableError && e.code === ErrorCode.NotFound) {
        throw new ReftableError(ErrorCode.Expectation, `${name} has no reflog entry at update index ${updateIndex} any more`, { data: { ref: name }, cause: e });
      }
      throw e;
    }
  }

  expireReflog(names: string[] | 'all', before: number): number {
    return expireReflogs(this.info, names, before, { autoCompact: autoCompactSetting() }).reduce((a, r) => a + r.pruned, 0);
  }

  compact(mode: 'auto' | 'full', stack?: string): CompactionResult {
    if (stack !== undefined && stack !== this.db.currentStackId) {
      const h = this.db.stackById(stack);
      if (!h) throw new ReftableError(ErrorCode.NotFound, `no stack '${stack}'`);
      if (mode === 'auto') return autoCompactStack(this.info, h.dir, writeSettings(this.info.config));
    }
    return packRefs(this.info, { auto: mode === 'auto' });
  }

  restoreRef(shadowed: ShadowedRef, as: string, opts: TransactionOptions): TransactionResult & { restoredLogs: number } {
    return restoreDeletedRef(this.info, shadowed.name, shadowed.oid, { ...opts, as, autoCompact: opts.autoCompact ?? autoCompactSetting() });
  }

  verify(): StackFinding[] {
    const out: StackFinding[] = [];
    for (const s of this.stackSummaries()) {
      for (const f of verifyStack(s.dir, this.info.hash)) out.push({ ...f, dir: s.dir });
    }
    return out;
  }
}


/** `reftable.autoCompact` (default true): run git's auto-compaction after our writes. */
let autoCompactSetting: () => boolean = () => true;
export function setAutoCompactSetting(fn: () => boolean): void {
  autoCompactSetting = fn;
}

export const storeBackend: StoreBackend = {
  discover(p: string): RepositoryInfo | undefined {
    try {
      return discoverRepository(p, { allowFiles: true });
    } catch (e) {
      if (e instanceof ReftableError && e.code === ErrorCode.Repository) return undefined;
      throw e;
    }
  },
  async find(root: string, maxDepth: number): Promise<RepositoryInfo[]> {
    return findRepositories(root, maxDepth, { allowFiles: true });
  },
  open(info: RepositoryInfo): OpenedRepository {
    const repo = new StoreRepository(info, RefDatabase.fromInfo(info));
    return { source: repo, writer: repo };
  },
};

/**
 * Restoring a deleted ref together with its reflog is a store operation the RefWriter seam
 * does not have yet. This adds it to every writer the backend opens (a writer that already has
 * `restoreRef` is left alone), so the adapter can take it over later without touching callers.
 */
import { restoreDeletedRef } from '../store/restore.js';
import type { RefWriter, RepositoryInfo, ShadowedRef, StoreBackend, TransactionOptions, TransactionResult } from './source.js';

export interface RefRestorer {
  /**
   * Write `shadowed.name` (or `as`) back at `shadowed.oid`, with the reflog entries its deletion
   * tombstoned. EXPECTATION when the new name exists or the deleted value differs.
   */
  restoreRef(shadowed: ShadowedRef, as: string, opts: TransactionOptions): TransactionResult & { restoredLogs: number };
}

export function restorerOf(writer: RefWriter): RefRestorer | undefined {
  const w = writer as Partial<RefRestorer>;
  return typeof w.restoreRef === 'function' ? (w as RefRestorer) : undefined;
}

function storeRestorer(info: RepositoryInfo, autoCompact: () => boolean): RefRestorer {
  return {
    restoreRef: (shadowed, as, opts) => restoreDeletedRef(info, shadowed.name, shadowed.oid, { ...opts, as, autoCompact: opts.autoCompact ?? autoCompact() }),
  };
}

export function withRestore(backend: StoreBackend, autoCompact: () => boolean): StoreBackend {
  return {
    discover: (p) => backend.discover(p),
    find: (root, depth) => backend.find(root, depth),
    open(info) {
      const opened = backend.open(info);
      if (restorerOf(opened.writer)) return opened;
      const extra = storeRestorer(opened.source.info, autoCompact);
      // Delegate every RefWriter call to the original object (its methods keep their `this`).
      const writer = new Proxy(opened.writer, {
        get: (target, key) => {
          if (key === 'restoreRef') return extra.restoreRef;
          const v = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      return { source: opened.source, writer };
    },
  };
}

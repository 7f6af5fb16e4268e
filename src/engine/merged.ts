/**
 * Merged view over a stack of tables (reftable.adoc § Update transactions / merged view):
 * a k-way merge by key where the newest table wins ties and deletions hide older values.
 */
import { bytesEqual, compareBytes, isZero, startsWith, toHex } from './bytes.js';
import { LogRecord, RefRecord, logKey } from './record.js';
import { MergedRefCursor } from './ref-cursor.js';
import { Table, newestLogKey } from './table.js';

export interface Sourced<T> {
  record: T;
  /** Index of the table in the stack (0 = oldest). */
  tableIndex: number;
}

interface Cursor<T> {
  it: Iterator<T>;
  cur: T;
  key: Uint8Array;
  tableIndex: number;
}

/**
 * Merge sorted per-table streams; for equal keys only the newest table's record is yielded.
 * A binary heap keeps it O(log n) per record for stacks with many tables.
 */
export function* mergeByKey<T>(
  streams: Iterable<T>[], keyOf: (r: T) => Uint8Array,
): Generator<Sourced<T>> {
  const heap: Cursor<T>[] = [];
  const less = (a: Cursor<T>, b: Cursor<T>) => {
    const c = compareBytes(a.key, b.key);
    return c < 0 || (c === 0 && a.tableIndex > b.tableIndex);
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  const pop = (): Cursor<T> => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
    return top;
  };
  const advance = (c: Cursor<T>) => {
    const n = c.it.next();
    if (!n.done) {
      c.cur = n.value;
      c.key = keyOf(n.value);
      heap.push(c);
      up(heap.length - 1);
    }
  };
  streams.forEach((s, tableIndex) => {
    const it = s[Symbol.iterator]();
    const n = it.next();
    if (!n.done) {
      heap.push({ it, cur: n.value, key: keyOf(n.value), tableIndex });
      up(heap.length - 1);
    }
  });
  while (heap.length > 0) {
    const top = pop();
    const out: Sourced<T> = { record: top.cur, tableIndex: top.tableIndex };
    const key = top.key;
    advance(top);
    // Skip older duplicates of the same key.
    while (heap.length > 0 && bytesEqual(heap[0].key, key)) advance(pop());
    yield out;
  }
}

export interface MergeOptions {
  /** Also yield deletion records (normally hidden, as git 2.47 does). */
  includeDeletions?: boolean;
}

/** A read-only merged view over tables ordered oldest → newest. */
export class MergedTables {
  constructor(readonly tables: readonly Table[]) {}

  get minUpdateIndex(): number {
    return this.tables.length ? Math.min(...this.tables.map((t) => t.minUpdateIndex)) : 0;
  }
  get maxUpdateIndex(): number {
    return this.tables.length ? this.tables[this.tables.length - 1].maxUpdateIndex : 0;
  }

  /** All refs from `from` on (whole table when omitted). */
  *refs(from?: Uint8Array, opts: MergeOptions = {}): Generator<Sourced<RefRecord>> {
    const c = this.refCursor(opts);
    c.seek(from);
    while (c.next()) {
      const cur = c.current!;
      yield { record: cur.record(), tableIndex: cur.tableIndex };
    }
  }

  /** The allocation-free form of refs(): seek(from), then next() until false. */
  refCursor(opts: MergeOptions = {}): MergedRefCursor {
    return new MergedRefCursor(this.tables, opts.includeDeletions === true);
  }

  *refsWithPrefix(prefix: Uint8Array, opts: MergeOptions = {}): Generator<Sourced<RefRecord>> {
    for (const s of this.refs(prefix, opts)) {
      if (!startsWith(s.record.name, prefix)) return;
      yield s;
    }
  }

  /** The winning record for `name`, or undefined when absent or deleted. */
  ref(name: Uint8Array, opts: MergeOptions = {}): Sourced<RefRecord> | undefined {
    // Newest table first: the first table holding the name decides.
    for (let i = this.tables.length - 1; i >= 0; i--) {
      const r = this.tables[i].ref(name);
      if (r) {
        if (r.valueType === 0 && !opts.includeDeletions) return undefined;
        return { record: r, tableIndex: i };
      }
    }
    return undefined;
  }

  /** All log records, by ref name then newest first. */
  *logs(opts: MergeOptions = {}): Generator<Sourced<LogRecord>> {
    const streams = this.tables.map((t) => t.logs());
    for (const s of mergeByKey(streams, (r) => logKey(r.name, r.updateIndex))) {
      if (!opts.includeDeletions && s.record.valueType === 0) continue;
      yield s;
    }
  }

  /** Reflog of one ref, newest first. Existence markers are kept; see `isExistenceMarker`. */
  *logsFor(name: Uint8Array, opts: MergeOptions = {}): Generator<Sourced<LogRecord>> {
    const key = newestLogKey(name);
    const streams = this.tables.map((t) => t.seekSection<LogRecord>('log', key));
    for (const s of mergeByKey(streams, (r) => logKey(r.name, r.updateIndex))) {
      if (!bytesEqual(s.record.name, name)) return;
      if (!opts.includeDeletions && s.record.valueType === 0) continue;
      yield s;
    }
  }

  /** Refs whose value or peeled value is `oid`, as the merged view sees them. */
  *refsFor(oid: Uint8Array): Generator<Sourced<RefRecord>> {
    const seen = new Set<string>();
    const candidates: RefRecord[] = [];
    for (const t of this.tables) for (const r of t.refsFor(oid)) candidates.push(r);
    candidates.sort((a, b) => compareBytes(a.name, b.name));
    for (const c of candidates) {
      // Hex, not String.fromCharCode(...name): spreading a long name overflows the call stack.
      const key = toHex(c.name);
      if (seen.has(key)) continue;
      seen.add(key);
      const win = this.ref(c.name);
      if (!win) continue;
      const r = win.record;
      if ((r.value && bytesEqual(r.value, oid)) || (r.peeled && bytesEqual(r.peeled, oid))) yield win;
    }
  }
}

/** Git's reflog existence marker: both ids zero (hidden from every listing). */
export function isExistenceMarker(r: LogRecord): boolean {
  return r.valueType === 1 && isZero(r.old) && isZero(r.new);
}

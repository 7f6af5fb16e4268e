/**
 * Many ref lookups against one stack in a single forward pass. A transaction of a million
 * refs asks for every name it touches (and the `name/` range below it for the
 * directory/file check); seeking every table through its index for each query made that the
 * dominant cost. Here each table keeps a cursor that only moves forward: a query a little
 * ahead is answered by stepping, one behind or far ahead re-seeks, so any query order is
 * correct and sorted order is cheap.
 */
import { HeldKey, bytesEqual, compareBytes, compareBytesN, startsWith, text } from '../engine/bytes.js';
import { RefValueType } from '../engine/format.js';
import type { MergedTables } from '../engine/merged.js';
import type { RefRecord } from '../engine/record.js';
import type { Table } from '../engine/table.js';

/** Records stepped over before a re-seek through the index is cheaper. */
const STEP_BUDGET = 16;

class TableCursor {
  private it: Iterator<RefRecord> | undefined;
  private cur: RefRecord | undefined;
  /** The last key sought, copied: callers may pass a buffer they reuse for the next query. */
  private readonly last = new HeldKey();
  private sought = false;

  constructor(private readonly table: Table) {}

  /** The first record whose name is >= `key`, or undefined past the end of the section. */
  seek(key: Uint8Array): RefRecord | undefined {
    const last = this.last;
    const forward = this.sought && compareBytesN(key, key.length, last.bytes, last.length) >= 0;
    last.set(key, key.length);
    this.sought = true;
    if (forward) {
      if (this.cur === undefined || compareBytes(this.cur.name, key) >= 0) return this.cur;
      for (let i = 0; i < STEP_BUDGET; i++) {
        const n = this.it!.next();
        if (n.done) return (this.cur = undefined);
        this.cur = n.value;
        if (compareBytes(n.value.name, key) >= 0) return this.cur;
      }
    }
    // The seek reads `key` only until its first record, which the next() below produces.
    this.it = this.table.seekRefs(key)[Symbol.iterator]();
    const n = this.it.next();
    return (this.cur = n.done ? undefined : n.value);
  }
}

export class RefLookup {
  /** Newest table first: the first table holding a name decides. */
  private readonly cursors: TableCursor[];

  constructor(private readonly merged: MergedTables) {
    this.cursors = merged.tables.map((t) => new TableCursor(t)).reverse();
  }

  /** The live record of `name` (undefined when absent or deleted). */
  get(name: Uint8Array): RefRecord | undefined {
    for (const c of this.cursors) {
      const r = c.seek(name);
      if (r !== undefined && bytesEqual(r.name, name)) return r.valueType === RefValueType.Deletion ? undefined : r;
    }
    return undefined;
  }

  /** The first live ref name starting with `prefix`, if any. */
  firstWithPrefix(prefix: Uint8Array): string | undefined {
    let min: Uint8Array | undefined;
    for (const c of this.cursors) {
      const r = c.seek(prefix);
      if (r !== undefined && startsWith(r.name, prefix) && (min === undefined || compareBytes(r.name, min) < 0)) min = r.name;
    }
    if (min === undefined) return undefined;
    if (this.get(min) !== undefined) return text(min);
    // The first candidate is deleted in a newer table: rare enough to walk the merged view.
    for (const s of this.merged.refsWithPrefix(prefix)) return text(s.record.name);
    return undefined;
  }
}

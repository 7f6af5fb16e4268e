/**
 * Allocation-free iteration over ref records (reftable.adoc § Ref record): a cursor decodes
 * each key into one reused buffer and leaves the value in the block's bytes, so listing a
 * million refs creates no object per record. The merged cursor does the newest-wins k-way
 * merge over such cursors by raw byte comparison. Records are materialized only on request.
 */
import { HeldKey, commonPrefixLengthN, readVarint } from './bytes.js';
import type { Block } from './block.js';
import { ErrorCode, ReftableError, formatError } from './errors.js';
import { RefValueType } from './format.js';
import type { RefRecord } from './record.js';
import type { Table } from './table.js';
import { OvcLoserTree } from './loser-tree.js';

const EMPTY = new Uint8Array(0);

/** A position in one table's ref section. Fields describe the current record after next(). */
export class TableRefCursor {
  /** Key bytes of the current record are key[0, keyLen); the buffer is reused. */
  key: Uint8Array = new Uint8Array(128);
  keyLen = 0;
  valueType = 0;
  updateIndex = 0;
  /** Bytes holding the value: object id(s) at valuePos, or the symref target. */
  data: Uint8Array = EMPTY;
  valuePos = 0;
  /** Symref target length (type 3). */
  targetLen = 0;

  private block: Block | undefined;
  private pos = 0;

  /** File offset of the current record's block (for errors about the record). */
  get blockOffset(): number {
    return this.block?.offset ?? 0;
  }
  private end = 0;
  /** The current record was found by seek() and not yet returned by next(). */
  private pending = false;
  private readonly hashSize: number;
  private readonly minUpdateIndex: number;

  constructor(readonly table: Table, readonly tableIndex = 0) {
    this.hashSize = table.ctx.hashSize;
    this.minUpdateIndex = table.ctx.minUpdateIndex;
  }

  /** Position before the first record with key >= want (the section start when omitted). */
  seek(want?: Uint8Array): void {
    this.pending = false;
    this.keyLen = 0;
    this.block = undefined;
    const t = this.table;
    if (want === undefined || want.length === 0) {
      this.enter(t.firstBlock('ref'));
      return;
    }
    const off = t.locateBlock('ref', want);
    if (off === undefined) return;
    const b = t.refBlockAt(off);
    this.enter(b);
    if (!b) return;
    this.pos = b.scanStart(want);
    while (this.advance()) {
      if (this.compareWith(want) >= 0) {
        this.pending = true;
        return;
      }
    }
  }

  /** Move to the next record; false at the end of the section. */
  next(): boolean {
    if (this.pending) {
      this.pending = false;
      return true;
    }
    return this.advance();
  }

  /** Compare the current key with `b` as git does (unsigned bytes, then length). */
  compareWith(b: Uint8Array): number {
    const k = this.key;
    const kl = this.keyLen;
    const n = kl < b.length ? kl : b.length;
    for (let i = 0; i < n; i++) {
      const d = k[i] - b[i];
      if (d !== 0) return d;
    }
    return kl - b.length;
  }

  keyEquals(b: Uint8Array): boolean {
    if (this.keyLen !== b.length) return false;
    const k = this.key;
    for (let i = 0; i < b.length; i++) if (k[i] !== b[i]) return false;
    return true;
  }

  /** The current key starts with `prefix`. */
  keyStartsWith(prefix: Uint8Array): boolean {
    if (prefix.length > this.keyLen) return false;
    const k = this.key;
    for (let i = 0; i < prefix.length; i++) if (k[i] !== prefix[i]) return false;
    return true;
  }

  /** A copy of the current key. */
  name(): Uint8Array {
    return this.key.slice(0, this.keyLen);
  }

  /** The current record as a freshly allocated RefRecord. */
  record(): RefRecord {
    const rec: RefRecord = { kind: 'ref', name: this.name(), updateIndex: this.updateIndex, valueType: this.valueType as RefValueType };
    const d = this.data;
    const p = this.valuePos;
    const h = this.hashSize;
    if (this.valueType === RefValueType.Val1) rec.value = d.slice(p, p + h);
    else if (this.valueType === RefValueType.Val2) {
      rec.value = d.slice(p, p + h);
      rec.peeled = d.slice(p + h, p + 2 * h);
    } else if (this.valueType === RefValueType.Symref) rec.target = d.slice(p, p + this.targetLen);
    return rec;
  }

  private enter(b: Block | undefined): void {
    this.block = b;
    if (!b) return;
    this.data = b.data;
    this.pos = b.recordsStart;
    this.end = b.restartsStart;
    this.keyLen = 0;
  }

  private fail(reason: string, pos: number): never {
    throw formatError(reason, this.block!.offset + pos).inFile(this.table.name);
  }

  /** Decode the record at pos (the same checks as record.ts decodeEntryHeader/decodeRefValue). */
  private advance(): boolean {
    let b = this.block;
    if (!b) return false;
    while (this.pos >= this.end) {
      b = this.table.nextBlock(b);
      this.enter(b);
      if (!b) return false;
    }
    const d = this.data;
    const end = this.end;
    const start = this.pos;
    let o = start;
    let prefixLen: number;
    let sv: number;
    if (o + 1 < end && d[o] < 0x80 && d[o + 1] < 0x80) {
      prefixLen = d[o];
      sv = d[o + 1];
      o += 2;
    } else if (o + 2 < end && d[o] < 0x80 && d[o + 1] >= 0x80 && d[o + 2] < 0x80) {
      // A restart's full key: the suffix length needs a second varint byte.
      prefixLen = d[o];
      sv = ((d[o + 1] & 0x7f) + 1) * 128 + d[o + 2];
      o += 3;
    } else {
      const p = this.varint(o);
      const s = this.varint(p.next);
      prefixLen = p.value;
      sv = s.value;
      o = s.next;
    }
    const suffixLen = Math.floor(sv / 8);
    const extra = sv & 7;
    if (prefixLen > this.keyLen) this.fail(`key shares ${prefixLen} bytes with a previous key of only ${this.keyLen}`, start);
    if (suffixLen > end - o) this.fail(`key suffix of ${suffixLen} bytes runs past the end of the records`, start);
    if (prefixLen + suffixLen === 0) this.fail('record has an empty key', start);
    const len = prefixLen + suffixLen;
    if (len > this.key.length) {
      const k = new Uint8Array(Math.max(len, this.key.length * 2));
      k.set(this.key.subarray(0, prefixLen));
      this.key = k;
    }
    const key = this.key;
    for (let i = 0; i < suffixLen; i++) key[prefixLen + i] = d[o + i];
    this.keyLen = len;
    o += suffixLen;

    let delta: number;
    if (o < end && d[o] < 0x80) delta = d[o++];
    else {
      const v = this.varint(o);
      delta = v.value;
      o = v.next;
    }
    const updateIndex = this.minUpdateIndex + delta;
    if (!Number.isSafeInteger(updateIndex)) {
      throw new ReftableError(ErrorCode.Unsupported, 'update index too large', { file: this.table.name, offset: b.offset + o });
    }
    this.updateIndex = updateIndex;
    this.valueType = extra;
    const h = this.hashSize;
    switch (extra) {
      case RefValueType.Deletion:
        break;
      case RefValueType.Val1:
        if (h > end - o) this.fail('object id runs past the end of the records', o);
        this.valuePos = o;
        o += h;
        break;
      case RefValueType.Val2:
        if (2 * h > end - o) this.fail('object ids runs past the end of the records', o);
        this.valuePos = o;
        o += 2 * h;
        break;
      case RefValueType.Symref: {
        const l = this.varint(o);
        o = l.next;
        if (l.value > end - o) this.fail('symref target runs past the end of the records', o);
        this.valuePos = o;
        this.targetLen = l.value;
        o += l.value;
        break;
      }
      default:
        this.fail(`unknown ref value type ${extra}`, start);
    }
    this.pos = o;
    return true;
  }

  private varint(o: number): { value: number; next: number } {
    try {
      return readVarint(this.data, o, this.end);
    } catch (e) {
      if (e instanceof ReftableError && e.offset !== undefined) this.fail(e.reason, e.offset);
      throw e;
    }
  }
}

/**
 * Newest-wins merge of ref cursors (tables oldest → newest). After next() returns true,
 * `current` is the winning table's cursor; it stays valid until the following next().
 * A loser tree: advancing the winner replays one leaf-to-root path, one key comparison per
 * level (a binary heap needs two); with 1,000 tables that halves the merge's comparisons.
 * Older records of a name come out right after the newest one and are dropped by comparing
 * with the last key taken.
 */
export class MergedRefCursor {
  private readonly cursors: TableRefCursor[];
  private readonly tournament: OvcLoserTree;
  private readonly alive: Uint8Array;
  /** The last key taken; empty right after seek() (no record has an empty key). */
  private readonly last = new HeldKey();
  current: TableRefCursor | undefined;

  constructor(tables: readonly Table[], private readonly includeDeletions = false) {
    this.cursors = tables.map((t, i) => new TableRefCursor(t, i));
    this.alive = new Uint8Array(tables.length);
    this.tournament = new OvcLoserTree(tables.length, {
      live: (j) => this.alive[j] === 1,
      key: (j) => this.cursors[j].key,
      keyLen: (j) => this.cursors[j].keyLen,
    });
  }

  seek(want?: Uint8Array): void {
    this.current = undefined;
    this.last.length = 0;
    const k = this.cursors.length;
    for (let j = 0; j < k; j++) {
      const c = this.cursors[j];
      c.seek(want);
      this.alive[j] = c.next() ? 1 : 0;
    }
    this.tournament.rebuild();
  }

  next(): boolean {
    const k = this.cursors.length;
    if (k === 0) return false;
    if (this.current) {
      this.current = undefined;
      this.advance(this.tournament.winner);
    }
    for (;;) {
      const w = this.tournament.winner;
      if (!this.alive[w]) return false;
      const c = this.cursors[w];
      if (this.last.equals(c.key, c.keyLen)) {
        // An older table's record of the name just taken: shadowed.
        this.advance(w);
        continue;
      }
      this.last.set(c.key, c.keyLen);
      if (c.valueType === RefValueType.Deletion && !this.includeDeletions) {
        this.advance(w);
        continue;
      }
      this.current = c;
      return true;
    }
  }

  /** Move stream j (whose key is the last one taken) on, and replay it. */
  private advance(j: number): void {
    const c = this.cursors[j];
    const live = c.next();
    this.alive[j] = live ? 1 : 0;
    // The tree codes the new head against the key it replaces: the last one taken.
    this.tournament.replay(j, live ? commonPrefixLengthN(c.key, c.keyLen, this.last.bytes, this.last.length) : 0);
  }
}

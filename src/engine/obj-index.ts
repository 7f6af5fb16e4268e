/**
 * The writer's record of which ref blocks name which object ids (reftable-format.md §6.4),
 * kept as flat arrays: one id and one block offset per reference, in the order refs were
 * added. A map keyed by hex strings cost a string and a map entry per ref; here grouping is a
 * single sort at the end of the ref section.
 */

/** 2^21: heads (< 2^32) times this plus an index below it stays an exact double (< 2^53). */
const PACK = 0x20_0000;

export interface ObjEntry {
  id: Uint8Array;
  /** Ascending, distinct offsets of the ref blocks naming `id`. */
  offsets: number[];
}

export class ObjectIndex {
  private ids: Uint8Array;
  /** First four id bytes as an unsigned integer: decides almost every comparison alone. */
  private heads: Uint32Array;
  private offsets: Float64Array;
  private n = 0;

  constructor(
    private readonly hashSize: number,
    /** Above this many references, sort with a comparator (tests lower it to cover that path). */
    private readonly packedLimit = PACK,
  ) {
    this.ids = new Uint8Array(hashSize * 1024);
    this.heads = new Uint32Array(1024);
    this.offsets = new Float64Array(1024);
  }

  /** References kept (a repeat of the one just added is not). */
  get size(): number {
    return this.n;
  }

  /** Note that the ref block at `offset` names `id` (offsets arrive in ascending order). */
  add(id: Uint8Array, offset: number): void {
    this.addFrom(id, 0, offset);
  }

  /**
   * add() of the id at src[at, at + hashSize), without a view of it. The same id named again by
   * the same block as the reference just added is not kept (it adds no offset): refs sharing
   * a commit sit side by side, and a million refs to one commit were a million entries to
   * sort for the few thousand blocks they fill.
   */
  addFrom(src: Uint8Array, at: number, offset: number): void {
    const head = ((src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3]) >>> 0;
    const hs = this.hashSize;
    const n = this.n;
    if (n > 0 && this.heads[n - 1] === head && this.offsets[n - 1] === offset) {
      const ids = this.ids;
      const last = (n - 1) * hs;
      let k = 4;
      while (k < hs && ids[last + k] === src[at + k]) k++;
      if (k === hs) return;
    }
    this.order = undefined;
    if (n === this.heads.length) this.grow();
    this.n = n + 1;
    // A byte loop: TypedArray.set costs more than copying 20 or 32 bytes.
    const base = n * hs;
    for (let k = 0; k < hs; k++) this.ids[base + k] = src[at + k];
    this.heads[n] = head;
    this.offsets[n] = offset;
  }

  private grow(): void {
    const cap = this.heads.length * 2;
    const ids = new Uint8Array(cap * this.hashSize);
    ids.set(this.ids);
    this.ids = ids;
    const heads = new Uint32Array(cap);
    heads.set(this.heads);
    this.heads = heads;
    const offsets = new Float64Array(cap);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }

  /** Compare ids `a` and `b` from byte `from` on. */
  private compareFrom(a: number, b: number, from: number): number {
    const ids = this.ids;
    const hs = this.hashSize;
    for (let k = from; k < hs; k++) {
      const d = ids[a * hs + k] - ids[b * hs + k];
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Indices in (id, insertion) order. */
  private sortedOrder(): Uint32Array {
    const { heads, n } = this;
    const order = new Uint32Array(n);
    const byRest = (a: number, b: number) => this.compareFrom(a, b, 4) || a - b;
    if (n > Math.min(this.packedLimit, PACK)) {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => heads[a] - heads[b] || byRest(a, b));
      return order;
    }
    // (head, index) packed into one exact double: a native numeric sort, no comparator calls.
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = heads[i] * PACK + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i] % PACK;
    // Only ids sharing their first four bytes still need ordering, and when they are all one
    // id (many refs at one commit) index order already is the answer.
    for (let s = 0; s < n; ) {
      let e = s + 1;
      while (e < n && heads[order[e]] === heads[order[s]]) e++;
      if (e - s > 1) {
        const run = order.subarray(s, e);
        let sorted = true;
        for (let k = 1; k < run.length && sorted; k++) sorted = byRest(run[k - 1], run[k]) < 0;
        if (!sorted) run.sort(byRest);
      }
      s = e;
    }
    return order;
  }

  private order: Uint32Array | undefined;

  /** Sorted once, after the last add. */
  private sorted(): Uint32Array {
    this.order ??= this.sortedOrder();
    return this.order;
  }

  /** The longest prefix two distinct ids share (0 with fewer than two ids). */
  longestSharedPrefix(): number {
    const { ids, hashSize: hs } = this;
    const order = this.sorted();
    let max = 0;
    for (let k = 1; k < order.length; k++) {
      const a = order[k - 1] * hs;
      const b = order[k] * hs;
      let n = 0;
      while (n < hs && ids[a + n] === ids[b + n]) n++;
      if (n < hs && n > max) max = n;
    }
    return max;
  }

  /**
   * Distinct ids in byte order, each with its offsets, made one at a time so that a million of
   * them are never all alive at once.
   */
  *entries(): Generator<ObjEntry> {
    const { heads, offsets, hashSize } = this;
    let last: ObjEntry | undefined;
    let lastIndex = -1;
    for (const i of this.sorted()) {
      const off = offsets[i];
      if (last && heads[i] === heads[lastIndex] && this.compareFrom(i, lastIndex, 4) === 0) {
        if (last.offsets[last.offsets.length - 1] !== off) last.offsets.push(off);
        continue;
      }
      if (last) yield last;
      last = { id: this.ids.subarray(i * hashSize, (i + 1) * hashSize), offsets: [off] };
      lastIndex = i;
    }
    if (last) yield last;
  }
}

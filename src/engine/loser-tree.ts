/** What an OvcLoserTree reads of its streams' heads. */
export interface KeyedStreams {
  /** Whether stream j has a head (exhausted streams sort last). */
  live(j: number): boolean;
  /** Stream j's head key is key(j)[0, keyLen(j)) (live streams only). */
  key(j: number): Uint8Array;
  keyLen(j: number): number;
}

/**
 * The tournament ("loser") tree of the k-way merges (the merged view, compaction): the winning
 * stream is known in O(1), and replacing its head costs one comparison per level, log2(k),
 * against the loser stored there — which matters for stacks of a thousand tables.
 *
 * Keys are byte strings, with offset-value coding: every head carries the length
 * of the prefix it shares with the key that last beat it and its next byte, and two heads
 * coded against the same key are ordered by those two numbers alone unless both are equal;
 * only then are bytes compared, from the first unshared one. In a merge of ref names sharing
 * long prefixes ("refs/heads/branch-0…") most of the log2(k) comparisons per record become
 * integer comparisons. Equal keys: the higher-numbered (newer) stream first.
 */
export class OvcLoserTree {
  private readonly tree: Int32Array;
  /** Per stream: shared prefix length with its base key; -1 when exhausted. */
  private readonly off: Int32Array;
  /** Per stream: 1 + the byte at `off`, or 0 when the key ends there (equal to its base). */
  private readonly val: Int32Array;
  /** The stream whose head sorts first. */
  winner = 0;

  constructor(readonly size: number, private readonly streams: KeyedStreams) {
    this.tree = new Int32Array(Math.max(1, size));
    this.off = new Int32Array(Math.max(1, size));
    this.val = new Int32Array(Math.max(1, size));
  }

  /** Play the whole tournament again after every head changed (codes against the empty key). */
  rebuild(): void {
    for (let j = 0; j < this.size; j++) this.code(j, 0);
    this.winner = this.size > 0 ? this.build(1) : 0;
  }

  /**
   * The winner's stream moved to a new head whose first `shared` bytes equal the key it had
   * (exactly that many: the code is wrong otherwise); replay its path to the root.
   */
  replay(j: number, shared: number): void {
    this.code(j, shared);
    const tree = this.tree;
    let cur = j;
    for (let node = (j + this.size) >> 1; node >= 1; node >>= 1) {
      const t = tree[node];
      if (this.beats(t, cur)) {
        tree[node] = cur;
        cur = t;
      }
    }
    this.winner = cur;
  }

  private code(j: number, shared: number): void {
    const s = this.streams;
    if (!s.live(j)) {
      this.off[j] = -1;
      return;
    }
    this.off[j] = shared;
    this.val[j] = shared < s.keyLen(j) ? s.key(j)[shared] + 1 : 0;
  }

  /**
   * Head a sorts before head b (both coded against the same key). When bytes decide, the
   * loser's code is remade against the winner; otherwise it already is.
   */
  private beats(a: number, b: number): boolean {
    const off = this.off;
    const val = this.val;
    const oa = off[a];
    const ob = off[b];
    if (oa !== ob) return oa > ob;
    if (oa < 0) return false;
    const va = val[a];
    const vb = val[b];
    if (va !== vb) return va < vb;
    if (va === 0) return a > b;
    const s = this.streams;
    const ka = s.key(a);
    const kb = s.key(b);
    const la = s.keyLen(a);
    const lb = s.keyLen(b);
    const n = la < lb ? la : lb;
    let i = oa + 1;
    while (i < n && ka[i] === kb[i]) i++;
    if (i < n ? ka[i] < kb[i] : la < lb || (la === lb && a > b)) {
      off[b] = i;
      val[b] = i < lb ? kb[i] + 1 : 0;
      return true;
    }
    off[a] = i;
    val[a] = i < la ? ka[i] + 1 : 0;
    return false;
  }

  private build(node: number): number {
    if (node >= this.size) return node - this.size;
    const l = this.build(2 * node);
    const r = this.build(2 * node + 1);
    if (this.beats(l, r)) {
      this.tree[node] = r;
      return l;
    }
    this.tree[node] = l;
    return r;
  }
}

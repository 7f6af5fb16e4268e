/**
 * A tournament ("loser") tree over k sorted streams, the k-way merge of the merged view and of
 * compaction: the winning stream is known in O(1) and replacing its head costs log2(k)
 * comparisons — one per level, against the loser stored there — which matters for stacks of
 * a thousand tables. Streams are numbered 0..k-1; `less(a, b)` orders their current heads
 * (exhausted streams last; ties broken by the caller, e.g. the newer table first).
 */
export class LoserTree {
  /** tree[node] = the stream that lost at internal node `node` (1..k-1); leaves are k..2k-1. */
  private readonly tree: Int32Array;
  /** The stream whose head sorts first. */
  winner = 0;

  constructor(readonly size: number, private readonly less: (a: number, b: number) => boolean) {
    this.tree = new Int32Array(Math.max(1, size));
  }

  /** Play the whole tournament again (after every stream's head changed, e.g. a seek). */
  rebuild(): void {
    this.winner = this.size > 0 ? this.build(1) : 0;
  }

  /** Stream `j`'s head changed (it was the winner and advanced): replay its path to the root. */
  replay(j: number): void {
    const tree = this.tree;
    let cur = j;
    for (let node = (j + this.size) >> 1; node >= 1; node >>= 1) {
      const t = tree[node];
      if (this.less(t, cur)) {
        tree[node] = cur;
        cur = t;
      }
    }
    this.winner = cur;
  }

  private build(node: number): number {
    if (node >= this.size) return node - this.size;
    const l = this.build(2 * node);
    const r = this.build(2 * node + 1);
    if (this.less(l, r)) {
      this.tree[node] = r;
      return l;
    }
    this.tree[node] = l;
    return r;
  }
}

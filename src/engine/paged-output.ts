/**
 * The file as it is written, in 1 MiB pages: growing never copies what is already there, and
 * the bytes are put together once at the end. Pages start zeroed, so padding is a skip.
 *
 * With a sink, each page goes to it as soon as it is full and is then reused, and end() hands
 * over the rest: a compaction writes a table of tens of megabytes to its file with one page
 * in memory instead of the pages plus their concatenation.
 */
export type OutputSink = (chunk: Uint8Array) => void;

export class PagedOutput {
  private readonly pages: Uint8Array[] = [];
  private page = new Uint8Array(0);
  private pos = 0;
  private length = 0;

  /**
   * `pageSize` is for tests; the default keeps a page's share of a big table small. A `sink`
   * receives the bytes in order, in chunks only valid during the call.
   */
  constructor(private readonly pageSize = 1 << 20, private readonly sink?: OutputSink) {}

  get size(): number {
    return this.length;
  }

  private room(): number {
    if (this.pos === this.page.length) {
      if (this.sink && this.page.length > 0) {
        this.sink(this.page);
        this.page.fill(0);
      } else {
        this.page = new Uint8Array(this.pageSize);
        this.pages.push(this.page);
      }
      this.pos = 0;
    }
    return this.page.length - this.pos;
  }

  bytes(b: Uint8Array): void {
    for (let o = 0; o < b.length; ) {
      const n = Math.min(b.length - o, this.room());
      this.page.set(o === 0 && n === b.length ? b : b.subarray(o, o + n), this.pos);
      this.pos += n;
      o += n;
    }
    this.length += b.length;
  }

  zeros(count: number): void {
    for (let left = count; left > 0; ) {
      const n = Math.min(left, this.room());
      this.pos += n;
      left -= n;
    }
    this.length += count;
  }

  /** Everything written, in one array (not with a sink: see end()). */
  toBytes(): Uint8Array {
    if (this.sink) throw new Error('PagedOutput: output went to a sink; call end()');
    if (this.pages.length === 1) return this.page.slice(0, this.length);
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.pages) {
      const n = Math.min(p.length, this.length - o);
      out.set(n === p.length ? p : p.subarray(0, n), o);
      o += n;
    }
    return out;
  }

  /** Hand the last partial page to the sink; the total size written. */
  end(): number {
    if (!this.sink) throw new Error('PagedOutput: no sink; call toBytes()');
    if (this.pos > 0) this.sink(this.page.subarray(0, this.pos));
    this.pos = this.page.length;
    return this.length;
  }
}

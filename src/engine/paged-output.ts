/**
 * The file as it is written, in 1 MiB pages: growing never copies what is already there, and
 * the bytes are put together once at the end. Pages start zeroed, so padding is a skip.
 */
export class PagedOutput {
  private readonly pages: Uint8Array[] = [];
  private page = new Uint8Array(0);
  private pos = 0;
  private length = 0;

  /** `pageSize` is for tests; the default keeps a page's share of a big table small. */
  constructor(private readonly pageSize = 1 << 20) {}

  get size(): number {
    return this.length;
  }

  private room(): number {
    if (this.pos === this.page.length) {
      this.page = new Uint8Array(this.pageSize);
      this.pages.push(this.page);
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

  toBytes(): Uint8Array {
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
}

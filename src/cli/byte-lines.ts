/**
 * Lines assembled as bytes in one buffer and handed out 256 KiB at a time: listing a
 * million refs this way builds no string per line (hex through a byte table, names copied
 * straight from the decoder's key buffer).
 */

/** ASCII of the two hex digits of each byte value, at [2v, 2v+1]. */
const HEX = (() => {
  const t = new Uint8Array(512);
  const digits = '0123456789abcdef';
  for (let v = 0; v < 256; v++) {
    t[2 * v] = digits.charCodeAt(v >> 4);
    t[2 * v + 1] = digits.charCodeAt(v & 15);
  }
  return t;
})();

export class ByteLines {
  private buf: Buffer;
  private pos = 0;

  /**
   * `emit` returns true when it is done with the chunk (written synchronously): the buffer
   * is then reused, else the chunk is left to it and a new buffer taken.
   */
  constructor(private readonly emit: (chunk: Buffer) => boolean, private readonly chunkSize = 1 << 18) {
    // The first chunk is small so that the flush path runs while the line writers are still
    // interpreted: optimized before it ever ran, they were deoptimized and compiled again.
    this.buf = Buffer.allocUnsafe(Math.min(chunkSize, 4096));
  }

  /** Make room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** `hex(id) SP name LF`, id = data[idPos, idPos+idLen), name = name[0, nameLen). */
  hexLine(data: Uint8Array, idPos: number, idLen: number, name: Uint8Array, nameLen: number): void {
    this.room(2 * idLen + nameLen + 2);
    const b = this.buf;
    let o = this.pos;
    for (let i = 0; i < idLen; i++) {
      const v = 2 * data[idPos + i];
      b[o++] = HEX[v];
      b[o++] = HEX[v + 1];
    }
    b[o++] = 0x20;
    for (let i = 0; i < nameLen; i++) b[o++] = name[i];
    b[o++] = 0x0a;
    this.pos = o;
  }

  /** A line given as text (UTF-8), e.g. one built on the rare slow path. */
  line(s: string): void {
    const n = Buffer.byteLength(s) + 1;
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0x0a;
  }

  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    if (!this.emit(chunk) || this.buf.length < this.chunkSize) this.buf = Buffer.allocUnsafe(this.chunkSize);
  }
}

// Types for the two internal modules of pako's zlib port that the reusable deflater drives
// directly (pako's public API has no way to reset a stream; zlib's deflateReset does).
declare module 'pako/lib/zlib/zstream.js' {
  class ZStream {
    input: Uint8Array | null;
    next_in: number;
    avail_in: number;
    total_in: number;
    output: Uint8Array | null;
    next_out: number;
    avail_out: number;
    total_out: number;
    msg: string;
    adler: number;
    state: unknown;
  }
  export default ZStream;
}

declare module 'pako/lib/zlib/deflate.js' {
  import type ZStream from 'pako/lib/zlib/zstream.js';
  interface ZlibDeflate {
    deflateInit2(strm: ZStream, level: number, method: number, windowBits: number, memLevel: number, strategy: number, legacyHash?: boolean): number;
    deflate(strm: ZStream, flush: number): number;
    deflateReset(strm: ZStream): number;
    deflateEnd(strm: ZStream): number;
  }
  const zlibDeflate: ZlibDeflate;
  export default zlibDeflate;
}

declare module 'pako/lib/zlib/inflate.js' {
  import type ZStream from 'pako/lib/zlib/zstream.js';
  interface ZlibInflate {
    inflateInit2(strm: ZStream, windowBits: number): number;
    inflate(strm: ZStream, flush: number): number;
    inflateReset(strm: ZStream): number;
    inflateEnd(strm: ZStream): number;
  }
  const zlibInflate: ZlibInflate;
  export default zlibInflate;
}

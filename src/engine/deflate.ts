/**
 * zlib level-9 compression of log blocks (reftable-format.md §3.5). deflateLevel9 runs stock
 * zlib compiled to wasm (wasm-zlib.ts) where the runtime can, and otherwise the pako port
 * below; both give the same bytes.
 *
 * Either way one deflate state is kept for the life of the process. Allocating a fresh state
 * (window, hash chains, pending buffer: about 256 KiB) per block cost far more than
 * compressing a few KiB; git itself keeps one z_stream per writer and calls deflateReset
 * before each block.
 *
 * deflateReset (zlib's reset plus lm_init, which empties the hash heads) leaves nothing of the
 * previous stream that can reach the output: hash chains start from the emptied heads, and
 * stale window bytes past the input only ever lengthen a match beyond the lookahead, where
 * zlib stops searching and clamps. So every stream is byte-identical to a fresh
 * `pako.deflate(input, { level: 9 })`, which is byte-identical to stock zlib (§3.5).
 */
import zlib from 'pako/lib/zlib/deflate.js';
import ZStream from 'pako/lib/zlib/zstream.js';
import { ErrorCode, ReftableError } from './errors.js';
import { WasmZlib, sharedWasmZlib } from './wasm-zlib.js';

const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_FINISH = 4;
const Z_DEFLATED = 8;
const Z_DEFAULT_STRATEGY = 0;
/** deflateInit(level)'s defaults: 32 KiB window, memLevel 8, zlib wrapper. */
const WINDOW_BITS = 15;
const MEM_LEVEL = 8;

function zlibError(what: string, status: number, strm: ZStream): ReftableError {
  return new ReftableError(ErrorCode.Zlib, `${what} failed: ${strm.msg || 'zlib status ' + status}`);
}

/** The one field of pako's deflate state this module touches (see reset()). */
interface HashHeads {
  head: Uint16Array;
}
const NO_HEADS = new Uint16Array(0);

export class Level9Deflater {
  private readonly strm = new ZStream();
  private readonly heads: HashHeads | undefined;
  private out = new Uint8Array(1 << 14);

  constructor() {
    // The last argument keeps zlib's classic hash (pako's default, the one stock zlib uses).
    const status = zlib.deflateInit2(this.strm, 9, Z_DEFLATED, WINDOW_BITS, MEM_LEVEL, Z_DEFAULT_STRATEGY, true);
    if (status !== Z_OK) throw zlibError('deflateInit2', status, this.strm);
    const state = this.strm.state as Partial<HashHeads> | null;
    this.heads = state?.head instanceof Uint16Array ? (state as HashHeads) : undefined;
  }

  /**
   * deflateReset, with the hash heads cleared by a native fill: pako clears those 32768
   * entries with a JS loop, which was half the cost of compressing a 512-byte block. The
   * reset sees an empty table in their place; everything else it does is unchanged.
   */
  private reset(): void {
    const state = this.heads;
    let status: number;
    if (!state) {
      status = zlib.deflateReset(this.strm);
    } else {
      const head = state.head;
      state.head = NO_HEADS;
      try {
        status = zlib.deflateReset(this.strm);
      } finally {
        state.head = head;
      }
      head.fill(0);
    }
    if (status !== Z_OK) throw zlibError('deflateReset', status, this.strm);
  }

  /** One complete zlib stream of `input`. The result is a view valid until the next call. */
  deflate(input: Uint8Array): Uint8Array {
    const strm = this.strm;
    this.reset();
    // zlib's deflateBound for these parameters is below this; growing below is a fallback.
    const bound = input.length + (input.length >> 8) + 64;
    if (this.out.length < bound) this.out = new Uint8Array(Math.max(bound, this.out.length * 2));
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    strm.output = this.out;
    strm.next_out = 0;
    strm.avail_out = this.out.length;
    try {
      for (;;) {
        const status = zlib.deflate(strm, Z_FINISH);
        if (status === Z_STREAM_END) return this.out.subarray(0, strm.next_out);
        if (status !== Z_OK || strm.avail_out !== 0) throw zlibError('deflate', status, strm);
        // Out of room: the stream does not depend on how output space is handed over.
        const bigger = new Uint8Array(this.out.length * 2);
        bigger.set(this.out);
        this.out = bigger;
        strm.output = bigger;
        strm.avail_out = bigger.length - strm.next_out;
      }
    } finally {
      // Do not pin the caller's block until the next call.
      strm.input = null;
    }
  }
}

/** What deflateLevel9 needs of a deflater; both implementations give the same bytes. */
interface Deflater {
  deflate(input: Uint8Array): Uint8Array;
}
let shared: Deflater | undefined;

/**
 * zlib stream of `input` at level 9 through the process-wide deflater (safe: the engine is
 * synchronous and each call is a whole stream): zlib itself compiled to wasm where the runtime
 * runs it, this file's pako port otherwise (a webview whose CSP forbids wasm, say). The result
 * is a view valid until the next call (or the next inflateInto, which shares the wasm instance).
 */
export function deflateLevel9(input: Uint8Array): Uint8Array {
  shared ??= sharedWasmZlib() ?? new Level9Deflater();
  return shared.deflate(input);
}

/** Which deflater deflateLevel9 chose (after its first call), for tests and diagnostics. */
export function level9Implementation(): 'wasm' | 'pako' | undefined {
  return shared === undefined ? undefined : shared instanceof WasmZlib ? 'wasm' : 'pako';
}

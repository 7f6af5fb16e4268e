/**
 * Stock zlib compiled to WebAssembly (scripts/build-zlib-wasm.sh): level-9 deflate of log
 * blocks as git writes them, and inflate of log blocks as git reads them. Same algorithm, same
 * parameters and same reset-per-stream use as git, so the same bytes as pako and git
 * (writer-deflate.test.ts and inflate-reuse.test.ts compare both with pako on every kind of
 * stream); it exists because it runs at 2–2.5 times pako's speed, and zlib is most of a
 * compaction's work.
 *
 * Memory layout of the instance: zlib's two states in the module's static arena, then from
 * rt_heap_base() our input buffer and after it the output buffer, grown (never shrunk) to the
 * largest stream seen.
 */
import { ErrorCode, ReftableError } from './errors.js';
import { ZLIB_WASM_BASE64, ZLIB_WASM_VERSION } from './zlib/zlib-wasm.js';

interface ZlibExports {
  memory: WebAssembly.Memory;
  rt_init(): number;
  rt_bound(n: number): number;
  rt_deflate(input: number, n: number, output: number, cap: number): number;
  rt_inflate(input: number, n: number, output: number, want: number): number;
  rt_inflate_in_left(): number;
  rt_inflate_out_left(): number;
  rt_inflate_msg(): number;
  rt_version(): number;
  rt_heap_base(): number;
}

const PAGE = 65536;
const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_BUF_ERROR = -5;

/** Node's Buffer where there is one: its native base64 decoder is ~8 times faster than atob and a loop. */
interface Base64Buffer {
  from(text: string, encoding: 'base64'): Uint8Array<ArrayBuffer>;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = (globalThis as { Buffer?: Base64Buffer }).Buffer;
  if (native) return native.from(text, 'base64');
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function cString(mem: Uint8Array, at: number): string {
  let end = at;
  while (end < mem.length && mem[end] !== 0) end++;
  return String.fromCharCode(...mem.subarray(at, end));
}

/** What inflating a log block found; the caller turns a failure into its error. */
export type InflateOutcome =
  | { ok: true; consumed: number }
  | { ok: false; reason: string };

/**
 * How a stream that was asked for exactly `want` bytes ended, in the words both inflate
 * implementations report: zlib's `status`, the output it produced and its message.
 */
export function inflateOutcome(status: number, produced: number, want: number, consumed: number, msg: string): InflateOutcome {
  if (status === Z_STREAM_END) {
    return produced === want ? { ok: true, consumed } : { ok: false, reason: `log block inflates to ${produced} bytes, header says ${want}` };
  }
  if (status === Z_OK || status === Z_BUF_ERROR) {
    return produced === want
      ? { ok: false, reason: `log block inflates to more than the ${want} bytes its header says` }
      : { ok: false, reason: 'log block zlib stream is truncated' };
  }
  return { ok: false, reason: `log block does not inflate: ${msg || 'zlib error ' + status}` };
}

export class WasmZlib {
  private readonly z: ZlibExports;
  private readonly base: number;
  private bytes: Uint8Array;
  /** zlib's own version string, read from the instance. */
  readonly version: string;

  /** Throws when WebAssembly is missing or refuses the module (see `create`). */
  constructor() {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(ZLIB_WASM_BASE64)), {});
    this.z = instance.exports as unknown as ZlibExports;
    const status = this.z.rt_init();
    if (status !== 0) throw new ReftableError(ErrorCode.Zlib, `deflateInit (wasm) failed: zlib status ${status}`);
    this.base = this.z.rt_heap_base();
    this.bytes = new Uint8Array(this.z.memory.buffer);
    this.version = cString(this.bytes, this.z.rt_version());
    if (this.version !== ZLIB_WASM_VERSION) {
      throw new ReftableError(ErrorCode.Zlib, `wasm zlib reports version ${this.version}, expected ${ZLIB_WASM_VERSION}`);
    }
  }

  /** An instance, or undefined where this runtime cannot run the module (callers use pako). */
  static create(): WasmZlib | undefined {
    try {
      return new WasmZlib();
    } catch {
      return undefined;
    }
  }

  /** Room for `inLen` input bytes then `outLen` output bytes: the output's address. */
  private reserve(inLen: number, outLen: number): number {
    const outAt = this.base + ((inLen + 15) & ~15);
    const end = outAt + outLen;
    const mem = this.z.memory;
    const have = mem.buffer.byteLength;
    if (end > have) mem.grow(Math.ceil((end - have) / PAGE));
    // A grown memory detaches the old buffer: views are remade from the current one.
    if (this.bytes.buffer !== mem.buffer) this.bytes = new Uint8Array(mem.buffer);
    return outAt;
  }

  /** One complete level-9 zlib stream of `input`. The result is a view valid until the next deflate or inflate. */
  deflate(input: Uint8Array): Uint8Array {
    const z = this.z;
    const n = input.length;
    const cap = z.rt_bound(n);
    const outAt = this.reserve(n, cap);
    this.bytes.set(input, this.base);
    const len = z.rt_deflate(this.base, n, outAt, cap);
    if (len < 0) throw new ReftableError(ErrorCode.Zlib, `deflate (wasm) failed: zlib status ${len}`);
    return this.bytes.subarray(outAt, outAt + len);
  }

  /**
   * Inflate the zlib stream at the start of `input` into out[outStart, outStart+want), which
   * it must fill exactly; bytes after the stream are left alone.
   */
  inflate(input: Uint8Array, out: Uint8Array, outStart: number, want: number): InflateOutcome {
    const z = this.z;
    const n = input.length;
    const outAt = this.reserve(n, want);
    this.bytes.set(input, this.base);
    const status = z.rt_inflate(this.base, n, outAt, want);
    if (status === -100) return { ok: false, reason: 'inflate (wasm) could not set up its state' };
    const produced = want - z.rt_inflate_out_left();
    const res = inflateOutcome(status, produced, want, n - z.rt_inflate_in_left(), status < 0 ? cString(this.bytes, z.rt_inflate_msg()) : '');
    if (res.ok) out.set(this.bytes.subarray(outAt, outAt + want), outStart);
    return res;
  }
}

let shared: WasmZlib | null | undefined;

/** The process-wide instance (the engine is synchronous, each call a whole stream), or undefined without WebAssembly. */
export function sharedWasmZlib(): WasmZlib | undefined {
  if (shared === undefined) shared = WasmZlib.create() ?? null;
  return shared ?? undefined;
}

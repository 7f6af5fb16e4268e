/**
 * Level-9 zlib streams from stock zlib compiled to WebAssembly (scripts/build-zlib-wasm.sh).
 * Same algorithm, same parameters and same reset-per-block use as git's writer, so the same
 * bytes as pako and git (writer-deflate.test.ts compares it with pako on every kind of block);
 * it exists because it runs at about twice pako's speed, and deflate is most of compaction.
 *
 * Memory layout of the instance: zlib's state in the module's static arena, then from
 * rt_heap_base() our input buffer and after it the output buffer, grown (never shrunk) to
 * the largest block seen.
 */
import { ErrorCode, ReftableError } from './errors.js';
import { ZLIB_DEFLATE_WASM_BASE64, ZLIB_WASM_VERSION } from './zlib/zlib-deflate-wasm.js';

interface ZlibExports {
  memory: WebAssembly.Memory;
  rt_init(): number;
  rt_bound(n: number): number;
  rt_deflate(input: number, n: number, output: number, cap: number): number;
  rt_version(): number;
  rt_heap_base(): number;
}

const PAGE = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
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

export class WasmLevel9Deflater {
  private readonly z: ZlibExports;
  private readonly base: number;
  private bytes: Uint8Array;
  /** zlib's own version string, read from the instance. */
  readonly version: string;

  /** Throws when WebAssembly is missing or refuses the module (see `create`). */
  constructor() {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(ZLIB_DEFLATE_WASM_BASE64)), {});
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

  /** A deflater, or undefined where this runtime cannot run the module (the caller uses pako). */
  static create(): WasmLevel9Deflater | undefined {
    try {
      return new WasmLevel9Deflater();
    } catch {
      return undefined;
    }
  }

  /** One complete zlib stream of `input`. The result is a view valid until the next call. */
  deflate(input: Uint8Array): Uint8Array {
    const z = this.z;
    const n = input.length;
    const cap = z.rt_bound(n);
    const inAt = this.base;
    const outAt = inAt + ((n + 15) & ~15);
    const end = outAt + cap;
    const have = z.memory.buffer.byteLength;
    if (end > have) z.memory.grow(Math.ceil((end - have) / PAGE));
    // A grown memory detaches the old buffer: views are remade from the current one.
    if (this.bytes.buffer !== z.memory.buffer) this.bytes = new Uint8Array(z.memory.buffer);
    this.bytes.set(input, inAt);
    const len = z.rt_deflate(inAt, n, outAt, cap);
    if (len < 0) throw new ReftableError(ErrorCode.Zlib, `deflate (wasm) failed: zlib status ${len}`);
    return this.bytes.subarray(outAt, outAt + len);
  }
}

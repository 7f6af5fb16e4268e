/**
 * zlib inflation of log blocks (reftable-format.md §3.5): stock zlib compiled to wasm
 * (wasm-zlib.ts) where the runtime can, else pako's port, below. Either way one inflate state
 * is kept for the process and reset per block (zlib's inflateReset keeps the 32 KiB window
 * allocation): pako's Inflate class allocates state, window and output chunks for every block.
 * Output goes straight into the caller's buffer, sized by the block header, so a stream that
 * inflates to more than the header promises stops at that size instead of growing without
 * bound.
 */
import zlib from 'pako/lib/zlib/inflate.js';
import ZStream from 'pako/lib/zlib/zstream.js';
import { ErrorCode, ReftableError } from './errors.js';
import { InflateOutcome, WasmZlib, inflateOutcome, sharedWasmZlib } from './wasm-zlib.js';

const Z_OK = 0;
const Z_FINISH = 4;
/** zlib wrapper, 32 KiB window (what inflateInit uses). */
const WINDOW_BITS = 15;

export interface InflateResult {
  /** Bytes of `input` the stream occupied. */
  consumed: number;
}

let strm: ZStream | undefined;

/** The fields of pako's inflate state that zlib's inflateReset sets (pako 2.2, as zlib 1.2.x). */
interface ResetFields {
  wsize: number; whave: number; wnext: number; total: number; wrap: number; mode: number; last: number; havedict: number;
  flags: number; dmax: number; head: unknown; hold: number; bits: number; sane: number; back: number;
  lencode: Int32Array; distcode: Int32Array; lendyn: Int32Array; distdyn: Int32Array;
}

/** The state's mode right after init (zlib's HEAD), read rather than assumed. */
let headMode = -1;

/**
 * zlib's inflateReset keeping the dynamic code tables, as C zlib does: pako's allocates two
 * fresh tables (about 6 KiB) per stream, a tenth of inflating a small log block. Used only when
 * the state has the shape checked here; otherwise pako's own reset runs.
 */
function resetInflate(s: ZStream): boolean {
  const st = s.state as Partial<ResetFields> | null;
  if (headMode < 0 || !st || !(st.lendyn instanceof Int32Array) || !(st.distdyn instanceof Int32Array) || typeof st.mode !== 'number') {
    return zlib.inflateReset(s) === Z_OK;
  }
  st.wsize = 0;
  st.whave = 0;
  st.wnext = 0;
  s.total_in = s.total_out = st.total = 0;
  s.msg = '';
  if (st.wrap) s.adler = st.wrap & 1;
  st.mode = headMode;
  st.last = 0;
  st.havedict = 0;
  st.flags = -1;
  st.dmax = 32768;
  st.head = null;
  st.hold = 0;
  st.bits = 0;
  st.lencode = st.lendyn;
  st.distcode = st.distdyn;
  st.sane = 1;
  st.back = -1;
  return true;
}

/** The inflater inflateInto uses: set on its first call. */
let chosen: WasmZlib | 'pako' | undefined;

/**
 * Inflate the zlib stream at the start of `input` into out[outStart, outStart+want), which it
 * must fill exactly. `offset` (file position of the stream) goes into errors.
 */
export function inflateInto(input: Uint8Array, out: Uint8Array, outStart: number, want: number, offset: number): InflateResult {
  chosen ??= sharedWasmZlib() ?? 'pako';
  const res = chosen === 'pako' ? pakoInflate(input, out, outStart, want) : chosen.inflate(input, out, outStart, want);
  if (!res.ok) throw new ReftableError(ErrorCode.Zlib, res.reason, { offset });
  return { consumed: res.consumed };
}

/** Which inflater inflateInto chose (after its first call), for tests and diagnostics. */
export function inflateImplementation(): 'wasm' | 'pako' | undefined {
  return chosen === undefined ? undefined : chosen === 'pako' ? 'pako' : 'wasm';
}

/** inflateInto through pako, whatever the runtime offers (tests compare the two). */
export function pakoInflateInto(input: Uint8Array, out: Uint8Array, outStart: number, want: number, offset: number): InflateResult {
  const res = pakoInflate(input, out, outStart, want);
  if (!res.ok) throw new ReftableError(ErrorCode.Zlib, res.reason, { offset });
  return { consumed: res.consumed };
}

function pakoInflate(input: Uint8Array, out: Uint8Array, outStart: number, want: number): InflateOutcome {
  let s = strm;
  if (!s) {
    s = new ZStream();
    const st = zlib.inflateInit2(s, WINDOW_BITS);
    if (st !== Z_OK) return { ok: false, reason: `inflateInit2 failed: zlib status ${st}` };
    const mode = (s.state as Partial<ResetFields> | null)?.mode;
    if (typeof mode === 'number') headMode = mode;
    strm = s;
  } else if (!resetInflate(s)) {
    return { ok: false, reason: 'inflateReset failed' };
  }
  s.input = input;
  s.next_in = 0;
  s.avail_in = input.length;
  s.output = out;
  s.next_out = outStart;
  s.avail_out = want;
  s.msg = '';
  try {
    const status = zlib.inflate(s, Z_FINISH);
    return inflateOutcome(status, s.next_out - outStart, want, s.next_in, s.msg);
  } finally {
    // Do not pin the caller's buffers until the next block.
    s.input = null;
    s.output = null;
  }
}

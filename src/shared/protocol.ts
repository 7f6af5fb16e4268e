/**
 * The one message protocol between the extension host and its webviews (table inspector and
 * compaction panel). Each direction is a discriminated union on `type`; the webview speaks
 * first with `ready`; requests carry an `id` echoed by exactly one `response`. Everything is
 * plain data; block bytes travel as ArrayBuffers.
 *
 * The host never trusts what a webview posts: `parseInspectorMessage` / `parseCompactionMessage`
 * check every field and return undefined for anything malformed.
 */
import type { BlockLayout, ObjectLookup, SeekPath, TableLayout } from '../engine/layout.js';
import type { Finding } from '../store/api.js';

// ---- inspector ----------------------------------------------------------------------------

/** Request methods the inspector webview may call, with their parameters and results. */
export interface InspectorMethods {
  /** Decode one block (by its index in `TableLayout.blocks`) and send its bytes. */
  block: { params: { index: number }; result: BlockPayload };
  /** Trace a seek for a ref name (or the newest reflog entry of a ref). */
  seek: { params: { name: string; section: 'ref' | 'log' }; result: SeekPath };
  /** Refs whose id starts with a hex prefix. */
  lookupObject: { params: { prefix: string }; result: ObjectLookup };
}
export type InspectorMethod = keyof InspectorMethods;

export interface BlockPayload {
  layout: BlockLayout;
  /** On-disk bytes [summary.offset, summary.offset + summary.paddedLength). */
  bytes: ArrayBuffer;
  /** Log blocks: the inflated block, positions 0..blockLen (the layout's coordinate space). */
  inflated?: ArrayBuffer;
}

export interface ErrorInfo {
  message: string;
  code?: string;
  offset?: number;
}

/** Where the file went after a compaction, when the stack names a table that covers it. */
export interface Replacement {
  /** Absolute path of the newer table. */
  file: string;
  name: string;
  minUpdateIndex: number;
  maxUpdateIndex: number;
}

export type RequestMessage = {
  [M in InspectorMethod]: { type: 'request'; id: number; method: M; params: InspectorMethods[M]['params'] };
}[InspectorMethod];

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: InspectorMethods[InspectorMethod]['result'] }
  | { type: 'response'; id: number; ok: false; error: ErrorInfo };

/** Host → inspector webview. */
export type InspectorHostMessage =
  | {
    type: 'init';
    file: string;
    fileName: string;
    /** Undefined when the table does not even open (then `error` says why). */
    layout?: TableLayout;
    /** Absent when verification runs after the first paint (big tables); a `findings` message follows. */
    findings?: Finding[];
    error?: ErrorInfo;
    /** File bytes of the header and the footer (blocks come with `block` requests). */
    headerBytes?: ArrayBuffer;
    footerBytes?: ArrayBuffer;
  }
  | ResponseMessage
  /** Verification results, sent after `init` when they were not ready in time. */
  | { type: 'findings'; findings: Finding[] }
  /** The file was deleted (typically by a compaction). */
  | { type: 'tableGone'; replacement?: Replacement }
  /** Select the byte at a file offset (from a command such as "show finding"). */
  | { type: 'reveal'; offset: number };

/** Inspector webview → host. */
export type InspectorWebviewMessage =
  | { type: 'ready' }
  | RequestMessage
  /** Open the table that replaced a deleted one. */
  | { type: 'openReplacement' }
  /** Copy text to the clipboard (webviews cannot in every host). */
  | { type: 'copy'; text: string };

// ---- compaction panel ---------------------------------------------------------------------

export interface CompactionLayer {
  name: string;
  /** File size in bytes. */
  size: number;
  /** The size git's policy weighs (file size minus footer and header but one byte). */
  policySize: number;
  minUpdateIndex: number;
  maxUpdateIndex: number;
  refCount: number;
  logCount: number;
  refTombstones: number;
  logTombstones: number;
  /** Tombstones / records, 0..1. */
  tombstoneShare: number;
  /** This layer is at least `factor` times the next newer one (always true for the newest). */
  geometricOk: boolean;
  /** Part of the segment auto-compaction would merge next. */
  inNextSegment: boolean;
}

export interface CompactionStackState {
  /** 'main' or a worktree id. */
  id: string;
  dir: string;
  layers: CompactionLayer[];
  /** The sequence satisfies the geometric rule (no auto-compaction pending). */
  satisfied: boolean;
  /** Segment auto-compaction would merge next (inclusive indexes, 0 = oldest). */
  next?: { start: number; end: number; tables: number; resultPolicySize: number; resultSizeEstimate: number; dropsTombstones: boolean };
  warnings: string[];
}

export interface CompactionState {
  repository: string;
  hash: 'sha1' | 'sha256';
  factor: number;
  stacks: CompactionStackState[];
  /** Untrusted workspace: the panel shows the state but its buttons are off (the host refuses too). */
  readOnly?: boolean;
  /** What the last button press did. */
  lastAction?: { mode: 'auto' | 'full'; stack: string; summary: string; error?: boolean };
}

/** Host → compaction webview. */
export type CompactionHostMessage =
  | { type: 'state'; state: CompactionState }
  | { type: 'busy'; busy: boolean };

/** Compaction webview → host. */
export type CompactionWebviewMessage =
  | { type: 'ready' }
  | { type: 'compact'; mode: 'auto' | 'full'; stack: string }
  | { type: 'refresh' };

// ---- validation (host side) ---------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isStr = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
/** Only the listed keys may be present (extra keys mean a confused or hostile sender). */
const onlyKeys = (o: Obj, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** Longest ref name / prefix the host accepts from a webview. */
export const MAX_NAME = 4096;

function parseRequest(o: Obj): RequestMessage | undefined {
  if (!onlyKeys(o, ['type', 'id', 'method', 'params']) || !isId(o.id) || !isObj(o.params)) return undefined;
  const p = o.params;
  switch (o.method) {
    case 'block':
      return onlyKeys(p, ['index']) && isId(p.index) ? { type: 'request', id: o.id, method: 'block', params: { index: p.index } } : undefined;
    case 'seek':
      return onlyKeys(p, ['name', 'section']) && isStr(p.name, MAX_NAME) && (p.section === 'ref' || p.section === 'log')
        ? { type: 'request', id: o.id, method: 'seek', params: { name: p.name, section: p.section } }
        : undefined;
    case 'lookupObject':
      return onlyKeys(p, ['prefix']) && isStr(p.prefix, 128) && /^[0-9a-fA-F]+$/.test(p.prefix)
        ? { type: 'request', id: o.id, method: 'lookupObject', params: { prefix: p.prefix } }
        : undefined;
    default:
      return undefined;
  }
}

/** Validate a message from the inspector webview; undefined when it is malformed. */
export function parseInspectorMessage(x: unknown): InspectorWebviewMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return onlyKeys(x, ['type']) ? { type: 'ready' } : undefined;
    case 'openReplacement':
      return onlyKeys(x, ['type']) ? { type: 'openReplacement' } : undefined;
    case 'copy':
      return onlyKeys(x, ['type', 'text']) && isStr(x.text, 1 << 20) ? { type: 'copy', text: x.text } : undefined;
    case 'request':
      return parseRequest(x);
    default:
      return undefined;
  }
}

/** Validate a message from the compaction webview; undefined when it is malformed. */
export function parseCompactionMessage(x: unknown): CompactionWebviewMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'ready':
    case 'refresh':
      return onlyKeys(x, ['type']) ? { type: x.type } : undefined;
    case 'compact':
      return onlyKeys(x, ['type', 'mode', 'stack']) && (x.mode === 'auto' || x.mode === 'full') && isStr(x.stack, 256) && x.stack.length > 0
        ? { type: 'compact', mode: x.mode, stack: x.stack }
        : undefined;
    default:
      return undefined;
  }
}

// ---- webview persisted state --------------------------------------------------------------

/** What the inspector keeps through getState/setState (a hidden tab comes back as it was). */
export interface InspectorViewState {
  selectedBlock?: number;
  selectedRecord?: number;
  selectedField?: number;
  /** 'block' fields when selectedRecord is unset; header/footer selections use these areas. */
  area?: 'header' | 'footer' | 'block';
  expanded?: number[];
  seekText?: string;
  lookupText?: string;
  tab?: 'seek' | 'lookup' | 'diagnostics';
  treeScroll?: number;
}

/**
 * Ref transactions as git 2.47's reftable backend runs them (refs/reftable-backend.c prepare
 * and write_transaction_table; reftable-format.md §8.3): expectations checked under the stack
 * lock, symrefs dereferenced into an update of their target plus a log-only entry, the
 * automatic HEAD log-only entry when HEAD's branch moves, no-ops dropped, then one table per
 * stack with refs sorted by name followed by the sorted logs. The goal is byte identity with
 * `git update-ref` given the same committer and date.
 */
import { bytesEqual, compareBytes, isZero, text, toHex, utf8 } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { LogValueType, RefValueType } from '../engine/format.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import { cleanLogMessage, writeTable } from '../engine/writer.js';
import type { CompactionResult, RefUpdate, RepositoryInfo, TransactionOptions, TransactionResult } from './api.js';
import { AddResult, WriteSettings, addTable, writeSettings, writeTableFile } from './add-table.js';
import { LockFile, unlinkQuietly } from './lock.js';
import { Committer, committerIdentity, logAllRefUpdates, normalizeReflogMessage, shouldAutocreateReflog } from './reflog-policy.js';
import { checkLeadingDirs, checkNothingBelow, checkRefnameAvailable, checkSymrefTarget, checkWritableRefname } from './refname.js';
import { NO_NAMES, TransactionNames } from './transaction-names.js';
import { LoadedStack, RepoLike, StackRef, commitTablesList, loadStack, repoInfoOf, stackFor } from './tables-list.js';
import { autoCompactAfterCommit, commitFolded } from './compaction.js';
import type { PendingRecords } from '../engine/compact.js';
import { RefLookup } from './ref-lookup.js';
import { oidFromHex } from './hex.js';
import { OidSlots } from './oid-slots.js';
import { FORCE_REFLOG, NO_DEREF, StackPlace, Update, notAnOid } from './transaction-update.js';
import { PackedUpdate, setsNewId } from './update-stdin.js';

export { stackFor, repoInfoOf };
export type { RepoLike, StackRef };
import * as path from 'node:path';

/** A RefUpdate plus git's per-update `--no-deref`. */
export type StoreUpdate = RefUpdate & { noDeref?: boolean };

/** The stacks as read for one attempt; locked ones are read under their lock. */
class View {
  private readonly loaded = new Map<string, LoadedStack>();
  constructor(readonly info: RepositoryInfo, fresh: Map<string, LoadedStack>) {
    for (const [k, v] of fresh) this.loaded.set(k, v);
  }

  private readonly lookups = new Map<string, RefLookup>();
  private readonly dirLookups = new Map<string, RefLookup>();
  private readonly dirs = new Map<string, boolean>();

  /** The forward-moving lookup of one stack (see ref-lookup.ts). */
  lookup(ref: StackPlace): RefLookup {
    let l = this.lookups.get(ref.stack);
    if (!l) this.lookups.set(ref.stack, (l = new RefLookup(this.stack(ref).merged)));
    return l;
  }

  /**
   * Whether a live ref named `refname` exists, remembered: the D/F check asks the same few
   * leading directories ("refs", "refs/heads") for every name of a transaction. A lookup of
   * its own keeps these out-of-order queries from resetting the main cursors.
   */
  dirExists(refname: string): boolean {
    let v = this.dirs.get(refname);
    if (v === undefined) {
      const at = stackFor(this.info, refname);
      let l = this.dirLookups.get(at.stack);
      if (!l) this.dirLookups.set(at.stack, (l = new RefLookup(this.stack(at).merged)));
      v = l.get(utf8(at.name)) !== undefined;
      this.dirs.set(refname, v);
    }
    return v;
  }

  stack(ref: StackPlace): LoadedStack {
    let s = this.loaded.get(ref.stack);
    if (!s) {
      s = loadStack({ dir: ref.dir, hash: this.info.hash });
      this.loaded.set(ref.stack, s);
    }
    return s;
  }

  raw(refname: string): RefRecord | undefined {
    const at = stackFor(this.info, refname);
    return this.stack(at).merged.ref(utf8(at.name))?.record;
  }

  /**
   * refs_resolve_ref_unsafe: follow symrefs (at most 5). `reading` = RESOLVE_REF_READING: a
   * missing final ref fails instead of resolving to the zero id.
   */
  resolve(refname: string, reading: boolean): { name: string; oid: Uint8Array } | undefined {
    let name = refname;
    for (let depth = 0; depth <= 5; depth++) {
      const r = this.raw(name);
      if (!r) return reading ? undefined : { name, oid: new Uint8Array(this.info.hash.size) };
      if (r.valueType !== RefValueType.Symref) return { name, oid: r.value! };
      name = text(r.target!);
    }
    return undefined;
  }

  /** Live log records of a ref (existence markers included), newest first. */
  logs(refname: string): LogRecord[] {
    const at = stackFor(this.info, refname);
    return [...this.stack(at).merged.logsFor(utf8(at.name))].map((s) => s.record);
  }

  reflogExists(refname: string): boolean {
    const at = stackFor(this.info, refname);
    return !this.stack(at).merged.logsFor(utf8(at.name)).next().done;
  }

  *namesBelow(prefix: string): Generator<string> {
    const at = stackFor(this.info, prefix);
    for (const s of this.stack(at).merged.refsWithPrefix(utf8(at.name))) yield text(s.record.name);
  }
}

// ---- the update model: transaction-update.ts ----------------------------------------------

const places = new WeakMap<RepositoryInfo, Map<string, StackPlace>>();

function placeOf(info: RepositoryInfo, u: Update): StackPlace {
  if (u.at) return u.at;
  const r = stackFor(info, u.refname);
  let byStack = places.get(info);
  if (!byStack) places.set(info, (byStack = new Map()));
  let at = byStack.get(r.stack);
  if (!at || at.dir !== r.dir) byStack.set(r.stack, (at = { stack: r.stack, dir: r.dir }));
  if (r.name !== u.refname) u.stored = r.name;
  return (u.at = at);
}

/** The name as stored in its stack. */
function storedName(info: RepositoryInfo, u: Update): string {
  placeOf(info, u);
  return u.stored ?? u.refname;
}

/**
 * The stored name as bytes, made afresh for each use (lookup, ref record, log record): held
 * per update, a million-ref transaction kept a million typed-array objects alive.
 */
function keyOf(info: RepositoryInfo, u: Update): Uint8Array {
  return nameBytes(storedName(info, u));
}

/**
 * UTF-8 of a ref name; ASCII (nearly every name) by a plain loop, cheaper than TextEncoder per
 * short string. The arrays are short-lived (nothing per update keeps one), and V8 allocates
 * small ones in the young generation like any object: cheaper than carving them from chunks.
 */
function nameBytes(s: string): Uint8Array {
  return isAscii(s) ? asciiInto(s, new Uint8Array(s.length)) : utf8(s);
}

/** Whether every char of `s` is below 0x80 (its UTF-8 is then its char codes). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The char codes of ASCII `s` written to out[0, s.length); returns `out`. */
function asciiInto(s: string, out: Uint8Array): Uint8Array {
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Ref names as bytes in buffers reused by length: one array per distinct length instead of one
 * per name. A buffer is valid until the next name of its length (non-ASCII names get a fresh
 * array). For producers that hand each record out before making the next.
 */
class NameBuffers {
  private readonly byLength: Uint8Array[] = [];

  /** `s` as bytes, followed by the byte `then` when one is given (a `name/` prefix). */
  of(s: string, then = -1): Uint8Array {
    if (!isAscii(s)) return utf8(then < 0 ? s : s + String.fromCharCode(then));
    const n = s.length;
    const len = then < 0 ? n : n + 1;
    const out = asciiInto(s, (this.byLength[len] ??= new Uint8Array(len)));
    if (then >= 0) out[n] = then;
    return out;
  }
}

/** An iterator over what `produce` returns until undefined, with one result object reused. */
function reusedResults<T>(produce: () => T | undefined): Iterator<T> {
  const result = { done: false, value: undefined as T | undefined };
  return {
    next: () => {
      const v = produce();
      if (v === undefined) {
        result.done = true;
        result.value = undefined;
      } else {
        result.value = v;
      }
      return result as IteratorResult<T>;
    },
  };
}

function oidBytes(hex: string, size: number, what: string): Uint8Array {
  const b = oidFromHex(hex, size);
  if (!b) throw notAnOid(what, hex, size);
  return b;
}

/**
 * Whether `createReflog` applies to an update: git's update-ref passes it with what sets a
 * value (create, update, symref-create, symref-update), not with delete, verify,
 * symref-delete or symref-verify (nor the command line's -d).
 */
function takesCreateReflog(op: StoreUpdate['op']): boolean {
  return op === 'create' || op === 'update' || op === 'symref-create' || op === 'symref-update';
}

/** The git update for one RefUpdate. */
function toModel(u: StoreUpdate, ids: OidSlots, msg: Uint8Array, createReflog: boolean): Update {
  const forceReflog = createReflog && takesCreateReflog(u.op);
  if (u instanceof PackedUpdate) return packedModel(u, ids, msg, forceReflog);
  const m = new Update(u.name, ids, msg, ids.zero);
  m.flags = (u.noDeref ? NO_DEREF : 0) | (forceReflog ? FORCE_REFLOG : 0);
  switch (u.op) {
    case 'create':
      m.haveNew = true;
      m.setHex('new', u.oid, 'new value');
      if (m.newIsZero) throw new ReftableError(ErrorCode.Usage, `create ${u.name}: zero new value`);
      if (u.peeled) m.newPeeled = oidBytes(u.peeled, ids.size, `${u.name}: peeled value`);
      m.haveOld = true;
      return m;
    case 'update':
      m.haveNew = true;
      m.setHex('new', u.oid, 'new value');
      if (u.peeled) m.newPeeled = oidBytes(u.peeled, ids.size, `${u.name}: peeled value`);
      if (u.old !== undefined) {
        m.haveOld = true;
        if (u.old !== '') m.setHex('old', u.old, 'old value');
      }
      return m;
    case 'delete':
      m.haveNew = true;
      // Like `update-ref -d REF 0000…`: a zero old value means "don't care".
      if (u.old !== undefined && u.old !== '') {
        m.setHex('old', u.old, 'old value');
        if (!m.oldIsZero) m.haveOld = true;
      }
      return m;
    case 'verify':
      m.haveOld = true;
      if (u.old !== undefined && u.old !== '') m.setHex('old', u.old, 'old value');
      return m;
    case 'symref-create':
      checkSymrefTarget(u.name, u.target);
      m.haveNew = true;
      m.newTarget = u.target;
      m.haveOld = true;
      return m;
    case 'symref-update':
      checkSymrefTarget(u.name, u.target);
      m.haveNew = true;
      m.newTarget = u.target;
      if (u.oldTarget !== undefined) {
        m.haveOld = true;
        m.oldTarget = u.oldTarget;
      } else if (u.old !== undefined) {
        m.haveOld = true;
        m.setHex('old', u.old, 'old value');
      }
      return m;
    case 'symref-delete':
      m.haveNew = true;
      m.noDeref = true;
      if (u.oldTarget !== undefined) {
        m.haveOld = true;
        m.oldTarget = u.oldTarget;
      }
      return m;
    case 'symref-verify':
      m.noDeref = true;
      m.haveOld = true;
      if (u.oldTarget !== undefined) m.oldTarget = u.oldTarget;
      return m;
  }
}

/**
 * toModel of a bulk stdin line: the parser already made it the model (flags as toModel sets
 * them, ids in the input's store), so the transaction takes it as it is when its ids live in
 * the transaction's own store. A line some earlier transaction took, or whose store is not
 * this one, is copied from what was parsed.
 */
function packedModel(u: PackedUpdate, ids: OidSlots, msg: Uint8Array, forceReflog: boolean): Update {
  const flags = u.parsedFlags | (forceReflog ? FORCE_REFLOG : 0);
  if (u.ids === ids && !u.adopted) {
    u.adopted = true;
    u.msg = msg;
    u.flags = flags;
    return u;
  }
  // Ids parsed for another hash cannot be copied: refused as their hex would be. A delete that
  // gave no old id carries none, and goes through like its StdinUpdate.
  if (u.ids.size !== ids.size) {
    const hex = u.op === 'delete' ? u.old : u.oid;
    if (hex !== undefined) throw notAnOid(`${u.refname}: ${u.op === 'delete' ? 'old' : 'new'} value`, hex, ids.size);
  }
  const m = new Update(u.refname, ids, msg, ids.zero);
  m.flags = flags;
  const { newSlot, oldSlot } = u.parsedSlots;
  m.setSlot('new', u.ids, newSlot);
  m.setSlot('old', u.ids, oldSlot);
  return m;
}

/** The store a transaction's ids go in: that of its bulk stdin lines when they share one. */
function idStoreFor(updates: readonly StoreUpdate[], size: number): OidSlots {
  const first = updates[0];
  if (first instanceof PackedUpdate && first.ids.size === size && !first.adopted) return first.ids;
  return new OidSlots(size, updates.length);
}

function expectation(msg: string, ref: string): ReftableError {
  return new ReftableError(ErrorCode.Expectation, msg, { data: { ref } });
}

const nullNew = (u: Update) => u.newTarget === undefined && u.newIsZero;
const expectsExisting = (u: Update) => u.haveOld && (!u.oldIsZero || u.oldTarget !== undefined);
const origName = (u: Update): string => (u.parent ? origName(u.parent) : u.refname);

const NO_SKIP: ReadonlySet<string> = new Set();
const SLASH = 0x2f;

/**
 * The stack's record of every input update and, for the directory/file check, the first live
 * name below `name/`, found in one pass in name order (`order`: input indexes) per stack
 * (ref-lookup.ts). `below` is asked only for names that do not exist, so it is filled lazily
 * but still in name order for sorted input.
 */
function survey(
  view: View,
  input: Update[],
  order: readonly number[],
): { records: (RefRecord | undefined)[]; below: (i: number) => readonly string[]; nothingBelow: (i: number) => boolean } {
  const info = view.info;
  const records: (RefRecord | undefined)[] = new Array(input.length);
  const firstBelow: (string | null | undefined)[] = new Array(input.length);
  // Keys and prefixes in reused buffers (the lookup keeps nothing of them): two arrays per
  // update were a quarter of a 100,000-ref transaction's allocations.
  const keys = new NameBuffers();
  const prefixes = new NameBuffers();
  // Indexed loops over the per-update arrays here and below: a for-of makes an iterator
  // result per element until the optimizing compiler takes the loop over (16 MB for 100k).
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const u = input[i];
    const at = placeOf(info, u);
    const lookup = view.lookup(at);
    const name = storedName(info, u);
    const r = lookup.get(keys.of(name));
    records[i] = r;
    if (!r) firstBelow[i] = lookup.firstWithPrefix(prefixes.of(name, SLASH)) ?? null;
  }
  return {
    records,
    below: (i) => {
      const b = firstBelow[i];
      if (b === undefined) {
        // Not surveyed (the record existed): ask directly.
        return [...view.namesBelow(`${input[i].refname}/`)];
      }
      return b === null ? NO_NAMES : [b];
    },
    nothingBelow: (i) => firstBelow[i] === null,
  };
}

/**
 * reftable_be_transaction_prepare: returns the updates to write, per stack, in queue order.
 * Throws EXPECTATION / REF_NAME errors; nothing has been written at that point.
 */
function prepare(view: View, input: Update[]): Map<string, { at: StackPlace; updates: Update[] }> {
  const info = view.info;
  const all = [...input];
  const names = new TransactionNames(input.map((u) => u.refname));
  const queued = new Map<string, { at: StackPlace; updates: Update[] }>();
  const zero = new Uint8Array(info.hash.size);
  // The stack of the last update queued: nearly every update of a transaction shares it.
  let last: { at: StackPlace; updates: Update[] } | undefined;
  const queue = (u: Update) => {
    const at = placeOf(info, u);
    if (last?.at !== at) {
      last = queued.get(at.stack);
      if (!last) queued.set(at.stack, (last = { at, updates: [] }));
    }
    last.updates.push(u);
  };
  const extrasBelow = (name: string) => names.below(name);
  // Names directly in this directory passed the leading-directory check (at names.generation).
  let cleanDir = '';
  let cleanGeneration = -1;
  const known = survey(view, input, names.order);
  const exists = (n: string) => view.dirExists(n);
  // One function each, not a closure per update over its index: a closure in the loop made
  // V8 allocate a context for every iteration.
  let surveyed = -1;
  const surveyedBelow = () => known.below(surveyed);
  const storedBelow = (p: string) => view.namesBelow(p);
  const head = view.raw('HEAD');
  const headTarget = head?.valueType === RefValueType.Symref ? text(head.target!) : undefined;

  for (let i = 0; i < all.length; i++) {
    const u = all[i];
    const at = placeOf(info, u);

    if (headTarget !== undefined && !u.logOnly && !u.viaHead && storedName(info, u) === headTarget) {
      if (names.has('HEAD')) {
        throw new ReftableError(ErrorCode.Usage, `multiple updates for 'HEAD' (including one via its referent '${u.refname}') are not allowed`, { data: { ref: 'HEAD' } });
      }
      const h = u.copyAs('HEAD', u.current, false);
      h.logOnly = true;
      h.noDeref = true;
      h.isSymref = false;
      all.push(h);
      names.add('HEAD');
    }

    // Input updates were looked up in one sorted pass; derived ones (few) one by one.
    const r = i < input.length ? known.records[i] : view.stack(at).merged.ref(keyOf(info, u))?.record;
    let current: Uint8Array = zero;
    let referent = '';
    if (r?.valueType === RefValueType.Symref) {
      u.isSymref = true;
      referent = text(r.target!);
    } else if (r) current = r.value!;

    if (!r && !expectsExisting(u)) {
      surveyed = i;
      const namesBelow = i < input.length ? surveyedBelow : storedBelow;
      // checkRefnameAvailable, with the leading directories checked once per directory.
      const n = u.refname;
      if (cleanGeneration !== names.generation || !n.startsWith(cleanDir) || n.indexOf('/', cleanDir.length) >= 0) {
        checkLeadingDirs(n, exists, names, NO_SKIP);
        const d = n.lastIndexOf('/');
        cleanDir = n.slice(0, d + 1);
        cleanGeneration = names.generation;
      }
      // Most names of a bulk transaction have nothing below them, stored or in the
      // transaction: known without asking (the check's iteration cost 5% of a 100k one).
      if (i >= input.length || !known.nothingBelow(i) || names.isDirectory(n)) checkNothingBelow(n, namesBelow, names, NO_SKIP, extrasBelow);
      if (u.haveNew && !nullNew(u)) {
        u.current = current;
        queue(u);
      }
      continue;
    }
    if (!r) {
      throw expectation(`cannot lock ref '${origName(u)}': unable to resolve reference '${u.refname}'`, u.refname);
    }

    if (u.isSymref) {
      const resolved = view.resolve(u.refname, false);
      if (resolved) current = resolved.oid;
      if (u.noDeref) {
        if (u.haveOld && !resolved) throw expectation(`cannot lock ref '${u.refname}': error reading reference`, u.refname);
      } else {
        const derived = u.copyAs(referent, zero, true);
        derived.viaHead = u.viaHead || storedName(info, u) === 'HEAD';
        derived.isSymref = false;
        derived.parent = u;
        if (u.newTarget !== undefined) derived.newOid = zero;
        if (u.oldTarget !== undefined) derived.oldOid = zero;
        u.logOnly = true;
        u.noDeref = true;
        u.haveOld = false;
        if (names.has(referent)) {
          throw new ReftableError(ErrorCode.Usage, `multiple updates for '${referent}' (including one via symref '${u.refname}') are not allowed`, { data: { ref: referent } });
        }
        names.add(referent);
        all.push(derived);
      }
    }

    if (u.oldTarget !== undefined) {
      if (!u.isSymref) {
        throw expectation(`cannot lock ref '${origName(u)}': expected symref with target '${u.oldTarget}': but is a regular ref`, u.refname);
      }
      if (referent !== u.oldTarget) {
        throw expectation(referent === ''
          ? `verifying symref target: '${origName(u)}': reference is missing but expected ${u.oldTarget}`
          : `verifying symref target: '${origName(u)}': is at ${referent} but expected ${u.oldTarget}`, u.refname);
      }
    } else if (u.haveOld && !u.oldEquals(current)) {
      const msg = u.oldIsZero
        ? `cannot lock ref '${origName(u)}': reference already exists`
        : isZero(current)
          ? `cannot lock ref '${origName(u)}': reference is missing but expected ${toHex(u.oldOid)}`
          : `cannot lock ref '${origName(u)}': is at ${toHex(current)} but expected ${toHex(u.oldOid)}`;
      throw expectation(msg, u.refname);
    }

    if (u.isSymref || u.logOnly || (u.haveNew && !u.newEquals(current))) {
      u.current = current;
      queue(u);
    }
  }
  return queued;
}

function logRecord(name: string, ui: number, old: Uint8Array, nw: Uint8Array, who: Committer, msg: Uint8Array): LogRecord {
  return {
    kind: 'log', name: utf8(name), updateIndex: ui, valueType: LogValueType.Update, old, new: nw,
    committerName: utf8(who.name), email: utf8(who.email), time: who.time, tz: who.tz, message: msg,
  };
}

function logTombstone(name: string, ui: number, size: number): LogRecord {
  return logTombstoneBytes(utf8(name), ui, size);
}

/** Sort logs as reftable_writer_add_logs does: name ascending, update index descending. */
export function sortLogs(logs: LogRecord[]): LogRecord[] {
  return logs.sort((a, b) => compareBytes(a.name, b.name) || (b.updateIndex - a.updateIndex));
}

interface WriteCtx {
  view: View;
  settings: WriteSettings;
  who: Committer;
  logMode: ReturnType<typeof logAllRefUpdates>;
}

/** Committer name and email as bytes, shared by every log record of a table. */
interface WhoBytes {
  name: Uint8Array;
  email: Uint8Array;
  time: number;
  tz: number;
}

/** Updates in the order of their stored names (bytes); plain string order when all are ASCII. */
function sortByKey(info: RepositoryInfo, updates: Update[]): Update[] {
  const ascii = updates.every((u) => isAscii(storedName(info, u)));
  const sorted = [...updates];
  if (ascii) {
    sorted.sort((a, b) => {
      const x = a.stored ?? a.refname;
      const y = b.stored ?? b.refname;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  } else {
    const keys = new Map(updates.map((u) => [u, keyOf(info, u)]));
    sorted.sort((a, b) => compareBytes(keys.get(a)!, keys.get(b)!));
  }
  return sorted;
}

/** Whether the update puts a ref record in the table (log-only updates and verifies do not). */
const writesRef = (u: Update) => !u.logOnly && (u.newTarget !== undefined || u.haveNew);

/** The records of one stack's transaction table, produced as they are written. */
interface TransactionRecords {
  pending: PendingRecords;
  /** Ref records it holds (one per update that writesRef). */
  refCount: number;
  /** A lower bound of the table's compaction size (refs only; see commitFolded). */
  sizeAtLeast: number;
}

/**
 * write_transaction_table for one stack, up to the records: refs in name order, then logs in
 * key order. Both are generated while the table is written rather than held: a million-ref
 * transaction would otherwise keep two million record objects alive for the collector to
 * trace. The updates are sorted by stored name and each writes only its own name's logs,
 * newest first, so the logs come out in key order (the writer checks it). Undefined when
 * nothing at all would be written.
 */
function transactionRecords(ctx: WriteCtx, updates: Update[], ui: number): TransactionRecords | undefined {
  const info = ctx.view.info;
  const size = info.hash.size;
  const sorted = sortByKey(info, updates);
  const who: WhoBytes = { name: utf8(ctx.who.name), email: utf8(ctx.who.email), time: ctx.who.time, tz: ctx.who.tz };
  let refCount = 0;
  let sizeAtLeast = 0;
  let mayLog = false;
  for (let i = 0; i < sorted.length; i++) {
    const u = sorted[i];
    if (u.haveNew) mayLog = true;
    if (!writesRef(u)) continue;
    refCount++;
    // Key framing (at least 3 bytes) plus the update index delta, then the value.
    sizeAtLeast += 4 + (u.newTarget !== undefined ? 1 + u.newTarget.length : nullNew(u) ? 0 : u.newPeeled ? 2 * size : size);
  }
  if (refCount === 0 && !mayLog) return undefined;
  // One record object per kind, refilled for each update (PendingRecords allows it): a
  // million-ref transaction made four objects per ref here (record, name, id view, iterator
  // result), all garbage a moment later.
  const refs = (): Iterator<RefRecord> => {
    const names = new NameBuffers();
    const value = new Uint8Array(size);
    const rec: RefRecord = { kind: 'ref', name: value, updateIndex: ui, valueType: RefValueType.Deletion };
    let i = 0;
    return reusedResults(() => {
      while (i < sorted.length) {
        const u = sorted[i++];
        if (!writesRef(u)) continue;
        rec.name = names.of(storedName(info, u));
        rec.value = rec.peeled = rec.target = undefined;
        if (u.newTarget !== undefined) {
          rec.valueType = RefValueType.Symref;
          rec.target = utf8(u.newTarget);
        } else if (nullNew(u)) {
          rec.valueType = RefValueType.Deletion;
        } else {
          rec.valueType = u.newPeeled ? RefValueType.Val2 : RefValueType.Val1;
          rec.value = u.copyNewOid(value);
          if (u.newPeeled) rec.peeled = u.newPeeled;
        }
        return rec;
      }
      return undefined;
    });
  };
  const logs = (): Iterator<LogRecord> => {
    const names = new NameBuffers();
    const nw = new Uint8Array(size);
    const rec: LogRecord = {
      kind: 'log', name: nw, updateIndex: ui, valueType: LogValueType.Update, old: nw, new: nw,
      committerName: who.name, email: who.email, time: who.time, tz: who.tz, message: nw,
    };
    let i = 0;
    // Tombstones still owed for the ref being deleted (rare: a few records each, made fresh).
    let owed: LogRecord[] = [];
    let nextOwed = 0;
    return reusedResults(() => {
      if (nextOwed < owed.length) return owed[nextOwed++];
      while (i < sorted.length) {
        const u = sorted[i++];
        if (!u.haveNew) continue;
        if (!u.isSymref && nullNew(u)) {
          const name = keyOf(info, u);
          owed = [...ctx.view.logs(u.refname)].map((l) => logTombstoneBytes(name, l.updateIndex, size));
          nextOwed = 0;
          if (owed.length > 0) return owed[nextOwed++];
        } else if (u.forceReflog || shouldAutocreateReflog(ctx.logMode, storedName(info, u)) || ctx.view.reflogExists(u.refname)) {
          if (u.newTarget !== undefined) {
            const r = ctx.view.resolve(u.newTarget, true);
            if (!r) continue;
            rec.new = r.oid;
          } else {
            rec.new = u.copyNewOid(nw);
          }
          rec.name = names.of(storedName(info, u));
          rec.old = u.current;
          rec.message = u.msg;
          return rec;
        }
      }
      return undefined;
    });
  };
  return { pending: { refs: { [Symbol.iterator]: refs }, logs: { [Symbol.iterator]: logs }, minUpdateIndex: ui, maxUpdateIndex: ui }, refCount, sizeAtLeast };
}

/** The table of `pending` as its own file's bytes. */
function writePending(info: RepositoryInfo, settings: WriteSettings, pending: PendingRecords): Uint8Array | undefined {
  return writeTable({
    hash: info.hash, blockSize: settings.blockSize, restartInterval: settings.restartInterval,
    indexObjects: settings.indexObjects, minUpdateIndex: pending.minUpdateIndex, maxUpdateIndex: pending.maxUpdateIndex,
  }, pending.refs, pending.logs);
}

/** write_transaction_table for one stack. */
function buildTransactionTable(ctx: WriteCtx, updates: Update[], ui: number): Uint8Array | undefined {
  const records = transactionRecords(ctx, updates, ui);
  return records && writePending(ctx.view.info, ctx.settings, records.pending);
}

function logTombstoneBytes(name: Uint8Array, ui: number, size: number): LogRecord {
  const z = new Uint8Array(size);
  const e = new Uint8Array(0);
  return { kind: 'log', name, updateIndex: ui, valueType: LogValueType.Deletion, old: z, new: z, committerName: e, email: e, time: 0, tz: 0, message: e };
}

/**
 * The reflog message of every entry a transaction writes, already in the form the writer
 * stores (LF-terminated): it would otherwise make a terminated copy, and a record holding
 * it, for each of a million entries.
 */
function logMessage(message: string | undefined, blockSize: number): Uint8Array {
  return cleanLogMessage(normalizeReflogMessage(message, blockSize));
}

/** Options beyond the shared contract. */
export interface StoreTransactionOptions extends TransactionOptions {
  /** Check everything under the lock but write nothing (`prepare` without `commit`). */
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
}

function committerOf(info: RepositoryInfo, opts: StoreTransactionOptions): Committer {
  if (opts.committer) {
    const m = /^([+-])(\d{2})(\d{2})$/.exec(opts.committer.tz);
    const tz = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3])) : Number(opts.committer.tz) || 0;
    return { name: opts.committer.name, email: opts.committer.email, time: opts.committer.time, tz };
  }
  return committerIdentity(info.config, opts.env ?? process.env);
}

/**
 * Run `fn` with every stack in `stacks` locked and freshly read; if it turns out to need a
 * stack that is not locked, start over with that one added (at most a few rounds). `fn` must
 * not write anything when it reports a touched stack that is not locked.
 */
function withLockedStacks<T>(
  info: RepositoryInfo, settings: WriteSettings, initial: StackPlace[],
  fn: (view: View, fresh: Map<string, LoadedStack>, locks: Map<string, LockFile>) => { result?: T; touched: StackPlace[] },
): T {
  const want = new Map(initial.map((s) => [s.stack, s]));
  for (let round = 0; round < 4; round++) {
    const locks = new Map<string, LockFile>();
    try {
      const fresh = new Map<string, LoadedStack>();
      for (const s of [...want.values()].sort((a, b) => (a.stack === 'main' ? -1 : b.stack === 'main' ? 1 : a.stack < b.stack ? -1 : 1))) {
        locks.set(s.stack, LockFile.acquire(path.join(s.dir, 'tables.list'), 'references', { timeoutMs: settings.lockTimeoutMs }));
        fresh.set(s.stack, loadStack({ dir: s.dir, hash: info.hash }));
      }
      const view = new View(info, fresh);
      const out = fn(view, fresh, locks);
      const missing = out.touched.filter((t) => !want.has(t.stack));
      if (missing.length === 0) return out.result as T;
      for (const m of missing) want.set(m.stack, m);
    } finally {
      for (const l of locks.values()) l.rollback();
    }
  }
  throw new ReftableError(ErrorCode.Outdated, 'the set of stacks touched by the transaction kept changing');
}

/**
 * Apply updates atomically per stack (one table each), like `git update-ref --stdin`.
 * A failed expectation throws EXPECTATION and writes nothing.
 */
export function applyTransaction(db: RepoLike, updates: StoreUpdate[], opts: StoreTransactionOptions = {}): TransactionResult {
  const info = repoInfoOf(db);
  const env = opts.env ?? process.env;
  const settings = writeSettings(info.config, env);
  if (opts.message !== undefined && opts.message === '') {
    throw new ReftableError(ErrorCode.Usage, 'Refusing to perform update with empty message.');
  }
  const msg = logMessage(opts.message, settings.blockSize);
  // git's name check as it adds each update (refname.ts checkWritableRefname).
  for (let i = 0; i < updates.length; i++) checkWritableRefname(updates[i].name, setsNewId(updates[i]));
  const ids = idStoreFor(updates, info.hash.size);
  const model = updates.map((u) => toModel(u, ids, msg, !!opts.createReflog));
  const who = committerOf(info, opts);
  const logMode = logAllRefUpdates(info.config, info.bare);

  if (model.length === 0) return { tables: [], updateIndex: 0 };

  const ctxOf = (view: View): WriteCtx => ({ view, settings, who, logMode });
  const result: TransactionResult = { tables: [], updateIndex: 0 };
  const written: string[] = [];

  // With linked worktrees a transaction may touch several stacks (derived HEAD entries land in
  // the worktree's): every stack it touches is locked (main first) and read once, the whole
  // transaction is prepared against that, and then the stacks are committed ONE AFTER
  // ANOTHER under those locks, as git's reftable backend commits one addition per stack. So
  // such a transaction is atomic per stack only: if a later stack's commit fails (disk full,
  // I/O error), the earlier stacks stay committed and the error says which refs they hold.
  const multi = !!info.worktreeId || model.some((u) => u.refname.startsWith('worktrees/') || u.refname.startsWith('main-worktree/'));
  if (multi || opts.dryRun) {
    const initial = new Map<string, StackRef>();
    for (const u of model) {
      const s = stackFor(info, u.refname);
      initial.set(s.stack, s);
    }
    const committed: { stack: string; table: string; refs: string[] }[] = [];
    const ui = withLockedStacks(info, settings, [...initial.values()], (view, fresh, locks) => {
      const queued = prepare(view, model.map((u) => u.copyAs(u.refname, u.current, true)));
      const touched = [...queued.values()].map((q) => q.at);
      const first = fresh.values().next().value?.nextUpdateIndex ?? 0;
      if (opts.dryRun || touched.some((t) => !locks.has(t.stack))) return { result: first, touched };
      for (const q of queued.values()) {
        const stack = fresh.get(q.at.stack)!;
        const at = stack.nextUpdateIndex;
        let name: string | undefined;
        try {
          const bytes = buildTransactionTable(ctxOf(view), q.updates, at);
          if (!bytes) continue;
          name = writeTableFile(q.at.dir, bytes, at, at, at, at);
          commitTablesList(locks.get(q.at.stack)!, [...stack.names, name]);
        } catch (e) {
          if (name !== undefined) unlinkQuietly(path.join(q.at.dir, name));
          if (committed.length === 0) throw e;
          throw partialCommitError(e, q.at.stack, committed);
        }
        committed.push({ stack: q.at.stack, table: name, refs: q.updates.map((u) => (u.logOnly ? `${u.refname} (reflog only)` : u.refname)) });
        result.tables.push({ stack: q.at.stack, name });
        written.push(q.at.dir);
        if (!result.updateIndex) result.updateIndex = at;
      }
      return { result: first, touched };
    });
    if (opts.dryRun) return { tables: [], updateIndex: ui };
  } else {
    // One stack: the addition re-reads and checks everything under its lock.
    const at = stackFor(info, 'refs/heads/x');
    const autoCompact = opts.autoCompact !== false && settings.autoCompaction;
    let folded: CompactionResult | undefined;
    const added: AddResult = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: settings.lockTimeoutMs }, (stack, ui, lock) => {
      const view = new View(info, new Map([[at.stack, stack]]));
      const q = prepare(view, model).get(at.stack);
      if (!q) return undefined;
      const records = transactionRecords(ctxOf(view), q.updates, ui);
      if (!records) return undefined;
      const pending = records.pending;
      if (autoCompact && records.refCount > 0) {
        // A large transaction on a small stack: write the table auto-compaction would make of it.
        const f = commitFolded(info, at.dir, settings, stack, lock, pending, records.sizeAtLeast);
        if (f) {
          folded = f.compacted;
          return { committed: true, name: f.name };
        }
      }
      const bytes = writePending(info, settings, pending);
      return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
    });
    if (added.name !== undefined || folded) {
      if (added.name !== undefined) result.tables.push({ stack: at.stack, name: added.name });
      result.updateIndex = added.updateIndex;
      if (folded) result.compacted = folded;
      else written.push(at.dir);
    }
  }
  if (opts.autoCompact !== false && settings.autoCompaction && written.length > 0) {
    result.compacted = autoCompactAfterCommit(info, settings, written);
  }
  return result;
}


/**
 * The error of a later stack's addition after earlier stacks committed: same code, a message
 * that says what is already written, and `data.committed` / `data.failedStack` for callers.
 */
function partialCommitError(e: unknown, failedStack: string, committed: { stack: string; table: string; refs: string[] }[]): ReftableError {
  const shown = (refs: string[]) => (refs.length > 10 ? `${refs.slice(0, 10).join(', ')} and ${refs.length - 10} more` : refs.join(', '));
  const done = committed.map((c) => `stack '${c.stack}' (table ${c.table}): ${shown(c.refs)}`).join('; ');
  const orig = e instanceof ReftableError ? e : undefined;
  const reason = e instanceof Error ? e.message : String(e);
  return new ReftableError(orig?.code ?? ErrorCode.Io,
    `transaction only partly committed: stack '${failedStack}' failed (${reason}); already committed: ${done}`,
    { file: orig?.file, offset: orig?.offset, data: { ...(orig?.data ?? {}), failedStack, committed }, cause: e });
}

export interface RenameOptions {
  message?: string;
  /** Overwrite an existing destination (`git branch -M`). */
  force?: boolean;
  /** Also point HEAD (a symref to the old name) at the new name, as `git branch -m` does. */
  updateHead?: boolean;
  /**
   * The object id (hex) the old ref must still hold, checked under the stack lock against the
   * stack as re-read there; otherwise EXPECTATION naming the ref and nothing is written.
   */
  expectedOid?: string;
  autoCompact?: boolean;
  env?: NodeJS.ProcessEnv;
  committer?: TransactionOptions['committer'];
}

/**
 * write_copy_table (§8.6): rename uses limits [ui, ui+1] — the old name's tombstone and the
 * "deleted" entry of the new reflog at ui, the new ref and its creation entry at ui+1 — and
 * carries the whole old reflog over under its original update indexes. Copy uses [ui, ui].
 */
function renameOrCopy(db: RepoLike, oldName: string, newName: string, deleteOld: boolean, opts: RenameOptions): TransactionResult {
  const info = repoInfoOf(db);
  const env = opts.env ?? process.env;
  const settings = writeSettings(info.config, env);
  checkWritableRefname(oldName);
  checkWritableRefname(newName);
  const msg = logMessage(opts.message, settings.blockSize);
  const who = committerOf(info, { ...opts, env });
  const at = stackFor(info, newName);
  const oldAt = stackFor(info, oldName);
  if (oldAt.stack !== at.stack) throw new ReftableError(ErrorCode.Unsupported, `cannot move '${oldName}' to '${newName}' across worktree stacks`);
  const size = info.hash.size;
  const expected = opts.expectedOid === undefined ? undefined : oidBytes(opts.expectedOid, size, `${oldName}: expected value`);
  const added = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: settings.lockTimeoutMs }, (stack, ui) => {
    const view = new View(info, new Map([[at.stack, stack]]));
    const old = stack.merged.ref(utf8(oldAt.name))?.record;
    if (expected) {
      const isVal = old !== undefined && (old.valueType === RefValueType.Val1 || old.valueType === RefValueType.Val2);
      if (!old || (isVal && !bytesEqual(old.value!, expected))) {
        const now = !old ? 'reference is missing' : `is at ${toHex(old.value!)}`;
        throw expectation(`cannot ${deleteOld ? 'rename' : 'copy'} '${oldName}': ${now} but expected ${toHex(expected)}`, oldName);
      }
    }
    if (!old) throw new ReftableError(ErrorCode.NotFound, `refname ${oldName} not found`, { data: { ref: oldName } });
    if (old.valueType === RefValueType.Symref) throw new ReftableError(ErrorCode.Unsupported, `refname ${oldName} is a symbolic ref, ${deleteOld ? 'renaming' : 'copying'} it is not supported`);
    if (oldName === newName) return undefined;
    if (!opts.force && stack.merged.ref(utf8(at.name))) throw new ReftableError(ErrorCode.Expectation, `a ref named '${newName}' already exists`, { data: { ref: newName } });
    checkRefnameAvailable(newName, (n) => view.raw(n) !== undefined, (p) => view.namesBelow(p), new Set(), deleteOld ? new Set([oldName]) : new Set());
    const creation = deleteOld ? ui + 1 : ui;
    const refs: RefRecord[] = [{ ...old, name: utf8(at.name), updateIndex: creation }];
    if (deleteOld) refs.push({ kind: 'ref', name: utf8(oldAt.name), updateIndex: ui, valueType: RefValueType.Deletion });
    refs.sort((a, b) => compareBytes(a.name, b.name));
    const value = old.value!;
    const logs: LogRecord[] = [];
    const zero = new Uint8Array(size);
    if (deleteOld) {
      logs.push(logRecord(at.name, ui, value, zero, who, msg));
      const head = view.raw('HEAD');
      if (head?.valueType === RefValueType.Symref && text(head.target!) === oldName) logs.push(logRecord('HEAD', ui, value, zero, who, msg));
    }
    logs.push(logRecord(at.name, creation, zero, value, who, msg));
    for (const { record } of stack.merged.logsFor(utf8(oldAt.name))) {
      logs.push({ ...record, name: utf8(at.name) });
      if (deleteOld) logs.push(logTombstone(oldAt.name, record.updateIndex, size));
    }
    const bytes = writePending(info, settings, { refs, logs: sortLogs(logs), minUpdateIndex: ui, maxUpdateIndex: creation });
    return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: creation } : undefined;
  });
  const result: TransactionResult = { tables: added.name ? [{ stack: at.stack, name: added.name }] : [], updateIndex: added.updateIndex };
  if (added.name && deleteOld && opts.updateHead !== false) {
    // git branch -m then moves HEAD in its own transaction (the next table).
    const headAt = stackFor(info, 'HEAD');
    const head = loadStack({ dir: headAt.dir, hash: info.hash }).merged.ref(utf8('HEAD'))?.record;
    if (head?.valueType === RefValueType.Symref && text(head.target!) === oldName) {
      const r = applyTransaction(info, [{ op: 'symref-update', name: 'HEAD', target: newName, noDeref: true }], { message: opts.message, env, committer: opts.committer, autoCompact: false });
      result.tables.push(...r.tables);
    }
  }
  if (result.tables.length && opts.autoCompact !== false && settings.autoCompaction) {
    result.compacted = autoCompactAfterCommit(info, settings, [...new Set(result.tables.map((t) => stackFor(info, t.stack === 'main' ? 'refs/heads/x' : 'HEAD').dir))]);
  }
  return result;
}

/** `git branch -m OLD NEW` at the refs level (full ref names). */
export function renameRef(db: RepoLike, oldName: string, newName: string, opts: RenameOptions = {}): TransactionResult {
  return renameOrCopy(db, oldName, newName, true, opts);
}

/** `git branch -c OLD NEW` at the refs level (full ref names). */
export function copyRef(db: RepoLike, oldName: string, newName: string, opts: RenameOptions = {}): TransactionResult {
  return renameOrCopy(db, oldName, newName, false, opts);
}

/**
 * Ref transactions as git 2.47's reftable backend runs them (refs/reftable-backend.c prepare
 * and write_transaction_table; reftable-format.md §8.3): expectations checked under the stack
 * lock, symrefs dereferenced into an update of their target plus a log-only entry, the
 * automatic HEAD log-only entry when HEAD's branch moves, no-ops dropped, then one table per
 * stack with refs sorted by name followed by the sorted logs. The goal is byte identity with
 * `git update-ref` given the same committer and date.
 */
import { bytesEqual, fromHex, isZero, text, toHex, utf8 } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { LogValueType, RefValueType } from '../engine/format.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import { TableWriter } from '../engine/writer.js';
import type { RefUpdate, RepositoryInfo, TransactionOptions, TransactionResult } from './api.js';
import { AddResult, WriteSettings, addTable, writeSettings } from './add-table.js';
import { LockFile } from './lock.js';
import { Committer, committerIdentity, logAllRefUpdates, normalizeReflogMessage, shouldAutocreateReflog } from './reflog-policy.js';
import { checkRefnameAvailable, checkSymrefTarget, checkWritableRefname } from './refname.js';
import { LoadedStack, RepoLike, StackLocation, StackRef, loadStack, repoInfoOf, stackFor } from './tables-list.js';
import { autoCompactAfterCommit } from './compaction.js';

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

  stack(ref: StackRef): LoadedStack {
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

// ---- the update model (git's struct ref_update) -------------------------------------------

interface Update {
  refname: string;
  haveNew: boolean;
  haveOld: boolean;
  noDeref: boolean;
  logOnly: boolean;
  viaHead: boolean;
  forceReflog: boolean;
  newOid: Uint8Array;
  oldOid: Uint8Array;
  newPeeled?: Uint8Array;
  newTarget?: string;
  oldTarget?: string;
  msg: Uint8Array;
  /** Set while preparing: the ref was a symref when read. */
  isSymref: boolean;
  /** The value seen when preparing (resolved for symrefs), zero when missing. */
  current: Uint8Array;
  /** The name the update was derived from (for messages). */
  parent?: Update;
}

const HEX = /^[0-9a-fA-F]+$/;
function oidBytes(hex: string, size: number, what: string): Uint8Array {
  if (hex.length !== size * 2 || !HEX.test(hex)) {
    throw new ReftableError(ErrorCode.Usage, `${what}: '${hex}' is not a ${size * 2}-digit hex object id`);
  }
  return fromHex(hex.toLowerCase());
}

function toModel(u: StoreUpdate, size: number, msg: Uint8Array, forceReflog: boolean): Update {
  const zero = new Uint8Array(size);
  const base: Update = {
    refname: u.name, haveNew: false, haveOld: false, noDeref: !!u.noDeref, logOnly: false, viaHead: false, forceReflog,
    newOid: zero, oldOid: zero, msg, isSymref: false, current: zero,
  };
  const oid = (h: string, what: string) => oidBytes(h, size, `${u.name}: ${what}`);
  switch (u.op) {
    case 'create':
      if (isZero(oid(u.oid, 'new value'))) throw new ReftableError(ErrorCode.Usage, `create ${u.name}: zero new value`);
      return { ...base, haveNew: true, newOid: oid(u.oid, 'new value'), newPeeled: u.peeled ? oid(u.peeled, 'peeled value') : undefined, haveOld: true };
    case 'update':
      return {
        ...base, haveNew: true, newOid: oid(u.oid, 'new value'), newPeeled: u.peeled ? oid(u.peeled, 'peeled value') : undefined,
        ...(u.old !== undefined ? { haveOld: true, oldOid: u.old === '' ? zero : oid(u.old, 'old value') } : {}),
      };
    case 'delete': {
      const old = u.old !== undefined && u.old !== '' ? oid(u.old, 'old value') : undefined;
      // Like `update-ref -d REF 0000…`: a zero old value means "don't care".
      return { ...base, haveNew: true, ...(old && !isZero(old) ? { haveOld: true, oldOid: old } : {}) };
    }
    case 'verify':
      return { ...base, haveOld: true, oldOid: u.old !== undefined && u.old !== '' ? oid(u.old, 'old value') : zero };
    case 'symref-create':
      checkSymrefTarget(u.name, u.target);
      return { ...base, haveNew: true, newTarget: u.target, haveOld: true };
    case 'symref-update':
      checkSymrefTarget(u.name, u.target);
      return {
        ...base, haveNew: true, newTarget: u.target,
        ...(u.oldTarget !== undefined ? { haveOld: true, oldTarget: u.oldTarget } : u.old !== undefined ? { haveOld: true, oldOid: oid(u.old, 'old value') } : {}),
      };
    case 'symref-delete':
      return { ...base, haveNew: true, noDeref: true, ...(u.oldTarget !== undefined ? { haveOld: true, oldTarget: u.oldTarget } : {}) };
    case 'symref-verify':
      return { ...base, noDeref: true, haveOld: true, ...(u.oldTarget !== undefined ? { oldTarget: u.oldTarget } : {}) };
  }
}

function expectation(msg: string, ref: string): ReftableError {
  return new ReftableError(ErrorCode.Expectation, msg, { data: { ref } });
}

const nullNew = (u: Update) => u.newTarget === undefined && isZero(u.newOid);
const expectsExisting = (u: Update) => u.haveOld && (!isZero(u.oldOid) || u.oldTarget !== undefined);
const origName = (u: Update): string => (u.parent ? origName(u.parent) : u.refname);

/**
 * reftable_be_transaction_prepare: returns the updates to write, per stack, in queue order.
 * Throws EXPECTATION / REF_NAME errors; nothing has been written at that point.
 */
function prepare(view: View, input: Update[]): Map<string, { at: StackRef; updates: Update[] }> {
  const info = view.info;
  const all = [...input];
  const affected = new Set<string>();
  for (const u of all) {
    if (affected.has(u.refname)) throw new ReftableError(ErrorCode.Usage, `multiple updates for ref '${u.refname}' not allowed`, { data: { ref: u.refname } });
    affected.add(u.refname);
  }
  const queued = new Map<string, { at: StackRef; updates: Update[] }>();
  const queue = (u: Update) => {
    const at = stackFor(info, u.refname);
    let q = queued.get(at.stack);
    if (!q) queued.set(at.stack, (q = { at, updates: [] }));
    q.updates.push(u);
  };
  // Sorted names of the transaction for the D/F check of large transactions (200 000 refs).
  const sortedNames = [...affected].sort();
  const late = new Set<string>();
  const extrasBelow = function* (prefix: string): Generator<string> {
    let lo = 0;
    let hi = sortedNames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedNames[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sortedNames.length && sortedNames[i].startsWith(prefix); i++) yield sortedNames[i];
    for (const n of late) if (n.startsWith(prefix)) yield n;
  };
  const head = view.raw('HEAD');
  const headTarget = head?.valueType === RefValueType.Symref ? text(head.target!) : undefined;

  for (let i = 0; i < all.length; i++) {
    const u = all[i];
    const at = stackFor(info, u.refname);

    if (headTarget !== undefined && !u.logOnly && !u.viaHead && at.name === headTarget) {
      if (affected.has('HEAD')) {
        throw new ReftableError(ErrorCode.Usage, `multiple updates for 'HEAD' (including one via its referent '${u.refname}') are not allowed`, { data: { ref: 'HEAD' } });
      }
      const h: Update = { ...u, refname: 'HEAD', logOnly: true, noDeref: true, isSymref: false, current: u.current, parent: undefined, newTarget: undefined, oldTarget: undefined };
      all.push(h);
      affected.add('HEAD');
      late.add('HEAD');
    }

    const r = view.stack(at).merged.ref(utf8(at.name))?.record;
    let current: Uint8Array = new Uint8Array(info.hash.size);
    let referent = '';
    if (r?.valueType === RefValueType.Symref) {
      u.isSymref = true;
      referent = text(r.target!);
    } else if (r) current = r.value!;

    if (!r && !expectsExisting(u)) {
      checkRefnameAvailable(u.refname, (n) => view.raw(n) !== undefined, (p) => view.namesBelow(p), affected, new Set(), extrasBelow);
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
        const derived: Update = {
          ...u, refname: referent, viaHead: u.viaHead || at.name === 'HEAD', isSymref: false, parent: u,
          current: new Uint8Array(info.hash.size),
        };
        if (u.newTarget !== undefined) derived.newOid = new Uint8Array(info.hash.size);
        if (u.oldTarget !== undefined) derived.oldOid = new Uint8Array(info.hash.size);
        u.logOnly = true;
        u.noDeref = true;
        u.haveOld = false;
        if (affected.has(referent)) {
          throw new ReftableError(ErrorCode.Usage, `multiple updates for '${referent}' (including one via symref '${u.refname}') are not allowed`, { data: { ref: referent } });
        }
        affected.add(referent);
        late.add(referent);
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
    } else if (u.haveOld && !bytesEqual(current, u.oldOid)) {
      const msg = isZero(u.oldOid)
        ? `cannot lock ref '${origName(u)}': reference already exists`
        : isZero(current)
          ? `cannot lock ref '${origName(u)}': reference is missing but expected ${toHex(u.oldOid)}`
          : `cannot lock ref '${origName(u)}': is at ${toHex(current)} but expected ${toHex(u.oldOid)}`;
      throw expectation(msg, u.refname);
    }

    if (u.isSymref || u.logOnly || (u.haveNew && !bytesEqual(current, u.newOid))) {
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
  const z = new Uint8Array(size);
  const e = new Uint8Array(0);
  return { kind: 'log', name: utf8(name), updateIndex: ui, valueType: LogValueType.Deletion, old: z, new: z, committerName: e, email: e, time: 0, tz: 0, message: e };
}

export function compareBytesKey(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Sort logs as reftable_writer_add_logs does: name ascending, update index descending. */
export function sortLogs(logs: LogRecord[]): LogRecord[] {
  return logs.sort((a, b) => compareBytesKey(a.name, b.name) || (b.updateIndex - a.updateIndex));
}

interface WriteCtx {
  view: View;
  settings: WriteSettings;
  who: Committer;
  logMode: ReturnType<typeof logAllRefUpdates>;
}

/** write_transaction_table for one stack. */
function buildTransactionTable(ctx: WriteCtx, updates: Update[], ui: number): Uint8Array | undefined {
  const size = ctx.view.info.hash.size;
  const keyed = updates.map((u) => ({ u, key: utf8(stackFor(ctx.view.info, u.refname).name) }));
  keyed.sort((a, b) => compareBytesKey(a.key, b.key));
  const sorted = keyed.map((k) => k.u);
  const refs: RefRecord[] = [];
  const logs: LogRecord[] = [];
  for (const u of sorted) {
    const name = stackFor(ctx.view.info, u.refname).name;
    if (u.haveNew && !u.isSymref && nullNew(u)) {
      for (const l of ctx.view.logs(u.refname)) logs.push(logTombstone(name, l.updateIndex, size));
    } else if (u.haveNew && (u.forceReflog || shouldWriteLog(ctx, u.refname))) {
      let create = true;
      let nw = u.newOid;
      if (u.newTarget !== undefined) {
        const r = ctx.view.resolve(u.newTarget, true);
        if (r) nw = r.oid;
        else create = false;
      }
      if (create) logs.push(logRecord(name, ui, u.current, nw, ctx.who, u.msg));
    }
    if (u.logOnly) continue;
    if (u.newTarget !== undefined) {
      refs.push({ kind: 'ref', name: utf8(name), updateIndex: ui, valueType: RefValueType.Symref, target: utf8(u.newTarget) });
    } else if (u.haveNew && nullNew(u)) {
      refs.push({ kind: 'ref', name: utf8(name), updateIndex: ui, valueType: RefValueType.Deletion });
    } else if (u.haveNew) {
      refs.push(u.newPeeled
        ? { kind: 'ref', name: utf8(name), updateIndex: ui, valueType: RefValueType.Val2, value: u.newOid, peeled: u.newPeeled }
        : { kind: 'ref', name: utf8(name), updateIndex: ui, valueType: RefValueType.Val1, value: u.newOid });
    }
  }
  const w = new TableWriter({
    hash: ctx.view.info.hash, blockSize: ctx.settings.blockSize, restartInterval: ctx.settings.restartInterval,
    indexObjects: ctx.settings.indexObjects, minUpdateIndex: ui, maxUpdateIndex: ui,
  });
  for (const r of refs) w.addRef(r);
  for (const l of sortLogs(logs)) w.addLog(l);
  return w.finish();
}

function shouldWriteLog(ctx: WriteCtx, refname: string): boolean {
  const name = stackFor(ctx.view.info, refname).name;
  if (shouldAutocreateReflog(ctx.logMode, name)) return true;
  return ctx.view.reflogExists(refname);
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
 * stack that is not locked, start over with that one added (at most a few rounds).
 */
function withLockedStacks<T>(
  info: RepositoryInfo, settings: WriteSettings, initial: StackRef[],
  fn: (view: View, fresh: Map<string, LoadedStack>) => { result: T; touched: StackRef[] },
): T {
  const want = new Map(initial.map((s) => [s.stack, s]));
  for (let round = 0; round < 4; round++) {
    const locks: LockFile[] = [];
    try {
      const fresh = new Map<string, LoadedStack>();
      for (const s of [...want.values()].sort((a, b) => (a.stack === 'main' ? -1 : b.stack === 'main' ? 1 : a.stack < b.stack ? -1 : 1))) {
        locks.push(LockFile.acquire(path.join(s.dir, 'tables.list'), 'references', { timeoutMs: settings.lockTimeoutMs }));
        fresh.set(s.stack, loadStack({ dir: s.dir, hash: info.hash }));
      }
      const view = new View(info, fresh);
      const out = fn(view, fresh);
      const missing = out.touched.filter((t) => !want.has(t.stack));
      if (missing.length === 0) return out.result;
      for (const m of missing) want.set(m.stack, m);
    } finally {
      for (const l of locks) l.rollback();
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
  const msg = normalizeReflogMessage(opts.message, settings.blockSize);
  for (const u of updates) checkWritableRefname(u.name);
  const model = updates.map((u) => toModel(u, info.hash.size, msg, !!opts.createReflog));
  const who = committerOf(info, opts);
  const logMode = logAllRefUpdates(info.config, info.bare);

  if (model.length === 0) return { tables: [], updateIndex: 0 };

  // With linked worktrees a transaction may touch several stacks (derived HEAD entries land in
  // the worktree's); plan under all their locks first to learn which ones. A plain repository
  // has one stack and goes straight to the addition, which re-reads and re-checks under its lock.
  const multi = !!info.worktreeId || model.some((u) => u.refname.startsWith('worktrees/') || u.refname.startsWith('main-worktree/'));
  let stacks: StackRef[] = [stackFor(info, 'refs/heads/x')];
  if (multi || opts.dryRun) {
    const initial = new Map<string, StackRef>();
    for (const u of model) {
      const s = stackFor(info, u.refname);
      initial.set(s.stack, s);
    }
    const planned = withLockedStacks(info, settings, [...initial.values()], (view, fresh) => {
      const queued = prepare(view, model.map((u) => ({ ...u })));
      const touched = [...queued.values()].map((q) => q.at);
      const ui = fresh.values().next().value?.nextUpdateIndex ?? 0;
      return { result: { touched, ui }, touched };
    });
    if (opts.dryRun) return { tables: [], updateIndex: planned.ui };
    stacks = planned.touched;
  }

  const result: TransactionResult = { tables: [], updateIndex: 0 };
  const written: string[] = [];
  for (const at of stacks) {
    const loc: StackLocation = { dir: at.dir, hash: info.hash };
    const added: AddResult = addTable(loc, { lockTimeoutMs: settings.lockTimeoutMs }, (stack, ui) => {
      const view = new View(info, new Map([[at.stack, stack]]));
      const q = prepare(view, model.map((u) => ({ ...u }))).get(at.stack);
      if (!q) return undefined;
      const bytes = buildTransactionTable({ view, settings, who, logMode }, q.updates, ui);
      return bytes ? { bytes, minUpdateIndex: ui, maxUpdateIndex: ui } : undefined;
    });
    if (added.name) {
      result.tables.push({ stack: at.stack, name: added.name });
      written.push(at.dir);
      if (!result.updateIndex) result.updateIndex = added.updateIndex;
    }
  }
  if (opts.autoCompact !== false && settings.autoCompaction && written.length > 0) {
    result.compacted = autoCompactAfterCommit(info, settings, written);
  }
  return result;
}


export interface RenameOptions {
  message?: string;
  /** Overwrite an existing destination (`git branch -M`). */
  force?: boolean;
  /** Also point HEAD (a symref to the old name) at the new name, as `git branch -m` does. */
  updateHead?: boolean;
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
  const msg = normalizeReflogMessage(opts.message, settings.blockSize);
  const who = committerOf(info, { ...opts, env });
  const at = stackFor(info, newName);
  const oldAt = stackFor(info, oldName);
  if (oldAt.stack !== at.stack) throw new ReftableError(ErrorCode.Unsupported, `cannot move '${oldName}' to '${newName}' across worktree stacks`);
  const size = info.hash.size;
  const added = addTable({ dir: at.dir, hash: info.hash }, { lockTimeoutMs: settings.lockTimeoutMs }, (stack, ui) => {
    const view = new View(info, new Map([[at.stack, stack]]));
    const old = stack.merged.ref(utf8(oldAt.name))?.record;
    if (!old) throw new ReftableError(ErrorCode.NotFound, `refname ${oldName} not found`, { data: { ref: oldName } });
    if (old.valueType === RefValueType.Symref) throw new ReftableError(ErrorCode.Unsupported, `refname ${oldName} is a symbolic ref, ${deleteOld ? 'renaming' : 'copying'} it is not supported`);
    if (oldName === newName) return undefined;
    if (!opts.force && stack.merged.ref(utf8(at.name))) throw new ReftableError(ErrorCode.Expectation, `a ref named '${newName}' already exists`, { data: { ref: newName } });
    checkRefnameAvailable(newName, (n) => view.raw(n) !== undefined, (p) => view.namesBelow(p), new Set(), deleteOld ? new Set([oldName]) : new Set());
    const creation = deleteOld ? ui + 1 : ui;
    const refs: RefRecord[] = [{ ...old, name: utf8(at.name), updateIndex: creation }];
    if (deleteOld) refs.push({ kind: 'ref', name: utf8(oldAt.name), updateIndex: ui, valueType: RefValueType.Deletion });
    refs.sort((a, b) => compareBytesKey(a.name, b.name));
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
    const w = new TableWriter({
      hash: info.hash, blockSize: settings.blockSize, restartInterval: settings.restartInterval,
      indexObjects: settings.indexObjects, minUpdateIndex: ui, maxUpdateIndex: creation,
    });
    for (const r of refs) w.addRef(r);
    for (const l of sortLogs(logs)) w.addLog(l);
    const bytes = w.finish();
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

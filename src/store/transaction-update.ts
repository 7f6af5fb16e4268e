/**
 * One update as git's transaction sees it (git's struct ref_update): transaction.ts builds and
 * prepares them; the stdin parser builds them directly for bulk lines (update-stdin.ts
 * PackedUpdate), so a million-line input holds one object per line, not two.
 */
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { OidSlots } from './oid-slots.js';
import type { StackRef } from './tables-list.js';

export const HAVE_NEW = 1;
export const HAVE_OLD = 2;
export const NO_DEREF = 4;
export const LOG_ONLY = 8;
export const VIA_HEAD = 16;
export const FORCE_REFLOG = 32;
export const IS_SYMREF = 64;

/**
 * One update as git's transaction sees it. A million-ref transaction holds a million of these,
 * so the common part is a few fields: flags packed in one number and the new and old ids as
 * slots of the transaction's OidSlots (all behind accessors); the fields only symref and
 * peeled updates use are own properties only of those.
 */
export class Update {
  flags = 0;
  /** Which stack the name lives in (shared by every update of that stack), computed once. */
  at: StackPlace | undefined = undefined;
  protected newSlot = -1;
  protected oldSlot = -1;
  declare newPeeled?: Uint8Array;
  declare newTarget?: string;
  declare oldTarget?: string;
  /** The name the update was derived from (for messages). */
  declare parent?: Update;
  /** The name as stored in its stack, when it is not `refname` (`main-worktree/HEAD`). */
  declare stored?: string;

  constructor(
    public refname: string,
    readonly ids: OidSlots,
    public msg: Uint8Array,
    /** The value seen when preparing (resolved for symrefs), zero when missing. */
    public current: Uint8Array,
  ) {}

  get newOid(): Uint8Array { return this.ids.view(this.newSlot); }
  /** The new id copied into `into` (no view made); returns `into`. */
  copyNewOid(into: Uint8Array): Uint8Array { return this.ids.copy(this.newSlot, into); }
  set newOid(v: Uint8Array) { this.newSlot = this.ids.add(v); }
  get oldOid(): Uint8Array { return this.ids.view(this.oldSlot); }
  set oldOid(v: Uint8Array) { this.oldSlot = this.ids.add(v); }
  get newIsZero(): boolean { return this.newSlot < 0; }
  get oldIsZero(): boolean { return this.oldSlot < 0; }
  newEquals(id: Uint8Array): boolean { return this.ids.equals(this.newSlot, id); }
  oldEquals(id: Uint8Array): boolean { return this.ids.equals(this.oldSlot, id); }

  /** The new (or old) id is a copy of `from`'s at `slot` (-1: zero). */
  setSlot(which: 'new' | 'old', from: OidSlots, slot: number): void {
    const own = this.ids.addFrom(from, slot);
    if (which === 'new') this.newSlot = own;
    else this.oldSlot = own;
  }

  /** Parse `hex` as the new (or old) id; USAGE naming `what` when it is not a full hex id. */
  setHex(which: 'new' | 'old', hex: string, what: string): void {
    const slot = this.ids.addHex(hex);
    if (slot === undefined) throw notAnOid(`${this.refname}: ${what}`, hex, this.ids.size);
    if (which === 'new') this.newSlot = slot;
    else this.oldSlot = slot;
  }

  private flag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }
  get haveNew(): boolean { return (this.flags & HAVE_NEW) !== 0; }
  set haveNew(v: boolean) { this.flag(HAVE_NEW, v); }
  get haveOld(): boolean { return (this.flags & HAVE_OLD) !== 0; }
  set haveOld(v: boolean) { this.flag(HAVE_OLD, v); }
  get noDeref(): boolean { return (this.flags & NO_DEREF) !== 0; }
  set noDeref(v: boolean) { this.flag(NO_DEREF, v); }
  get logOnly(): boolean { return (this.flags & LOG_ONLY) !== 0; }
  set logOnly(v: boolean) { this.flag(LOG_ONLY, v); }
  get viaHead(): boolean { return (this.flags & VIA_HEAD) !== 0; }
  set viaHead(v: boolean) { this.flag(VIA_HEAD, v); }
  get forceReflog(): boolean { return (this.flags & FORCE_REFLOG) !== 0; }
  /** Set while preparing: the ref was a symref when read. */
  get isSymref(): boolean { return (this.flags & IS_SYMREF) !== 0; }
  set isSymref(v: boolean) { this.flag(IS_SYMREF, v); }

  /**
   * The same update under another name: flags, values and message; the symref fields and
   * the parent only with `links` (a symref's referent keeps them, HEAD's log-only copy not).
   */
  copyAs(refname: string, current: Uint8Array, links: boolean): Update {
    const c = new Update(refname, this.ids, this.msg, current);
    c.flags = this.flags;
    c.newSlot = this.newSlot;
    c.oldSlot = this.oldSlot;
    if (this.newPeeled !== undefined) c.newPeeled = this.newPeeled;
    if (links) {
      if (this.newTarget !== undefined) c.newTarget = this.newTarget;
      if (this.oldTarget !== undefined) c.oldTarget = this.oldTarget;
      if (this.parent !== undefined) c.parent = this.parent;
    }
    return c;
  }
}

/** A stack directory, without a ref name: one object per stack, not per update. */
export type StackPlace = Pick<StackRef, 'stack' | 'dir'>;

export function notAnOid(what: string, hex: string, size: number): ReftableError {
  return new ReftableError(ErrorCode.Usage, `${what}: '${hex}' is not a ${size * 2}-digit hex object id`);
}

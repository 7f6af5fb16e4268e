/**
 * The ref names one transaction touches, for its duplicate and directory/file checks. A
 * million-name transaction asked a hash set of every name about each name and each of its
 * leading directories; V8's set of a million strings cost more than sorting them. Here the
 * names are sorted once (the order also drives the stack survey), duplicates are neighbours,
 * and a name is looked up by binary search, except for the few strings the D/F check asks
 * about most: the leading directories, whose answers are kept in a small set.
 */
import { ErrorCode, ReftableError } from '../engine/errors.js';

/** The answer of every below() that finds nothing: asked once per update, never changed. */
export const NO_NAMES: readonly string[] = [];

export class TransactionNames implements Iterable<string> {
  /** Input indexes in name order (ties by index). */
  readonly order: number[];
  private readonly sorted: string[];
  /** Names added while preparing (HEAD's log-only entry, symref referents). */
  private readonly late = new Set<string>();
  /** Every leading directory of every name ("refs", "refs/heads", …). */
  private readonly dirs = new Set<string>();
  /** The leading directories that are themselves names of the transaction. */
  private readonly dirNames = new Set<string>();
  /** Bumped by every add(): answers cached by callers are stale after it. */
  generation = 0;

  /** Throws USAGE naming the first name (in input order) that repeats an earlier one. */
  constructor(names: readonly string[]) {
    const order = names.map((_, i) => i);
    order.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b));
    let firstRepeat = -1;
    for (let k = 1; k < order.length; k++) {
      if (names[order[k]] === names[order[k - 1]] && (firstRepeat < 0 || order[k] < firstRepeat)) firstRepeat = order[k];
    }
    if (firstRepeat >= 0) {
      const ref = names[firstRepeat];
      throw new ReftableError(ErrorCode.Usage, `multiple updates for ref '${ref}' not allowed`, { data: { ref } });
    }
    this.order = order;
    this.sorted = order.map((i) => names[i]);
    // Sorted names in the same directory as the one before add no directory: skipped
    // without slicing (a bulk update is mostly siblings).
    let lastDir = '';
    for (let i = 0; i < this.sorted.length; i++) {
      const n = this.sorted[i];
      if (lastDir !== '' && n.startsWith(lastDir) && n.indexOf('/', lastDir.length) < 0) continue;
      this.addDirsOf(n);
      const d = n.lastIndexOf('/');
      lastDir = d < 0 ? '' : n.slice(0, d + 1);
    }
  }

  /** Index of the first sorted name not below `name`. */
  private lowerBound(name: string): number {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private inSorted(name: string): boolean {
    const i = this.lowerBound(name);
    return i < this.sorted.length && this.sorted[i] === name;
  }

  private addDirsOf(name: string): void {
    for (let s = name.indexOf('/'); s >= 0; s = name.indexOf('/', s + 1)) {
      const d = name.slice(0, s);
      if (this.dirs.has(d)) continue;
      this.dirs.add(d);
      if (this.late.has(d) || this.inSorted(d)) this.dirNames.add(d);
    }
  }

  has(name: string): boolean {
    if (this.late.has(name)) return true;
    return this.dirs.has(name) ? this.dirNames.has(name) : this.inSorted(name);
  }

  /** A name the transaction touches beyond its input. */
  add(name: string): void {
    this.late.add(name);
    if (this.dirs.has(name)) this.dirNames.add(name);
    this.addDirsOf(name);
    this.generation++;
  }

  /** Whether any name of the transaction is below `name/`. */
  isDirectory(name: string): boolean {
    return this.dirs.has(name);
  }

  /** The names below `name/`: input names in order, then added ones. */
  below(name: string): readonly string[] {
    if (!this.dirs.has(name)) return NO_NAMES;
    const prefix = `${name}/`;
    const s = this.sorted;
    const out: string[] = [];
    for (let i = this.lowerBound(prefix); i < s.length && s[i].startsWith(prefix); i++) out.push(s[i]);
    for (const n of this.late) if (n.startsWith(prefix)) out.push(n);
    return out;
  }

  *[Symbol.iterator](): Iterator<string> {
    yield* this.sorted;
    yield* this.late;
  }
}

/**
 * Lazy listing of one "folder" of ref names (refs/heads/, refs/heads/feature/, …) for the tree.
 * A folder of a million refs must open instantly, so instead of reading every name below a
 * prefix we read one name, and when it lies in a sub-folder we emit that folder and seek past
 * all of it (to the key just after `<folder>/`). Only direct children cost a record each, and
 * those come in pages. Long runs hand the event loop back every few hundred records.
 */
import type { RefEntry, RefSource } from './source.js';

export type FolderChild =
  | { kind: 'folder'; prefix: string; label: string }
  | { kind: 'ref'; ref: RefEntry; label: string };

export interface FolderPage {
  items: FolderChild[];
  /** Where the next page starts (a seek key), or undefined when the folder is exhausted. */
  next?: string;
}

export interface ListOptions {
  /** Seek key to resume from (a page's `next`). */
  from?: string;
  limit: number;
  /** Folders to leave out entirely (the "Other namespaces" group skips heads/, remotes/, tags/). */
  excludeFolder?: (prefix: string) => boolean;
  /** Records to read between yields to the event loop. */
  chunk?: number;
  /** Lets a caller abandon a listing made stale by a reload. */
  cancelled?: () => boolean;
}

export class ListingCancelled extends Error {
  constructor() {
    super('listing cancelled');
  }
}

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The smallest key after every name under `folder` (which ends in '/'): '/' is 0x2F and '0' is
 * 0x30, so in byte order "<dir>0" follows "<dir>/anything" and nothing else lies between.
 */
export function keyAfterFolder(folder: string): string {
  return folder.slice(0, -1) + '0';
}

export async function listFolder(source: RefSource, prefix: string, opts: ListOptions): Promise<FolderPage> {
  const chunk = opts.chunk ?? 500;
  const items: FolderChild[] = [];
  let from: string | undefined = opts.from;
  let read = 0;
  for (;;) {
    let seekTo: string | undefined;
    let yielded = false;
    for (const ref of source.scan(prefix, from)) {
      const rest = ref.name.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) {
        const folder = prefix + rest.slice(0, slash + 1);
        if (!opts.excludeFolder?.(folder)) {
          if (items.length >= opts.limit) return { items, next: folder };
          items.push({ kind: 'folder', prefix: folder, label: rest.slice(0, slash) });
        }
        seekTo = keyAfterFolder(folder);
        break;
      }
      if (items.length >= opts.limit) return { items, next: ref.name };
      items.push({ kind: 'ref', ref, label: rest });
      if (++read % chunk === 0) {
        // Resume by a fresh seek after yielding: a reload may have swapped the tables under us.
        seekTo = ref.name + '\0';
        yielded = true;
        break;
      }
    }
    if (seekTo === undefined) return { items };
    if (!yielded && ++read % chunk === 0) yielded = true;
    if (yielded) {
      await yieldToEventLoop();
      if (opts.cancelled?.()) throw new ListingCancelled();
    }
    from = seekTo;
  }
}

/** How many names lie under `prefix`, counted in chunks (used for small folders' descriptions). */
export async function countUnder(source: RefSource, prefix: string, max: number, chunk = 2000): Promise<number | undefined> {
  let n = 0;
  let from: string | undefined;
  for (;;) {
    let last: string | undefined;
    let more = false;
    for (const ref of source.scan(prefix, from)) {
      if (++n > max) return undefined;
      last = ref.name;
      if (n % chunk === 0) {
        more = true;
        break;
      }
    }
    if (!more || last === undefined) return n;
    from = last + '\0';
    await yieldToEventLoop();
  }
}

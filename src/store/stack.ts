/**
 * One stack directory (`reftable/`): `tables.list` plus the tables it names, opened through
 * file sources, merged newest-wins (reftable-format.md § 7.1, § 7.2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlockSource } from '../engine/block.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { HashFormat } from '../engine/format.js';
import { MergedTables } from '../engine/merged.js';
import { Table } from '../engine/table.js';
import { ioError, openFileSource } from './fs-source.js';

export const TABLES_LIST = 'tables.list';

export interface StackTable {
  name: string;
  size: number;
  table: Table;
}

type ClosableSource = BlockSource & { close?(): void };
type Entry = StackTable & { source: ClosableSource };

export interface StackOptions {
  /** Open a table file (tests wrap sources to count reads). */
  openSource?: (file: string) => ClosableSource;
  /** How long to keep retrying when a listed table vanishes under a concurrent compaction. */
  retryDeadlineMs?: number;
  /** Test seams for the missing-table retry. */
  hooks?: {
    /** Called after tables.list was read for attempt `attempt` (0-based), before tables are opened. */
    afterListRead?(attempt: number): void;
    sleep?(ms: number): void;
  };
}

/** Names of table files we are willing to open: a plain file name, no path tricks. */
const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parse tables.list: names oldest first; empty lines ignored; garbage is a FORMAT error with its byte offset. */
export function parseTablesList(bytes: Uint8Array): string[] {
  const names: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) {
      const line = Buffer.from(bytes.subarray(start, end)).toString('latin1');
      if (!TABLE_NAME.test(line) || line.includes('..')) {
        throw new ReftableError(ErrorCode.Format, `invalid table name ${JSON.stringify(line)}`, { file: TABLES_LIST, offset: start });
      }
      names.push(line);
    }
    start = end + 1;
  }
  return names;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class Stack {
  private entries: Entry[] = [];
  private content = '';
  private mergedView: MergedTables | undefined;
  private tableView: readonly StackTable[] | undefined;
  private closed = false;

  private constructor(readonly dir: string, readonly hash: HashFormat, private readonly opts: StackOptions) {}

  /** Open the stack in `dir`; a missing tables.list (or directory) is an empty stack. */
  static open(dir: string, hash: HashFormat, opts: StackOptions = {}): Stack {
    const s = new Stack(dir, hash, opts);
    s.load();
    return s;
  }

  get listPath(): string {
    return path.join(this.dir, TABLES_LIST);
  }

  /** Raw tables.list as last read (writers compare it to detect a stale view). */
  get listContent(): string {
    return this.content;
  }

  get tables(): readonly StackTable[] {
    // Built once per table set: lookups index it per call, and a stack may hold 1,000 tables.
    this.tableView ??= Object.freeze(this.entries.map(({ name, size, table }) => Object.freeze({ name, size, table })));
    return this.tableView;
  }

  get merged(): MergedTables {
    this.mergedView ??= new MergedTables(this.entries.map((e) => e.table));
    return this.mergedView;
  }

  /** Newest table's max update index + 1; 1 for an empty stack (§ 5.6). */
  get nextUpdateIndex(): number {
    const last = this.entries[this.entries.length - 1];
    return last ? last.table.maxUpdateIndex + 1 : 1;
  }

  /** Re-read tables.list; true when it changed (tables still listed are reused). */
  reload(): boolean {
    this.assertOpen();
    const now = this.readList();
    if (now === this.content) return false;
    this.load();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.entries) e.source.close?.();
    this.entries = [];
    this.mergedView = undefined;
    this.tableView = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new ReftableError(ErrorCode.Api, 'stack is closed', { file: this.dir });
  }

  private readList(): string {
    try {
      return fs.readFileSync(this.listPath, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw ioError(e, this.listPath, 'cannot read');
    }
  }

  /**
   * Read tables.list and open every table. A listed table that is missing usually means a
   * compaction replaced it between our two reads: retry while tables.list keeps changing,
   * with a growing randomized sleep, like git (deadline, at least three attempts).
   */
  private load(): void {
    const deadline = Date.now() + (this.opts.retryDeadlineMs ?? 3000);
    const sleep = this.opts.hooks?.sleep ?? sleepSync;
    let delay = 0;
    for (let attempt = 0; ; attempt++) {
      const content = this.readList();
      this.opts.hooks?.afterListRead?.(attempt);
      const names = parseTablesList(Buffer.from(content, 'latin1'));
      try {
        this.install(content, names);
        return;
      } catch (e) {
        if (!(e instanceof ReftableError) || e.code !== ErrorCode.NotExist) throw e;
        const again = this.readList();
        if (again === content) throw e;
        if (attempt + 1 >= 3 && Date.now() >= deadline) throw e;
        delay = delay + 1 + Math.floor(Math.random() * (delay + 1)) * 2;
        sleep(Math.min(delay, 100));
      }
    }
  }

  /** Open `names` (reusing open tables by name) and swap them in; all-or-nothing. */
  private install(content: string, names: string[]): void {
    const old = new Map(this.entries.map((e) => [e.name, e]));
    const fresh: Entry[] = [];
    const opened: ClosableSource[] = [];
    try {
      for (const name of names) {
        const reuse = old.get(name);
        if (reuse) {
          fresh.push(reuse);
          continue;
        }
        const src = this.openTableSource(name);
        opened.push(src);
        fresh.push({ name, size: src.size, table: openChecked(src, name, this.hash), source: src });
      }
    } catch (e) {
      for (const s of opened) s.close?.();
      throw e;
    }
    const keep = new Set(names);
    for (const e of this.entries) if (!keep.has(e.name)) e.source.close?.();
    this.entries = fresh;
    this.content = content;
    this.mergedView = undefined;
    this.tableView = undefined;
  }

  private openTableSource(name: string): ClosableSource {
    const file = path.join(this.dir, name);
    try {
      return this.opts.openSource ? this.opts.openSource(file) : openFileSource(file);
    } catch (e) {
      if (e instanceof ReftableError) {
        if (e.code === ErrorCode.NotExist) {
          throw new ReftableError(ErrorCode.NotExist, `table ${name} listed in tables.list does not exist`, { file: name, cause: e });
        }
        throw e;
      }
      throw ioError(e, file, 'cannot open');
    }
  }
}

/** Open a table and check its footer CRC: a damaged table is an error, never an empty one. */
function openChecked(src: ClosableSource, name: string, hash: HashFormat): Table {
  try {
    const t = Table.open(src, { name, hash });
    t.checkCrc();
    return t;
  } catch (e) {
    src.close?.();
    throw e;
  }
}

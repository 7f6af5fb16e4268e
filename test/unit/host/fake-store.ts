/** An in-memory repository implementing the extension's RefSource/RefWriter seam. */
import { ErrorCode, ReftableError } from '../../../src/engine/errors.js';
import { SHA1 } from '../../../src/engine/format.js';
import type {
  CompactionResult, LogEntry, StackFinding, OpenedRepository, RefEntry, RefSource, RefUpdate, RefWriter,
  RepositoryInfo, ShadowedRef, StackInfo, StackSummary, StoreBackend, TableInfo, TransactionOptions, TransactionResult, WorktreeInfo,
} from '../../../src/model/source.js';

const enc = new TextEncoder();
function cmpBytes(a: string, b: string): number {
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export const oid = (n: number): string => n.toString(16).padStart(40, '0');

export class FakeRepo implements RefSource, RefWriter {
  refsByName = new Map<string, RefEntry>();
  sorted: string[] | undefined;
  logs = new Map<string, LogEntry[]>();
  shadowed: ShadowedRef[] = [];
  tableList: TableInfo[] = [];
  worktreeList: WorktreeInfo[] = [];
  updateIndex = 1;
  /** Records handed out by scan(): lets tests prove listings are lazy. */
  scanned = 0;
  seeks = 0;
  reloads = 0;
  dirty = false;
  closed = false;
  transactions: { updates: RefUpdate[]; opts: TransactionOptions }[] = [];
  /** Throw this from the next write (simulates a lock held by git). */
  failNext?: ReftableError;
  findings: StackFinding[] = [];
  compactions: ('auto' | 'full')[] = [];

  constructor(readonly info: RepositoryInfo) {}

  static info(dir: string, extra: Partial<RepositoryInfo> = {}): RepositoryInfo {
    return {
      gitDir: `${dir}/.git`, commonDir: `${dir}/.git`, workTree: dir, bare: false, hash: SHA1,
      refStorage: 'reftable', config: new Map(), ...extra,
    };
  }

  set(name: string, value: Partial<RefEntry> & ({ oid: string } | { target: string })): this {
    const type = 'target' in value && value.target ? 'symref' : value.peeled ? 'peeled' : 'oid';
    this.refsByName.set(name, { name, type, updateIndex: this.updateIndex, stack: 'main', table: 'table-1.ref', ...value });
    this.sorted = undefined;
    return this;
  }

  private names(): string[] {
    return (this.sorted ??= [...this.refsByName.keys()].sort(cmpBytes));
  }

  *scan(prefix: string, from?: string): Iterable<RefEntry> {
    this.seeks++;
    const names = this.names();
    const start = from !== undefined && cmpBytes(from, prefix) > 0 ? from : prefix;
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpBytes(names[mid], start) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < names.length; i++) {
      if (!names[i].startsWith(prefix)) return;
      this.scanned++;
      yield this.refsByName.get(names[i])!;
    }
  }
  ref(name: string): RefEntry | undefined {
    return this.refsByName.get(name);
  }
  resolve(name: string): string | undefined {
    let r = this.refsByName.get(name);
    for (let i = 0; r && r.type === 'symref' && i < 5; i++) r = this.refsByName.get(r.target!);
    return r?.oid;
  }
  *reflog(name: string): Iterable<LogEntry> {
    yield* this.logs.get(name) ?? [];
  }
  refsPointingAt(id: string): RefEntry[] {
    return [...this.refsByName.values()].filter((r) => r.oid === id || r.peeled === id);
  }
  stacks(): StackInfo[] {
    return [
      { id: 'main', dir: `${this.info.commonDir}/reftable`, tables: this.tableList },
      ...this.worktreeList.map((w) => ({ id: w.id, dir: `${w.gitDir}/reftable`, tables: [] })),
    ];
  }
  stackSummaries(): StackSummary[] {
    return this.stacks().map((s) => ({ id: s.id, dir: s.dir, tableNames: s.tables.map((t) => t.name) }));
  }
  worktrees(): WorktreeInfo[] {
    return this.worktreeList;
  }
  shadowedRefs(): ShadowedRef[] {
    return this.shadowed;
  }
  reload(): boolean {
    this.reloads++;
    const d = this.dirty;
    this.dirty = false;
    return d;
  }
  close(): void {
    this.closed = true;
  }

  private check(): void {
    const f = this.failNext;
    if (f) {
      this.failNext = undefined;
      throw f;
    }
  }

  transaction(updates: RefUpdate[], opts: TransactionOptions): TransactionResult {
    this.check();
    const current = (n: string) => this.refsByName.get(n);
    const zero = '0'.repeat(40);
    for (const u of updates) {
      const cur = current(u.name);
      const expect = 'old' in u ? u.old : undefined;
      if (expect !== undefined) {
        const actual = cur?.oid ?? zero;
        if (actual !== expect) {
          throw new ReftableError(ErrorCode.Expectation, `cannot lock ref '${u.name}': is at ${actual} but expected ${expect}`, {
            data: { ref: u.name, expected: expect, actual },
          });
        }
      }
      if ((u.op === 'create' || u.op === 'symref-create') && cur) {
        throw new ReftableError(ErrorCode.Expectation, `cannot lock ref '${u.name}': reference already exists`, { data: { ref: u.name } });
      }
    }
    this.updateIndex++;
    for (const u of updates) {
      switch (u.op) {
        case 'create': case 'update': this.set(u.name, { oid: u.oid, peeled: u.peeled }); break;
        case 'delete': case 'symref-delete': this.refsByName.delete(u.name); this.sorted = undefined; break;
        case 'symref-create': case 'symref-update': this.set(u.name, { target: u.target }); break;
        default: break;
      }
    }
    this.transactions.push({ updates, opts });
    this.dirty = true;
    return { tables: [{ stack: 'main', name: `t${this.updateIndex}.ref` }], updateIndex: this.updateIndex };
  }
  rename(oldName: string, newName: string, expectedOid: string | undefined, opts: TransactionOptions): TransactionResult {
    const cur = this.refsByName.get(oldName);
    if (!cur) throw new ReftableError(ErrorCode.NotFound, `no such ref ${oldName}`);
    return this.transaction([{ op: 'delete', name: oldName, old: expectedOid ?? cur.oid }, { op: 'create', name: newName, oid: cur.oid! }], opts);
  }
  deleteReflogEntry(name: string, updateIndex: number): void {
    this.check();
    if (!(this.logs.get(name) ?? []).some((e) => e.updateIndex === updateIndex)) {
      throw new ReftableError(ErrorCode.Expectation, `${name} has no reflog entry at update index ${updateIndex} any more`);
    }
    this.logs.set(name, (this.logs.get(name) ?? []).filter((e) => e.updateIndex !== updateIndex));
    this.dirty = true;
  }
  expireReflog(names: string[] | 'all', before: number): number {
    this.check();
    let n = 0;
    for (const [name, list] of this.logs) {
      if (names !== 'all' && !names.includes(name)) continue;
      const kept = list.filter((e) => e.committer.time >= before);
      n += list.length - kept.length;
      this.logs.set(name, kept);
    }
    this.dirty = true;
    return n;
  }
  compact(mode: 'auto' | 'full'): CompactionResult {
    this.check();
    this.compactions.push(mode);
    const before = this.tableList.length;
    const bytes = this.tableList.reduce((a, t) => a + t.size, 0);
    if (mode === 'full' && before > 1) {
      this.tableList = [{ ...this.tableList[0], name: 'packed.ref', size: Math.round(bytes * 0.6), maxUpdateIndex: this.updateIndex }];
      this.dirty = true;
    }
    return { tablesBefore: before, tablesAfter: this.tableList.length, bytesBefore: bytes, bytesAfter: this.tableList.reduce((a, t) => a + t.size, 0) };
  }
  verify(): StackFinding[] {
    return this.findings;
  }
  restoreRef(shadowed: ShadowedRef, as: string, opts: TransactionOptions): TransactionResult & { restoredLogs: number } {
    return { ...this.transaction([{ op: 'create', name: as, oid: shadowed.oid }], opts), restoredLogs: 0 };
  }
}

export function table(name: string, size: number, min: number, max: number, extra: Partial<TableInfo> = {}): TableInfo {
  return {
    name, size, minUpdateIndex: min, maxUpdateIndex: max, refCount: 1, logCount: 1, objCount: 0,
    refTombstones: 0, logTombstones: 0, blocks: { ref: 1, obj: 0, log: 1, index: 0 }, ...extra,
  };
}

export class FakeBackend implements StoreBackend {
  repos = new Map<string, FakeRepo>();
  filesRepos: RepositoryInfo[] = [];
  add(repo: FakeRepo): FakeRepo {
    this.repos.set(repo.info.commonDir, repo);
    return repo;
  }
  discover(p: string): RepositoryInfo | undefined {
    for (const r of this.repos.values()) if (r.info.workTree === p) return r.info;
    return this.filesRepos.find((f) => f.workTree === p);
  }
  async find(root: string): Promise<RepositoryInfo[]> {
    return [...this.repos.values()].map((r) => r.info).filter((i) => i.workTree !== root && i.commonDir.startsWith(root + '/'));
  }
  open(info: RepositoryInfo): OpenedRepository {
    const r = this.repos.get(info.commonDir)!;
    return { source: r, writer: r };
  }
}

/**
 * A demo reftable repository made by our own engine, no git needed: real loose objects (so
 * `git log` and VS Code's git extension work), an index matching the work tree, and a ref
 * history spread over several tables — branches, a lightweight and an annotated tag (peeled),
 * remote-tracking refs with a remote symref, a deleted branch (ref and log tombstones), and
 * reflogs written the way a git 2.47 transaction writes them (reftable-format.md §8.3).
 *
 * The oldest updates are compacted into one base table (tombstones dropped, as git does when a
 * run starts at the oldest table), the rest stay one table per transaction, so the stack has
 * something for the compaction view to suggest.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { utf8 } from '../../src/engine/bytes.js';
import { compactTables } from '../../src/engine/compact.js';
import { LogValueType, RefValueType, SHA1 } from '../../src/engine/format.js';
import type { LogRecord, RefRecord } from '../../src/engine/record.js';
import { Table } from '../../src/engine/table.js';
import { writeTable } from '../../src/engine/writer.js';

const ZERO = '0'.repeat(40);
const IDENT = { name: 'Demo User', email: 'demo@example.com' };
const TZ = 100; // +0100
const START = 1_700_000_000;

export interface DemoRepo {
  dir: string;
  gitDir: string;
  /** Final ref values by name ('ref: <target>' for symrefs). */
  refs: Record<string, string>;
  tables: string[];
}

type Change =
  | { name: string; oid: string; peeled?: string; log?: string }
  | { name: string; target: string }
  | { name: string; delete: true };

interface Tx {
  changes: Change[];
  /** Log-only HEAD entry, as git adds when the branch HEAD points to moves. */
  headLog?: boolean;
}

function bin(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}

class ObjectWriter {
  constructor(private readonly objects: string) {}

  write(type: string, body: Buffer): string {
    const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const id = crypto.createHash('sha1').update(raw).digest('hex');
    const dir = path.join(this.objects, id.slice(0, 2));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, id.slice(2));
    if (!fs.existsSync(file)) fs.writeFileSync(file, zlib.deflateSync(raw));
    return id;
  }

  blob(content: string): string {
    return this.write('blob', Buffer.from(content));
  }

  /** A flat tree (the demo has no subdirectories). */
  tree(files: Record<string, string>): string {
    const names = Object.keys(files).sort();
    const parts = names.map((n) => Buffer.concat([Buffer.from(`100644 ${n}\0`), Buffer.from(files[n], 'hex')]));
    return this.write('tree', Buffer.concat(parts));
  }

  commit(tree: string, parents: string[], message: string, time: number): string {
    const who = `${IDENT.name} <${IDENT.email}> ${time} +0100`;
    const lines = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${who}`, `committer ${who}`, '', message, ''];
    return this.write('commit', Buffer.from(lines.join('\n')));
  }

  tag(object: string, name: string, message: string, time: number): string {
    const who = `${IDENT.name} <${IDENT.email}> ${time} +0100`;
    return this.write('tag', Buffer.from(`object ${object}\ntype commit\ntag ${name}\ntagger ${who}\n\n${message}\n`));
  }
}

/** Index v2 with zeroed stat data: git re-hashes the files once and then sees them clean. */
function writeIndex(file: string, entries: { path: string; oid: string; size: number }[]): void {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(entries.length, 8);
  parts.push(header);
  for (const e of [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))) {
    const name = Buffer.from(e.path);
    const fixed = Buffer.alloc(62);
    fixed.writeUInt32BE(0o100644, 24);
    fixed.writeUInt32BE(e.size, 36);
    Buffer.from(e.oid, 'hex').copy(fixed, 40);
    fixed.writeUInt16BE(Math.min(name.length, 0xfff), 60);
    const len = 62 + name.length;
    const padded = Math.ceil((len + 1) / 8) * 8;
    parts.push(fixed, name, Buffer.alloc(padded - len));
  }
  const body = Buffer.concat(parts);
  fs.writeFileSync(file, Buffer.concat([body, crypto.createHash('sha1').update(body).digest()]));
}

function tableName(min: number, max: number): string {
  const h = (n: number) => `0x${n.toString(16).padStart(12, '0')}`;
  return `${h(min)}-${h(max)}-${crypto.randomBytes(4).toString('hex')}.ref`;
}

/** Replays transactions against an in-memory view, producing one table each. */
class History {
  readonly refs = new Map<string, { oid?: string; peeled?: string; target?: string }>();
  /** Live reflog update indexes per ref, for the tombstones a deletion writes. */
  readonly logs = new Map<string, number[]>();
  readonly tables: Uint8Array[] = [];
  private ui = 0;
  private time = START;

  private resolve(name: string): string {
    const r = this.refs.get(name);
    if (!r) return ZERO;
    return r.target !== undefined ? this.resolve(r.target) : (r.oid ?? ZERO);
  }

  private log(name: string, ui: number, old: string, nu: string, message: string, type: LogValueType = LogValueType.Update): LogRecord {
    return {
      kind: 'log', name: utf8(name), updateIndex: ui, valueType: type, old: bin(old), new: bin(nu),
      committerName: utf8(IDENT.name), email: utf8(IDENT.email), time: this.time, tz: TZ, message: utf8(message),
    };
  }

  apply(tx: Tx, message: string): void {
    const ui = ++this.ui;
    this.time += 60 * 37;
    const refs: RefRecord[] = [];
    const logs: LogRecord[] = [];
    const head = this.refs.get('HEAD')?.target;
    for (const c of [...tx.changes].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))) {
      const name = utf8(c.name);
      const old = this.resolve(c.name);
      if ('delete' in c) {
        for (const at of this.logs.get(c.name) ?? []) logs.push({ ...this.log(c.name, at, ZERO, ZERO, ''), valueType: LogValueType.Deletion });
        this.logs.delete(c.name);
        refs.push({ kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Deletion });
        this.refs.delete(c.name);
        continue;
      }
      if ('target' in c) {
        refs.push({ kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Symref, target: utf8(c.target) });
        this.refs.set(c.name, { target: c.target });
        continue;
      }
      refs.push(c.peeled
        ? { kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Val2, value: bin(c.oid), peeled: bin(c.peeled) }
        : { kind: 'ref', name, updateIndex: ui, valueType: RefValueType.Val1, value: bin(c.oid) });
      this.refs.set(c.name, c.peeled ? { oid: c.oid, peeled: c.peeled } : { oid: c.oid });
      // §8.4: logAllRefUpdates=true logs branches, remotes and HEAD; tags get none.
      if (!c.name.startsWith('refs/tags/')) {
        logs.push(this.log(c.name, ui, old, c.oid, `${c.log ?? message}\n`));
        this.logs.set(c.name, [...(this.logs.get(c.name) ?? []), ui]);
        if (tx.headLog && c.name === head) {
          logs.push(this.log('HEAD', ui, old, c.oid, `${c.log ?? message}\n`));
          this.logs.set('HEAD', [...(this.logs.get('HEAD') ?? []), ui]);
        }
      }
    }
    logs.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || b.updateIndex - a.updateIndex);
    const bytes = writeTable({ hash: SHA1, minUpdateIndex: ui, maxUpdateIndex: ui }, refs, logs);
    if (!bytes) throw new Error(`transaction ${ui} wrote nothing`);
    this.tables.push(bytes);
  }
}

function config(): string {
  return [
    '[core]', '\trepositoryformatversion = 1', '\tfilemode = true', '\tbare = false', '\tlogallrefupdates = true',
    '[extensions]', '\trefstorage = reftable',
    '[remote "origin"]', '\turl = ../upstream.git', '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '[branch "main"]', '\tremote = origin', '\tmerge = refs/heads/main', '',
  ].join('\n');
}

/** Create the demo repository at `dir` (which must not exist or be empty). */
export function createDemoRepo(dir: string): DemoRepo {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
  const gitDir = path.join(dir, '.git');
  const reftable = path.join(gitDir, 'reftable');
  fs.mkdirSync(reftable, { recursive: true });
  fs.mkdirSync(path.join(gitDir, 'refs'));
  fs.mkdirSync(path.join(gitDir, 'objects', 'info'), { recursive: true });
  fs.mkdirSync(path.join(gitDir, 'objects', 'pack'));
  // §8.1: the stubs that make older gits recognise (and refuse) the directory.
  fs.writeFileSync(path.join(gitDir, 'HEAD'), 'ref: refs/heads/.invalid\n');
  fs.writeFileSync(path.join(gitDir, 'refs', 'heads'), 'this repository uses the reftable format\n');
  fs.writeFileSync(path.join(gitDir, 'config'), config());
  fs.writeFileSync(path.join(gitDir, 'description'), 'Reftable Explorer demo repository\n');

  const objects = new ObjectWriter(path.join(gitDir, 'objects'));
  const files: Record<string, string> = {};
  let t = START;
  const snapshot = (name: string, content: string): string => {
    files[name] = content;
    return objects.tree(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, objects.blob(c)])));
  };
  const commit = (name: string, content: string, parents: string[], msg: string): string =>
    objects.commit(snapshot(name, content), parents, msg, (t += 3600));

  const c1 = commit('README.md', '# Demo\n\nA repository whose refs live in reftable tables.\n', [], 'Initial commit');
  const c2 = commit('parser.txt', 'blocks, restarts, records\n', [c1], 'Add parser notes');
  const f1 = commit('inspector.txt', 'hex view and structure tree\n', [c2], 'Sketch the inspector');
  const f2 = commit('inspector.txt', 'hex view, structure tree, highlights\n', [f1], 'Highlight record bytes');
  const tag = objects.tag(c2, 'v1.0', 'First release', (t += 60));
  const o1 = commit('upstream.txt', 'from the remote\n', [c2], 'Upstream change');
  delete files['upstream.txt'];
  delete files['inspector.txt'];
  const old = commit('old.txt', 'soon gone\n', [c2], 'Experiment');
  delete files['old.txt'];
  const c3 = commit('writer.txt', 'tables, indexes, footer\n', [c2], 'Write tables');
  const c4 = commit('compaction.txt', 'geometric factor 2\n', [c3], 'Compact the stack');

  const h = new History();
  h.apply({ changes: [{ name: 'HEAD', target: 'refs/heads/main' }] }, '');
  h.apply({ changes: [{ name: 'refs/heads/main', oid: c1 }], headLog: true }, 'commit (initial): Initial commit');
  h.apply({ changes: [{ name: 'refs/heads/main', oid: c2 }], headLog: true }, 'commit: Add parser notes');
  h.apply({ changes: [{ name: 'refs/heads/feature/inspector', oid: c2 }] }, 'branch: Created from main');
  h.apply({ changes: [{ name: 'refs/heads/old-experiment', oid: old }] }, 'branch: Created from main');
  h.apply({ changes: [{ name: 'refs/heads/old-experiment', delete: true }] }, '');
  h.apply({ changes: [{ name: 'refs/heads/feature/inspector', oid: f1 }] }, 'commit: Sketch the inspector');
  h.apply({ changes: [{ name: 'refs/heads/feature/inspector', oid: f2 }] }, 'commit: Highlight record bytes');
  h.apply({ changes: [{ name: 'refs/tags/v0.1', oid: c1 }, { name: 'refs/tags/v1.0', oid: tag, peeled: c2 }] }, '');
  h.apply({
    changes: [
      { name: 'refs/remotes/origin/main', oid: o1 },
      { name: 'refs/remotes/origin/feature/inspector', oid: f1 },
    ],
  }, 'fetch origin: storing head');
  h.apply({ changes: [{ name: 'refs/remotes/origin/HEAD', target: 'refs/remotes/origin/main' }] }, '');
  h.apply({ changes: [{ name: 'refs/heads/main', oid: c3 }], headLog: true }, 'commit: Write tables');
  h.apply({ changes: [{ name: 'refs/heads/fix/typo', oid: c3 }] }, 'branch: Created from HEAD');
  h.apply({ changes: [{ name: 'refs/heads/main', oid: c4 }], headLog: true }, 'commit: Compact the stack');

  // The first six transactions as one compacted base table (the deleted branch vanishes).
  const BASE = 6;
  const opened = h.tables.slice(0, BASE).map((b, i) => Table.open(b, { name: `t${i}` }));
  const base = compactTables(opened, { hash: SHA1, dropDeletions: true });
  const stack: { bytes: Uint8Array; min: number; max: number }[] = [];
  if (base) stack.push({ bytes: base, min: 1, max: BASE });
  h.tables.slice(BASE).forEach((bytes, i) => stack.push({ bytes, min: BASE + 1 + i, max: BASE + 1 + i }));
  const names: string[] = [];
  for (const tbl of stack) {
    const name = tableName(tbl.min, tbl.max);
    fs.writeFileSync(path.join(reftable, name), tbl.bytes);
    names.push(name);
  }
  fs.writeFileSync(path.join(reftable, 'tables.list'), names.map((n) => `${n}\n`).join(''));

  const entries = Object.entries(files).map(([p, c]) => {
    fs.writeFileSync(path.join(dir, p), c);
    return { path: p, oid: objects.blob(c), size: Buffer.byteLength(c) };
  });
  writeIndex(path.join(gitDir, 'index'), entries);

  const refs: Record<string, string> = {};
  for (const [n, r] of [...h.refs].sort(([a], [b]) => (a < b ? -1 : 1))) refs[n] = r.target !== undefined ? `ref: ${r.target}` : r.oid!;
  return { dir, gitDir, refs, tables: names };
}

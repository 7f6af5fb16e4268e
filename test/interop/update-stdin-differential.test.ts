/**
 * Differential test against git 2.47: random `update-ref --stdin` sessions over a small set
 * of names chosen to collide (directory/file conflicts, a symref HEAD, one-level names git
 * treats differently for updates and deletions, a name git refuses, ids given in both cases,
 * mostly right and sometimes wrong old values, symref commands, --create-reflog and
 * --no-deref, explicit transactions that are prepared, committed or aborted, now and then a
 * bad line after them) go through
 * `git update-ref --stdin` and through our session (the CLI's code path) on twin
 * repositories. Whatever git does, we must do: the same status lines; failing when it fails,
 * with git's words; the same tables, byte for byte. The scripted equivalence suite covers the
 * cases we thought of; this one covers the combinations we did not. The same for random
 * `update-ref [-m MSG] [--no-deref] [--create-reflog] [-d] REF [NEW [OLD]]` and
 * `symbolic-ref [-m MSG] NAME TARGET`, `reflog delete [--rewrite] [--updateref] REF@{N}`, `reflog expire`
 * and `pack-refs [--auto]` command lines.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRepository } from '../../src/store/repository';
import { packRefs } from '../../src/store/compaction';
import { runUpdateStdin } from '../../src/store/stdin-session';
import { initRepository } from '../../src/store/init';
import { main } from '../../src/cli';
import { RefDatabase } from '../../src/store/refdb';
import { prng } from '../prng';
import { ourReflog } from './read-helpers';
import { envFor, git, gitBinary, makeCommits, runGit, scratch, stem, tableBytes, tablesList } from './write-helpers';

let G = '';
const tmp = scratch('rt-diff-');
const total = { rounds: 0, gitFailed: 0, tables: 0 };

beforeAll(async () => {
  G = await gitBinary();
}, 600_000);
afterAll(() => {
  tmp.cleanup();
  console.log(`update --stdin differential: ${total.rounds} scripts, ${total.gitFailed} refused by git, ${total.tables} tables byte-identical`);
});

const NAMES = [
  'refs/heads/main', 'refs/heads/a', 'refs/heads/a/b', 'refs/heads/a/b/c', 'refs/heads/b',
  'refs/heads/x/y', 'refs/tags/v1', 'HEAD', 'refs/heads/c',
];
/** Names whose updates git treats differently from their deletions; drawn less often. */
const ODD_NAMES = ['foo', 'FOO_BAR', 'FOO-BAR'];
const TARGETS = ['refs/heads/main', 'refs/heads/b', 'refs/heads/new'];
/** Values that name refs instead of giving an id (git resolves them when it reads the line). */
const VALUE_NAMES = ['main', 'HEAD', '@', 'refs/heads/b', 'b', 'v1', 'tags/v1', 'heads/a', 'a/b', 'nope', 'a/', 'refs/heads/a/./b', 'FOO_BAR', 'foo'];

function twins(name: string, hash: 'sha1' | 'sha256') {
  const env = envFor(tmp.home);
  const a = path.join(tmp.dir, `${name}-git`);
  const b = path.join(tmp.dir, `${name}-ours`);
  git(G, tmp.dir, ['init', '-q', '--ref-format=reftable', `--object-format=${hash}`, '-b', 'main', a], env);
  initRepository(b, { hash, initialBranch: 'main' });
  const ids = makeCommits(G, a, env, 4);
  expect(makeCommits(G, b, env, 4)).toEqual(ids);
  return { a: path.join(a, '.git'), b: path.join(b, '.git'), ids, zero: '0'.repeat(ids[0].length), env };
}

/**
 * After a write: the same stack in both twins (table names up to their random part), and
 * each table git's twin did not have before byte-identical to ours (auto-compaction, when
 * on, may have replaced older ones). Returns how many were compared.
 */
function sameNewTables(t: ReturnType<typeof twins>, beforeA: string[], context: string): number {
  const a = tablesList(t.a);
  const b = tablesList(t.b);
  expect(b.map(stem), context).toEqual(a.map(stem));
  const old = new Set(beforeA);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (old.has(a[i])) continue;
    expect(Buffer.compare(tableBytes(t.a, a[i]), tableBytes(t.b, b[i])), `table ${a[i]} differs; ${context}`).toBe(0);
    n++;
  }
  return n;
}

/** Current values in git's twin: name -> id (HEAD resolved through its target). */
function currentRefs(t: ReturnType<typeof twins>): Map<string, string> {
  const out = new Map<string, string>();
  const list = git(G, t.a, ['for-each-ref', '--format=%(refname) %(objectname)'], t.env).trim();
  for (const line of list ? list.split('\n') : []) {
    const [name, id] = line.split(' ');
    out.set(name, id);
  }
  const head = runGit(G, t.a, ['rev-parse', '-q', '--verify', 'HEAD'], t.env);
  if (head.status === 0) out.set('HEAD', head.stdout.trim());
  return out;
}

/** Lines of one transaction: one to four updates (mostly one or two) of the eight commands. */
function updates(r: () => number, t: ReturnType<typeof twins>, current: Map<string, string>): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const anyId = () => {
    const x = r();
    if (x < 0.05) return t.zero;
    if (x < 0.1) return pick(VALUE_NAMES);
    const v = pick(t.ids);
    return x > 0.9 ? v.toUpperCase() : v;
  };
  // Old values mostly the current ones, so that most transactions can succeed.
  const oldOf = (name: string) => (r() < 0.75 ? (current.get(name) ?? t.zero) : anyId());
  const lines: string[] = [];
  const used = new Set<string>();
  const n = 1 + Math.floor(r() * r() * 4);
  for (let i = 0; i < n; i++) {
    // The refused name now and then; a name already in the transaction seldom (git refuses
    // two updates of one ref); creations mostly of names that do not exist yet.
    const op = pick(['create', 'update', 'update', 'delete', 'verify', 'symref'] as const);
    const draw = () => (r() < 0.1 ? pick(ODD_NAMES) : pick(NAMES));
    let name = r() < 0.02 ? 'refs/heads/bad..name' : draw();
    for (let tries = 0; tries < 4 && ((used.has(name) && r() < 0.9) || (op === 'create' && current.has(name) && r() < 0.8)); tries++) name = draw();
    used.add(name);
    const withOld = r() < 0.5;
    switch (op) {
      case 'create': lines.push(`create ${name} ${anyId()}`); break;
      case 'update': lines.push(`update ${name} ${anyId()}${withOld ? ` ${oldOf(name)}` : ''}`); break;
      // A zero old value is refused for delete (the parse error is compared elsewhere often enough).
      case 'delete': lines.push(`delete ${name}${withOld ? ` ${current.get(name) ?? pick(t.ids)}` : ''}`); break;
      case 'verify': lines.push(`verify ${name}${withOld ? ` ${oldOf(name)}` : ''}`); break;
      case 'symref': {
        const target = pick(TARGETS);
        const old = withOld ? (r() < 0.5 ? ` ref ${pick(TARGETS)}` : ` oid ${oldOf(name)}`) : '';
        const kind = pick(['create', 'update', 'update', 'delete', 'verify'] as const);
        if (kind === 'create') lines.push(`symref-create ${name} ${target}`);
        else if (kind === 'update') lines.push(`symref-update ${name} ${target}${old}`);
        // These two need no-deref (git refuses them otherwise, which is worth comparing too).
        else lines.push(`${r() < 0.8 ? 'option no-deref\n' : ''}symref-${kind} ${name}${withOld ? ` ${pick(TARGETS)}` : ''}`);
        break;
      }
    }
  }
  return lines;
}

/**
 * One random session: the updates alone (one transaction committed at the end), or one or
 * two explicit transactions, each maybe prepared, then committed or aborted (the last one
 * maybe left open: aborted at the end of input), now and then followed by a bad line.
 */
function script(r: () => number, t: ReturnType<typeof twins>): string {
  const current = currentRefs(t);
  const lines: string[] = [];
  if (r() < 0.5) {
    lines.push(...updates(r, t, current));
  } else {
    const n = r() < 0.7 ? 1 : 2;
    for (let i = 0; i < n; i++) {
      lines.push('start', ...updates(r, t, current));
      if (r() < 0.3) lines.push('prepare');
      const end = r();
      if (end < 0.75) lines.push('commit');
      else if (end < 0.9 || i < n - 1) lines.push('abort');
    }
  }
  if (r() < 0.08) lines.push('bogus line');
  return lines.join('\n') + '\n';
}

/**
 * The same session in `-z` form (git-update-ref(1), "NUL-terminated format"): every argument
 * ends in NUL, `update`/`delete`/`verify` always carry their old-value field (empty when
 * absent). Now and then an argument's NUL is doubled or dropped, or an optional empty field
 * added, to compare how both parsers take input that does not follow the format.
 */
function toZ(r: () => number, script: string): string {
  const out: string[] = [];
  for (const line of script.split('\n').filter(Boolean)) {
    const [cmd, ...args] = line.split(' ');
    let fields: string[];
    if (['update', 'delete', 'verify'].includes(cmd)) {
      const want = cmd === 'update' ? 3 : 2;
      fields = [`${cmd} ${args[0]}`, ...args.slice(1)];
      while (fields.length < want) fields.push('');
    } else if (cmd === 'option' || !args.length || cmd === 'bogus') {
      fields = [line];
    } else {
      fields = [`${cmd} ${args[0]}`, ...args.slice(1)];
      if (cmd === 'symref-update' && fields.length === 2 && r() < 0.3) fields.push('');
    }
    let z = fields.map((f) => `${f}\0`).join('');
    const x = r();
    if (x < 0.04) z = z.replace(/\0/, '\0\0');
    else if (x < 0.08) z = z.replace(/\0(?=.)/, '');
    out.push(z);
  }
  return out.join('');
}

/**
 * Then the stacks those random writes left (tombstones, symrefs, reflogs of every kind, one
 * table per write) are compacted by `git pack-refs` and by ours: the same single table.
 */
function samePack(t: ReturnType<typeof twins>): void {
  expect(runGit(G, t.a, ['pack-refs'], t.env).status).toBe(0);
  packRefs(discoverRepository(t.b));
  const a = tablesList(t.a);
  const b = tablesList(t.b);
  expect(a).toHaveLength(1);
  expect(b.map(stem)).toEqual(a.map(stem));
  expect(Buffer.compare(tableBytes(t.a, a[0]), tableBytes(t.b, b[0])), 'packed tables differ').toBe(0);
}

interface Variant {
  /** `-z` input. */
  z?: boolean;
  /** Both write as they do by default: each write followed by git's geometric compaction. */
  autoCompaction?: boolean;
  /** `reftable.*` settings given to both twins. */
  config?: [string, string][];
}

/**
 * What git lists from its twin, we list from ours (the same bytes, read by our reader): the
 * refs, with and without root refs, and each reflog as `git log -g` walks it.
 */
async function sameListing(t: ReturnType<typeof twins>, context: string): Promise<void> {
  for (const all of [false, true]) {
    const theirs = git(G, t.a, ['for-each-ref', ...(all ? ['--include-root-refs'] : []), '--format=%(objectname) %(refname)'], t.env);
    const out: string[] = [];
    expect(await main(['-C', t.b, 'refs', ...(all ? ['--all'] : [])], { stdout: (x) => out.push(x), stderr: () => undefined, env: t.env }), context).toBe(0);
    expect(out.join(''), `listing${all ? ' with root refs' : ''}; ${context}`).toBe(theirs);
  }
  const db = RefDatabase.fromInfo(discoverRepository(t.b));
  try {
    // The object index (and its fallback scan) finds what git's --points-at finds under refs/
    // (symrefs aside: they hold a name, not the id).
    for (const id of t.ids) {
      const theirs = git(G, t.a, ['for-each-ref', `--points-at=${id}`, '--format=%(refname) %(symref)'], t.env).split('\n').filter((l) => l && l.endsWith(' ')).map((l) => l.trim());
      const ours = db.refsPointingAt(id).map((r) => r.name).filter((n) => n.startsWith('refs/'));
      expect(ours, `points at ${id}; ${context}`).toEqual(theirs);
    }
    for (const name of git(G, t.a, ['reflog', 'list'], t.env).split('\n').filter(Boolean)) {
      // git log -g needs the name to resolve (a deleted ref's or a dangling HEAD's reflog it cannot walk).
      const theirs = runGit(G, t.a, ['log', '-g', '--date=raw', '--format=%gD|%H|%gn|%ge|%gs', name], t.env);
      if (theirs.status !== 0) continue;
      expect(ourReflog(db, name), `reflog of ${name}; ${context}`).toBe(theirs.stdout);
    }
  } finally {
    db.close();
  }
}

async function runDifferential(hash: 'sha1' | 'sha256', seed: number, rounds: number, variant: Variant = {}): Promise<void> {
  const nulTerminated = !!variant.z;
  const t = twins(`${hash}-${seed}${nulTerminated ? '-z' : ''}${variant.autoCompaction ? '-auto' : ''}${variant.config ? '-cfg' : ''}`, hash);
  if (variant.autoCompaction) delete t.env.GIT_TEST_REFTABLE_AUTOCOMPACTION;
  for (const [k, v] of variant.config ?? []) {
    git(G, t.a, ['config', k, v], t.env);
    git(G, t.b, ['config', k, v], t.env);
  }
  const r = prng(seed);
  const seen = { rounds: 0, gitFailed: 0, tables: 0 };
  for (let round = 0; round < rounds; round++) {
    // Now and then the input ends without its last LF, which git refuses.
    const lf = script(r, t);
    const s = nulTerminated ? toZ(r, lf) : r() < 0.05 ? lf.slice(0, -1) : lf;
    const m = r() < 0.5 ? `round ${round}` : undefined;
    const createReflog = r() < 0.15;
    const noDeref = r() < 0.1;
    const before = { a: tablesList(t.a), b: tablesList(t.b) };
    const flags = [...(nulTerminated ? ['-z'] : []), ...(m === undefined ? [] : ['-m', m]), ...(createReflog ? ['--create-reflog'] : []), ...(noDeref ? ['--no-deref'] : [])];
    const theirs = runGit(G, t.a, ['update-ref', '--stdin', ...flags], t.env, s);
    let ours: unknown;
    const printed: string[] = [];
    try {
      runUpdateStdin(discoverRepository(t.b), Buffer.from(s), { message: m, createReflog, noDeref, z: nulTerminated, env: t.env }, (line) => printed.push(line));
    } catch (e) {
      ours = e;
    }
    seen.rounds++;
    const shown = nulTerminated ? `${s.replace(/\0/g, '\\0')}\n` : s;
    const context = `round ${round} (seed ${seed}, ${hash}, ${flags.join(' ')}), script:\n${shown}git: ${theirs.status === 0 ? 'ok' : theirs.stderr.trim()}\nours: ${ours === undefined ? 'ok' : String((ours as Error).message)}`;
    expect(ours === undefined, context).toBe(theirs.status === 0);
    expect(printed.map((l) => `${l}\n`).join(''), context).toBe(theirs.stdout);
    if (theirs.status !== 0) {
      seen.gitFailed++;
      // The same words as git's `fatal:` line; ours name the input line of a parse error.
      const gitSays = theirs.stderr.trim().split('\n').pop()!.replace(/^fatal: /, '');
      expect((ours as Error).message.replace(/^line \d+: /, '').trim(), context).toBe(gitSays);
    }
    seen.tables += sameNewTables(t, before.a, context);
    if (round % 10 === 9) await sameListing(t, context);
  }
  // Both kinds of outcome were exercised, so the comparison above compared something.
  expect(seen.gitFailed).toBeGreaterThan(0);
  expect(seen.tables).toBeGreaterThan(0);
  samePack(t);
  total.rounds += seen.rounds;
  total.gitFailed += seen.gitFailed;
  total.tables += seen.tables;
}

/**
 * Names a session in a linked worktree touches: its own HEAD and per-worktree refs (its
 * stack), shared ones (the main stack), and symrefs between the two. Not the
 * `main-worktree/` and `worktrees/<id>/` forms: git 2.47 writes those records under the
 * unrewritten name (a `worktrees/wt/HEAD` record in the worktree's own stack, which git then
 * never reads back), where we write the ref the name means.
 */
const WT_NAMES = ['HEAD', 'refs/worktree/p', 'refs/bisect/x', 'refs/heads/main', 'refs/heads/wtb', 'refs/heads/b', 'refs/worktree/q/r'];

/** A short random session over WT_NAMES. */
function wtScript(r: () => number, ids: string[], zero: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const name = pick(WT_NAMES);
    const op = pick(['create', 'update', 'update', 'delete', 'verify', 'symref-update', 'symref-create']);
    const id = r() < 0.1 ? zero : pick(ids);
    if (op === 'create') lines.push(`create ${name} ${id}`);
    else if (op === 'update') lines.push(`update ${name} ${id}`);
    else if (op === 'delete') lines.push(`delete ${name}`);
    else if (op === 'verify') lines.push(`verify ${name} ${id}`);
    else lines.push(`${r() < 0.5 ? 'option no-deref\n' : ''}${op} ${name} ${pick(['refs/heads/main', 'refs/heads/wtb', 'refs/worktree/p', 'refs/heads/new'])}`);
  }
  return lines.join('\n') + '\n';
}

/** Sessions run from a linked worktree of each twin: both stacks compared after each. */
async function runWorktree(seed: number, rounds: number): Promise<void> {
  const t = twins(`wt-${seed}`, 'sha1');
  const wtA = path.join(tmp.dir, `wt-${seed}-a`, 'wt');
  const wtB = path.join(tmp.dir, `wt-${seed}-b`, 'wt');
  git(G, t.a, ['worktree', 'add', '-q', wtA, '-b', 'wtb'], t.env);
  git(G, t.b, ['worktree', 'add', '-q', wtB, '-b', 'wtb'], t.env);
  const stacks = (gd: string) => [gd, path.join(gd, 'worktrees', 'wt')];
  const r = prng(seed);
  let failed = 0;
  const compared = [0, 0];
  for (let round = 0; round < rounds; round++) {
    const s = wtScript(r, t.ids, t.zero);
    const m = r() < 0.5 ? `round ${round}` : undefined;
    const before = stacks(t.a).map((d) => tablesList(d));
    const theirs = runGit(G, wtA, ['update-ref', '--stdin', ...(m ? ['-m', m] : [])], t.env, s);
    let ours: unknown;
    const printed: string[] = [];
    try {
      runUpdateStdin(discoverRepository(wtB), Buffer.from(s), { message: m, env: t.env }, (line) => printed.push(line));
    } catch (e) {
      ours = e;
    }
    const context = `worktree round ${round} (seed ${seed}), script:\n${s}git: ${theirs.status === 0 ? 'ok' : theirs.stderr.trim()}\nours: ${ours === undefined ? 'ok' : String((ours as Error).message)}`;
    expect(ours === undefined, context).toBe(theirs.status === 0);
    if (theirs.status !== 0) {
      failed++;
      const gitSays = theirs.stderr.trim().split('\n').pop()!.replace(/^fatal: /, '');
      expect((ours as Error).message.replace(/^line \d+: /, '').trim(), context).toBe(gitSays);
    }
    const [ma, wa] = stacks(t.a);
    const [mb, wb] = stacks(t.b);
    for (const [k, [da, db, b4]] of ([[ma, mb, before[0]], [wa, wb, before[1]]] as const).entries()) {
      const ta = tablesList(da);
      const tb = tablesList(db);
      expect(tb.map(stem), `${da}: ${context}`).toEqual(ta.map(stem));
      for (let i = 0; i < ta.length; i++) {
        if (b4.includes(ta[i])) continue;
        expect(Buffer.compare(tableBytes(da, ta[i]), tableBytes(db, tb[i])), `table ${ta[i]} differs; ${context}`).toBe(0);
        compared[k]++;
      }
    }
  }
  // Failures and writes to each stack were all compared.
  expect(failed).toBeGreaterThan(0);
  expect(compared[0]).toBeGreaterThan(0);
  expect(compared[1]).toBeGreaterThan(0);
}

describe('random update --stdin sessions: same status lines, outcome and tables as git update-ref --stdin', () => {
  it('SHA-1, seed 1', () => runDifferential('sha1', 1, 100), 120_000);
  it('SHA-1, seed 2', () => runDifferential('sha1', 2, 100), 120_000);
  it('SHA-256, seed 3', () => runDifferential('sha256', 3, 60), 120_000);
  it('-z, SHA-1, seed 6', () => runDifferential('sha1', 6, 100, { z: true }), 120_000);
  it('auto-compaction on, SHA-1, seed 7', () => runDifferential('sha1', 7, 100, { autoCompaction: true }), 120_000);
  it('small blocks, restart interval 1, no object index, factor 3, auto-compaction on: SHA-1, seed 8', () => runDifferential('sha1', 8, 100, {
    autoCompaction: true,
    config: [['reftable.blockSize', '300'], ['reftable.restartInterval', '1'], ['reftable.indexObjects', 'false'], ['reftable.geometricFactor', '3']],
  }), 120_000);
});

/** One random `update-ref` command line (after `update-ref`): `[-m MSG] [--no-deref] [--create-reflog] [-d] REF [NEW [OLD]]`. */
function commandLine(r: () => number, t: ReturnType<typeof twins>): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const current = currentRefs(t);
  const name = r() < 0.02 ? 'refs/heads/bad..name' : r() < 0.1 ? pick(ODD_NAMES) : pick(NAMES);
  // Old values: mostly the current one; otherwise another id, the zero id or the empty string.
  const old = () => {
    const x = r();
    if (x < 0.55) return current.get(name) ?? '';
    if (x < 0.7) return pick(t.ids);
    if (x < 0.78) return pick(VALUE_NAMES);
    return x < 0.9 ? t.zero : '';
  };
  const args: string[] = [];
  if (r() < 0.5) args.push('-m', `line ${Math.floor(r() * 100)}`);
  if (r() < 0.2) args.push('--no-deref');
  if (r() < 0.1) args.push('--create-reflog');
  if (r() < 0.3) {
    args.push('-d', name);
    if (r() < 0.5) args.push(old());
  } else {
    const x = r();
    args.push(name, x < 0.1 ? t.zero : x < 0.2 ? pick([...VALUE_NAMES, '']) : pick(t.ids));
    if (r() < 0.5) args.push(old());
  }
  return args;
}

/**
 * One random `symbolic-ref`: mostly `[-m MSG] NAME TARGET` (targets outside refs/ and
 * ill-formed ones included), else the reading form `[-q] [--short] [--no-recurse] NAME` or
 * `-d [-q] NAME`.
 */
function symbolicRefLine(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const args: string[] = [];
  const x = r();
  if (x < 0.6) {
    if (r() < 0.5) args.push('-m', `sym ${Math.floor(r() * 100)}`);
    args.push(pick(['HEAD', 'HEAD', 'refs/heads/s', 'refs/heads/a', 'FOO_BAR', 'foo']));
    args.push(pick([...TARGETS, 'refs/heads/a/b', 'refs/heads/s', 'main', 'refs/heads/bad..name']));
    return args;
  }
  if (x < 0.85) {
    if (r() < 0.3) args.push('-q');
    if (r() < 0.4) args.push('--short');
    if (r() < 0.3) args.push('--no-recurse');
  } else {
    args.push('-d');
    if (r() < 0.3) args.push('-q');
  }
  args.push(pick(['HEAD', 'refs/heads/s', 'refs/heads/a', 'FOO_BAR', 'foo', 'refs/heads/main', 'refs/heads/nope', 'refs/heads/bad..name']));
  return args;
}

/** One random `reflog delete [--rewrite] [--updateref] REF@{N}`. */
function reflogDeleteLine(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const args = ['delete'];
  if (r() < 0.3) args.push('--rewrite');
  if (r() < 0.3) args.push('--updateref');
  args.push(`${pick(['HEAD', 'refs/heads/main', 'refs/heads/b', 'refs/heads/a', 'refs/tags/v1', 'FOO_BAR'])}@{${Math.floor(r() * r() * 4)}}`);
  return args;
}

/**
 * One random `reflog expire --expire=T [--rewrite] [--updateref] (--all | REF...)`, T around
 * the entries' times (each round writes at its own time). Git also gets
 * `--expire-unreachable=T`: ours cannot walk commits, so it prunes by time alone, which is
 * what git does when both cut-offs are one.
 */
function reflogExpireLines(r: () => number, round: number): [string[], string[]] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const when = String(roundTime(Math.floor(r() * (round + 2))));
  const opts: string[] = [];
  if (r() < 0.3) opts.push('--rewrite');
  if (r() < 0.3) opts.push('--updateref');
  const refs = r() < 0.4 ? ['--all'] : Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(['HEAD', 'refs/heads/main', 'main', 'refs/heads/b', 'refs/heads/a', 'refs/tags/v1', 'FOO_BAR']));
  return [
    ['expire', `--expire=${when}`, `--expire-unreachable=${when}`, ...opts, ...refs],
    ['expire', `--expire=${when}`, ...opts, ...refs],
  ];
}

/** The committer time of a round: reflog entries of different rounds differ in time. */
function roundTime(round: number): number {
  return 1700000000 + round * 100;
}

function runCommandLines(hash: 'sha1' | 'sha256', seed: number, rounds: number): Promise<void> {
  return (async () => {
    const t = twins(`cmd-${hash}-${seed}`, hash);
    const r = prng(seed);
    let failed = 0;
    let tables = 0;
    for (let round = 0; round < rounds; round++) {
      t.env.GIT_COMMITTER_DATE = `${roundTime(round)} -0800`;
      // Now and then git symbolic-ref or git reflog delete/expire against ours instead.
      const kind = r();
      let [gitCmd, ourCmd, args, ourArgs]: [string, string, string[], string[]?] = kind < 0.15
        ? ['symbolic-ref', 'symbolic-ref', symbolicRefLine(r)]
        : kind < 0.25 ? ['reflog', 'reflog', reflogDeleteLine(r)] : ['update-ref', 'update', commandLine(r, t)];
      if (kind >= 0.25 && kind < 0.32) [gitCmd, ourCmd, args, ourArgs] = ['reflog', 'reflog', ...reflogExpireLines(r, round)];
      // Now and then a compaction: git's geometric choice (--auto) or everything.
      if (kind >= 0.32 && kind < 0.36) [gitCmd, ourCmd, args, ourArgs] = ['pack-refs', 'pack', r() < 0.7 ? ['--auto'] : [], undefined];
      const before = tablesList(t.a);
      const theirs = runGit(G, t.a, [gitCmd, ...args], t.env);
      const err: string[] = [];
      const out: string[] = [];
      const code = await main(['-C', t.b, ourCmd, ...(ourArgs ?? args)], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: t.env });
      const context = `round ${round} (seed ${seed}, ${hash}): ${gitCmd} ${args.join(' ')}\ngit: ${theirs.status === 0 ? 'ok' : theirs.stderr.trim()}\nours: ${code === 0 ? 'ok' : err.join('').trim()}`;
      expect(code === 0, context).toBe(theirs.status === 0);
      if (theirs.status !== 0) failed++;
      // What symbolic-ref prints when it reads.
      if (gitCmd === 'symbolic-ref' && theirs.status === 0) expect(out.join(''), context).toBe(theirs.stdout);
      tables += sameNewTables(t, before, context);
    }
    expect(failed).toBeGreaterThan(0);
    expect(tables).toBeGreaterThan(0);
    samePack(t);
  })();
}

describe('random update-ref command lines: same outcome and tables as git update-ref', () => {
  it('SHA-1, seed 4', () => runCommandLines('sha1', 4, 100), 120_000);
  it('SHA-256, seed 5', () => runCommandLines('sha256', 5, 60), 120_000);
});

describe('random update --stdin sessions in a linked worktree: same tables in both stacks as git', () => {
  it('SHA-1, seed 9', () => runWorktree(9, 60), 120_000);
});

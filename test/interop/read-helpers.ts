/**
 * Scaffolding for the read-side interop tests: a reftable-capable git, scratch repositories
 * in temp dirs with a deterministic environment, and git's own view of refs and reflogs in
 * the same shapes as the fixture oracles (test/fixtures/README.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RefDatabase } from '../../src/store/refdb';

interface GitPath {
  reftableGit(): Promise<string>;
  gitEnv(home: string, date?: string): NodeJS.ProcessEnv;
}
let gitPath: GitPath | undefined;

export async function loadGit(): Promise<{ git: string; gitEnv: GitPath['gitEnv'] }> {
  // A plain .mjs module: imported by URL so the type checker does not need its declarations.
  gitPath ??= (await import(new URL('../../scripts/git-path.mjs', import.meta.url).href)) as GitPath;
  return { git: await gitPath.reftableGit(), gitEnv: gitPath.gitEnv };
}

export class Scratch {
  readonly dir: string;
  readonly home: string;
  private step = 0;
  constructor(readonly git: string, private readonly gitEnv: GitPath['gitEnv'], prefix = 'rt-read-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.home = path.join(this.dir, 'home');
    fs.mkdirSync(this.home);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    // Dates advance per call so reflog entries are distinguishable.
    return { ...this.gitEnv(this.home, `${1700000000 + 60 * this.step++} -0800`), ...extra };
  }

  /** Run git in `cwd` (relative to the scratch dir); throws with stderr on failure. */
  run(cwd: string, args: string[], opts: { input?: string; env?: Record<string, string>; allowFail?: boolean } = {}): string {
    const r = spawnSync(this.git, args, {
      cwd: path.resolve(this.dir, cwd), env: this.env(opts.env), input: opts.input, encoding: 'utf8', maxBuffer: 1 << 30,
    });
    if (r.status !== 0 && !opts.allowFail) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What git prints, in the fixture oracle formats, for the repository at `cwd`. */
export function gitOracle(s: Scratch, cwd: string) {
  const forEachRef = s.run(cwd, ['for-each-ref', '--format=%(objectname) %(refname)']);
  const root = s.run(cwd, ['for-each-ref', '--include-root-refs', '--format=%(objectname) %(refname) %(symref)']);
  const showRef = s.run(cwd, ['show-ref', '--head', '-d'], { allowFail: true });
  const reflogs = new Map<string, string>();
  for (const name of s.run(cwd, ['reflog', 'list']).split('\n').filter(Boolean)) {
    reflogs.set(name, s.run(cwd, ['log', '-g', '--date=raw', '--format=%gD|%H|%gn|%ge|%gs', name], { allowFail: true }));
  }
  const symrefs = new Map<string, string>();
  for (const line of root.split('\n')) {
    const [, name, sym] = line.split(' ');
    if (sym) symrefs.set(name, s.run(cwd, ['symbolic-ref', '--no-recurse', name]).trim());
  }
  return { forEachRef, root, showRef, reflogs, symrefs };
}

// ---- our side, in the same formats -------------------------------------------------------

export function ourForEachRef(db: RefDatabase): string {
  let out = '';
  for (const r of db.refs()) {
    const oid = r.type === 'symref' ? db.resolve(r.name).oid : r.oid;
    if (oid) out += `${oid} ${r.name}\n`;
  }
  return out;
}

export function ourRootListing(db: RefDatabase): string {
  let out = '';
  for (const r of db.refs({ includeRootRefs: true })) {
    const res = db.resolve(r.name);
    if (!res.oid) continue;
    out += `${res.oid} ${r.name} ${r.type === 'symref' ? res.chain[res.chain.length - 1] : ''}\n`;
  }
  return out;
}

/** `git show-ref --head -d`: HEAD first, then refs/ in order, stored peeled ids as NAME^{}. */
export function ourShowRef(db: RefDatabase): string {
  let out = '';
  const head = db.resolve('HEAD');
  if (head.oid) out += `${head.oid} HEAD\n`;
  for (const r of db.refs()) {
    const res = r.type === 'symref' ? db.resolve(r.name) : { oid: r.oid };
    if (!res.oid) continue;
    out += `${res.oid} ${r.name}\n`;
    if (r.type === 'peeled') out += `${r.peeled} ${r.name}^{}\n`;
  }
  return out;
}

/** `git log -g --date=raw --format='%gD|%H|%gn|%ge|%gs' NAME`. */
export function ourReflog(db: RefDatabase, name: string): string {
  let out = '';
  for (const e of db.reflog(name)) {
    if (/^0+$/.test(e.new)) continue; // git's reflog walk shows no entry for a deleted value
    out += `${name}@{${e.committer.time} ${e.committer.tz}}|${e.new}|${e.committer.name}|${e.committer.email}|${e.message.replace(/\n+$/, '')}\n`;
  }
  return out;
}

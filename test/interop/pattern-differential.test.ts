/**
 * Differential test against git 2.47 for `reftable refs [--all] PATTERN...`: random patterns
 * (globs, "**" in and out of whole components, bracket classes with ranges, negation, escapes
 * and POSIX names, malformed classes, prefixes, non-ASCII) over a repository whose ref names
 * use every character a ref name may hold. Whatever `git for-each-ref` lists, we must list,
 * in the same order.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { prng } from '../prng';
import { envFor, git, gitBinary, makeCommits, runGit, scratch } from './write-helpers';

let G = '';
const tmp = scratch('rt-pattern-');
let repo = '';
let env: NodeJS.ProcessEnv = {};
let names: string[] = [];
const total = { patterns: 0, matched: 0 };

/** Characters a ref name component may contain (besides "/"), some of them glob-special to a pattern. */
const NAME_CHARS = ['a', 'b', 'c', 'x', 'A', 'Z', '0', '7', '-', '_', '.', '!', ']', '{', '}', '+', '#', '%', '=', ',', '(', 'é', 'ü'];
const TOP = ['refs/heads/', 'refs/tags/', 'refs/remotes/o/', 'refs/notes/', 'refs/x/'];

function randomName(r: () => number): string {
  const parts: string[] = [];
  const depth = 1 + Math.floor(r() * 3);
  for (let d = 0; d < depth; d++) {
    let c = '';
    const len = 1 + Math.floor(r() * 4);
    for (let i = 0; i < len; i++) c += NAME_CHARS[Math.floor(r() * NAME_CHARS.length)];
    parts.push(c);
  }
  return TOP[Math.floor(r() * TOP.length)] + parts.join('/');
}

/** What git's refname check would refuse, for the characters drawn above. */
function validName(n: string): boolean {
  return !n.split('/').some((c) => c.startsWith('.') || c.endsWith('.') || c.endsWith('.lock')) && !n.includes('..');
}

beforeAll(async () => {
  G = await gitBinary();
  env = envFor(tmp.home);
  repo = path.join(tmp.dir, 'repo');
  git(G, tmp.dir, ['init', '-q', '--ref-format=reftable', '-b', 'main', repo], env);
  const [id, id2] = makeCommits(G, repo, env, 2);
  const r = prng(7);
  const chosen: string[] = [];
  // No name may be another's directory: git refuses such a pair.
  while (chosen.length < 160) {
    const n = randomName(r);
    if (!validName(n) || chosen.some((c) => c === n || c.startsWith(`${n}/`) || n.startsWith(`${c}/`))) continue;
    chosen.push(n);
  }
  const lines = chosen.map((n, i) => `create ${n} ${i % 3 ? id : id2}\n`).join('');
  git(G, repo, ['update-ref', '--stdin'], env, lines);
  git(G, repo, ['update-ref', 'ORIG_HEAD', id2], env);
  git(G, repo, ['symbolic-ref', 'refs/x/sym', 'refs/heads/main'], env);
  names = git(G, repo, ['for-each-ref', '--include-root-refs', '--format=%(refname)'], env).trim().split('\n');
  expect(names.length).toBeGreaterThan(160);
}, 600_000);
afterAll(() => {
  tmp.cleanup();
  console.log(`for-each-ref pattern differential: ${total.patterns} pattern lists, ${total.matched} of them matching some ref`);
});

const PIECES = [
  '*', '*', '**', '***', '?', '?', '/', '/', '/', 'a', 'b', 'x', 'A', '0', '-', '.', '!', ']', '{', 'é', '\\', '\\*', '\\a', '\\]',
  '[a-c]', '[!a]', '[^x]', '[]]', '[!]]', '[a-]', '[-a]', '[a-c-e]', '[\\]]', '[\\a-\\c]', '[é]', '[a', '[!', '[]',
  '[[:alpha:]]', '[[:digit:]]', '[[:punct:]]', '[[:upper:][:digit:]]', '[[:alnum:]_]', '[![:lower:]]', '[[:bogus:]]',
  '[[:alpha:]', '[[:x]', '[[:]]', '[a[:digit:]b]', '[[.]', '[^[:space:]]', '[[:xdigit:]]', '[[:graph:]]', '[[:print:]]',
  'heads', 'tags', 'remotes', 'o', 'notes', 'x', 'refs',
];

/** A pattern built from pieces, or one made from a real name so that it often matches something. */
function randomPattern(r: () => number): string {
  if (r() < 0.45) {
    const n = names[Math.floor(r() * names.length)];
    const chars = [...n];
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * chars.length);
      const op = r();
      if (op < 0.25) chars[at] = '?';
      else if (op < 0.45) chars[at] = '*';
      else if (op < 0.55) chars[at] = '**';
      else if (op < 0.7) chars[at] = `[${chars[at]}z]`;
      else if (op < 0.8) chars[at] = PIECES[Math.floor(r() * PIECES.length)];
      else if (op < 0.9) chars.splice(at);
      else chars.splice(at, 0, '/');
      if (chars.length === 0) chars.push('*');
    }
    return chars.join('');
  }
  let p = r() < 0.7 ? 'refs/' : r() < 0.5 ? '**/' : '';
  const count = 1 + Math.floor(r() * 6);
  for (let i = 0; i < count; i++) p += PIECES[Math.floor(r() * PIECES.length)];
  return p;
}

async function compare(patterns: string[], all: boolean): Promise<void> {
  // "--" first: a pattern may start with "-".
  const args = all ? ['--include-root-refs', '--', ...patterns] : ['--', ...patterns];
  const theirs = runGit(G, repo, ['for-each-ref', '--format=%(objectname) %(refname)', ...args], env);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['-C', repo, 'refs', ...(all ? ['--all'] : []), '--', ...patterns], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env });
  const context = `patterns ${JSON.stringify(patterns)}${all ? ' with --include-root-refs' : ''}\ngit: ${theirs.stderr.trim()}\nours: ${err.join('').trim()}`;
  expect(code, context).toBe(theirs.status);
  expect(out.join(''), context).toBe(theirs.stdout);
  total.patterns++;
  if (theirs.stdout) total.matched++;
}

describe('reftable refs PATTERN against git for-each-ref PATTERN', () => {
  it('agrees on fixed patterns that exercise each rule', async () => {
    const fixed = [
      'refs/heads', 'refs/heads/', 'refs/heads/*', 'refs/heads/**', 'refs/**/a', '**/a*', 'refs/heads/a**', 'refs/**b',
      'refs/*/*/', 'refs/heads/[[:alpha:]]*', 'refs/heads/[]]*', 'refs/heads/[!]]*', 'refs/heads/[[:bogus:]]*', 'refs/heads/[a',
      'refs/heads/\\', 'refs/x/sym', 'HEAD', 'ORIG_HEAD', '*HEAD', 'refs', 'ref', 'refs/remotes/o/**/**', 'refs/**/**/x',
    ];
    for (const p of fixed) {
      await compare([p], false);
      await compare([p], true);
    }
  }, 120_000);

  it('agrees on random pattern lists (seed 11)', async () => {
    const r = prng(11);
    for (let i = 0; i < 400; i++) {
      const count = r() < 0.8 ? 1 : 2 + Math.floor(r() * 2);
      const patterns = Array.from({ length: count }, () => randomPattern(r));
      await compare(patterns, r() < 0.2);
    }
    // The patterns must have been worth comparing: a share of them lists something.
    expect(total.matched).toBeGreaterThan(100);
  }, 300_000);
});

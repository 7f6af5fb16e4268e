/**
 * Ref name rules git applies before a name reaches a table (refs.c check_refname_format,
 * reftable-format.md §8.2) and the directory/file conflict check git 2.47 still performs at
 * transaction time although the format could store both names.
 */
import { ErrorCode, ReftableError } from '../engine/errors.js';

const BAD_CHAR = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) BAD_CHAR[c] = 1;
for (const ch of ' ~^:?*[\\\x7f') BAD_CHAR[ch.charCodeAt(0)] = 1;

/**
 * One pass over the char codes accepting exactly the names `refnameProblemByRules` finds nothing
 * wrong with (a transaction checks every one of its names, twice). Chars ≥ 0x80 become bytes
 * ≥ 0x80 in UTF-8, which no rule looks at.
 */
function plainlyValid(name: string): boolean {
  const n = name.length;
  if (n === 0 || name === '@') return false;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c < 128 && BAD_CHAR[c]) return false;
    if (c === 0x2f) {
      if (i === start || endsWithLock(name, start, i)) return false;
      start = i + 1;
    } else if (c === 0x2e) {
      if (i === start || name.charCodeAt(i - 1) === 0x2e) return false;
    } else if (c === 0x7b && i > 0 && name.charCodeAt(i - 1) === 0x40) {
      return false;
    }
  }
  return start < n && !endsWithLock(name, start, n) && name.charCodeAt(n - 1) !== 0x2e;
}

function endsWithLock(name: string, start: number, end: number): boolean {
  return end - start >= 5 && name.startsWith('.lock', end - 5);
}

/** Why `name` fails `git check-ref-format --allow-onelevel`, or undefined when it passes. */
export function refnameProblem(name: string, opts: { allowOneLevel?: boolean } = {}): string | undefined {
  if (plainlyValid(name) && (opts.allowOneLevel || name.includes('/'))) return undefined;
  return refnameProblemByRules(name, opts);
}

/** The rule-by-rule check, in git's order, so the first problem named is git's (exported for tests). */
export function refnameProblemByRules(name: string, opts: { allowOneLevel?: boolean } = {}): string | undefined {
  if (name === '') return 'empty name';
  if (name === '@') return "'@' alone is not a valid name";
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.includes(0)) return 'contains a NUL byte';
  const parts = name.split('/');
  for (const c of parts) {
    if (c === '') return name.endsWith('/') ? 'ends with "/"' : 'contains an empty component ("//" or leading "/")';
    if (c.startsWith('.')) return `component "${c}" begins with "."`;
    if (c.endsWith('.lock')) return `component "${c}" ends with ".lock"`;
  }
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  for (const ch of bytes) {
    if (ch < 0x20 || ch === 0x7f) return 'contains a control character';
  }
  const bad = /[ ~^:?*[\\]/.exec(name);
  if (bad) return `contains "${bad[0]}"`;
  if (name.endsWith('.')) return 'ends with "."';
  if (!opts.allowOneLevel && parts.length < 2) return 'has only one component';
  return undefined;
}

/** Names made of A–Z, "-" and "_" only (refs.c is_root_ref_syntax): per-worktree, top level. */
export function isRootRefSyntax(name: string): boolean {
  return /^[A-Z_-]+$/.test(name);
}

/** FETCH_HEAD and MERGE_HEAD stay plain files; git refuses to write them through a transaction. */
export function isPseudoRef(name: string): boolean {
  return name === 'FETCH_HEAD' || name === 'MERGE_HEAD';
}

/** Refs that live in the current worktree's stack (refs.c is_current_worktree_ref). */
export function isPerWorktreeRef(name: string): boolean {
  return isRootRefSyntax(name) || (name.startsWith('refs/') && isPerWorktreeRefsPath(name));
}

/**
 * For a name under refs/: whether it is in one of the namespaces each worktree has its own
 * of. The char after `refs/` picks the one prefix worth comparing: stackFor asks this for
 * every update of a bulk transaction, and three startsWith calls were most of its cost.
 */
export function isPerWorktreeRefsPath(name: string): boolean {
  switch (name.charCodeAt(5)) {
    case 0x77: // w
      return name.startsWith('refs/worktree/');
    case 0x62: // b
      return name.startsWith('refs/bisect/');
    case 0x72: // r
      return name.startsWith('refs/rewritten/');
    default:
      return false;
  }
}

/**
 * refs.c refname_is_safe: what git asks of a name an update gives no new id (a deletion, a
 * verification, a symref): under refs/, a path that stays inside it as written (no empty,
 * "." or ".." component); elsewhere upper case letters and "_" only.
 */
export function refnameIsSafe(name: string): boolean {
  if (name.startsWith('refs/')) {
    const rest = name.slice(5);
    return rest !== '' && rest.split('/').every((c) => c !== '' && c !== '.' && c !== '..');
  }
  return /^[A-Z_]+$/.test(name);
}

/**
 * The check git's ref_transaction_update applies to a name: an update that gives the ref a
 * new id needs a well-formed name (one level allowed: git writes `foo` as it writes
 * `ORIG_HEAD`); any other update (deletion, verification, symref) only a safe one, so that a
 * badly named ref can still be deleted. Pseudo-refs are refused either way.
 */
export function checkWritableRefname(name: string, setsNewId = true): void {
  if (setsNewId) {
    const p = refnameProblem(name, { allowOneLevel: true });
    if (p) throw new ReftableError(ErrorCode.RefName, `refusing to update ref with bad name '${name}': ${p}`, { data: { ref: name } });
  } else if (!refnameIsSafe(name)) {
    throw new ReftableError(ErrorCode.RefName, `refusing to update ref with bad name '${name}'`, { data: { ref: name } });
  }
  if (isPseudoRef(name)) throw new ReftableError(ErrorCode.RefName, `refusing to update pseudoref '${name}'`, { data: { ref: name } });
}

/** A symref target must be a well-formed name (git symbolic-ref / update-ref symref-*). */
export function checkSymrefTarget(name: string, target: string): void {
  const p = refnameProblem(target, { allowOneLevel: true });
  if (p) throw new ReftableError(ErrorCode.RefName, `invalid symref target '${target}' for '${name}': ${p}`, { data: { ref: name, target } });
  if (name === 'HEAD' && !target.startsWith('refs/')) {
    throw new ReftableError(ErrorCode.RefName, `refusing to point HEAD outside of refs/ ('${target}')`, { data: { ref: name, target } });
  }
}

/** Names a check can ask about: a Set, or a transaction's sorted names. */
export type NameSet = { has(name: string): boolean } & Iterable<string>;

/**
 * Directory/file conflict check (refs.c refs_verify_refname_available): no existing ref may be
 * a leading directory of `name`, nor may any exist below `name/`; the same against other names
 * of the transaction (`extras`; `extrasBelow(name)`, when given, lists those below `name/` in
 * order). Names in `skip` are ignored (the old name of a rename).
 */
export function checkRefnameAvailable(
  name: string,
  exists: (n: string) => boolean,
  namesBelow: (prefix: string) => Iterable<string>,
  extras: NameSet,
  skip: ReadonlySet<string> = new Set(),
  extrasBelow?: (name: string) => Iterable<string>,
): void {
  checkLeadingDirs(name, exists, extras, skip);
  checkNothingBelow(name, namesBelow, extras, skip, extrasBelow);
}

/**
 * The first half of checkRefnameAvailable: no leading directory of `name` is a ref or another
 * name of the transaction. The outcome depends only on the directories, so names in one
 * directory share it.
 */
export function checkLeadingDirs(name: string, exists: (n: string) => boolean, extras: NameSet, skip: ReadonlySet<string>): void {
  let slash = name.indexOf('/');
  while (slash >= 0) {
    const dir = name.slice(0, slash);
    if (!skip.has(dir)) {
      if (exists(dir)) throw conflict(`'${dir}' exists; cannot create '${name}'`, name, dir);
      if (extras.has(dir)) throw conflict(`cannot process '${name}' and '${dir}' at the same time`, name, dir);
    }
    slash = name.indexOf('/', slash + 1);
  }
}

/** The second half: nothing below `name/`, neither a ref nor a name of the transaction. */
export function checkNothingBelow(
  name: string,
  namesBelow: (prefix: string) => Iterable<string>,
  extras: NameSet,
  skip: ReadonlySet<string>,
  extrasBelow?: (name: string) => Iterable<string>,
): void {
  const prefix = `${name}/`;
  for (const below of namesBelow(prefix)) {
    if (!skip.has(below)) throw conflict(`'${below}' exists; cannot create '${name}'`, name, below);
  }
  // Large transactions pass a sorted lookup; scanning the set is fine for small ones.
  const below = extrasBelow ? extrasBelow(name) : [...extras].filter((e) => e.startsWith(prefix)).sort();
  for (const e of below) {
    if (!skip.has(e)) throw conflict(`cannot process '${name}' and '${e}' at the same time`, name, e);
  }
}

function conflict(msg: string, name: string, other: string): ReftableError {
  return new ReftableError(ErrorCode.RefName, msg, { data: { ref: name, conflict: other } });
}

/**
 * The full names a short name may mean, in git's order (refs.c ref_rev_parse_rules): NAME,
 * refs/NAME, refs/tags/NAME, refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD.
 */
export function dwimNames(name: string): string[] {
  return [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`, `refs/remotes/${name}`, `refs/remotes/${name}/HEAD`];
}

/**
 * git refuses to look up a name whose last component is empty or only dots, or that holds
 * an empty component ("a/", ".", "a//b", "./a"): such a path could mean more than one ref.
 */
export function ambiguousPath(name: string): boolean {
  let atStart = true;
  for (const c of name) {
    if (c === '/') {
      if (atStart) return true;
      atStart = true;
    } else if (c !== '.') {
      atStart = false;
    }
  }
  return atStart;
}

/**
 * The shortest name that still means `full` (refs.c refs_shorten_unambiguous_ref, not
 * strict): the short form of the last dwim rule that matches, unless an earlier rule makes
 * the short form name an existing ref; else `full` itself.
 */
export function shortenRefname(full: string, exists: (name: string) => boolean): string {
  const rules = dwimNames('\0');
  for (let i = rules.length - 1; i > 0; i--) {
    const [prefix, suffix] = rules[i].split('\0');
    if (!full.startsWith(prefix) || !full.endsWith(suffix) || full.length <= prefix.length + suffix.length) continue;
    const short = full.slice(prefix.length, full.length - suffix.length);
    // Only the rules before the matching one can make the short name mean another ref.
    if (!dwimNames(short).slice(0, i).some(exists)) return short;
  }
  return full;
}

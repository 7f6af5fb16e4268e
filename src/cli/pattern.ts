/**
 * `git for-each-ref` pattern semantics (ref-filter.c match_name_as_path): a pattern matches a
 * name it equals, a name it is a prefix of up to a "/" boundary (or when the pattern itself
 * ends in "/"), or a name it wildmatches with WM_PATHNAME. Verified against git 2.47 by
 * test/interop/pattern-differential.test.ts: `refs/heads/m*` lists `refs/heads/main` but not
 * `refs/heads/ma/x`; `refs/h*` lists nothing.
 */

export function matchRefPattern(pattern: string, name: string): boolean {
  if (name.startsWith(pattern)) {
    const plen = pattern.length;
    if (plen === name.length || name[plen] === '/' || pattern.endsWith('/')) return true;
  }
  return wildmatch(pattern, name);
}

/** The literal start of a pattern: every name it can match begins with it. */
export function literalPrefix(pattern: string): string {
  const m = /[*?[\\]/.exec(pattern);
  return m ? pattern.slice(0, m.index) : pattern;
}

/**
 * git's wildmatch with WM_PATHNAME, on the UTF-8 bytes of both strings as git compares them:
 * "?", "*" and a bracket class never match "/"; "**" crosses directories only as a whole
 * component ("**\/" at the start, "/**" at the end, "/**\/" inside, which may also match no
 * directory at all), elsewhere it is a "*"; classes take "!" or "^" to negate, ranges, "\"
 * escapes, a leading "]" as a member, and the POSIX names "[:alpha:]" and so on (ASCII only);
 * an unterminated class or an unknown class name makes the whole pattern match nothing.
 */
export function wildmatch(pattern: string, name: string): boolean {
  return new Wildmatch(asBytes(pattern), asBytes(name)).run(0, 0) === Match.Yes;
}

/** One char per UTF-8 byte: git matches bytes, so "?" must take one byte of a non-ASCII name. */
function asBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

const enum Match {
  Yes,
  No,
  /** The name ran out: no later start of a "*" can match either. */
  AbortAll,
  /** A "*" met a "/" it may not cross: only an enclosing "**" can go on. */
  AbortToStarStar,
}

const END = -1;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

class Wildmatch {
  constructor(
    private readonly p: string,
    private readonly t: string,
  ) {}

  private pc(i: number): number {
    return i < this.p.length ? this.p.charCodeAt(i) : END;
  }

  private tc(i: number): number {
    return i < this.t.length ? this.t.charCodeAt(i) : END;
  }

  run(pi: number, ti: number): Match {
    for (; pi < this.p.length; pi++, ti++) {
      let pch = this.pc(pi);
      const tch = this.tc(ti);
      if (tch === END && pch !== 0x2a /* * */) return Match.AbortAll;
      switch (pch) {
        case 0x3f /* ? */:
          if (tch === SLASH) return Match.No;
          continue;
        case 0x2a /* * */: {
          let matchSlash = false;
          pi++;
          if (this.pc(pi) === 0x2a) {
            const before = pi - 2;
            while (this.pc(pi) === 0x2a) pi++;
            const after = this.pc(pi);
            const wholeComponent =
              (before < 0 || this.pc(before) === SLASH) && (after === END || after === SLASH || (after === BACKSLASH && this.pc(pi + 1) === SLASH));
            if (wholeComponent) {
              // "**/" may stand for no directory at all.
              if (after === SLASH && this.run(pi + 1, ti) === Match.Yes) return Match.Yes;
              matchSlash = true;
            }
          }
          if (pi >= this.p.length) {
            // A trailing "**" takes the rest; a trailing "*" only the rest of this component.
            if (!matchSlash && this.t.indexOf('/', ti) >= 0) return Match.AbortToStarStar;
            return Match.Yes;
          }
          if (!matchSlash && this.pc(pi) === SLASH) {
            // "*/" takes the rest of this component; the for loop then consumes both slashes.
            const slash = this.t.indexOf('/', ti);
            if (slash < 0) return Match.AbortAll;
            ti = slash;
            continue;
          }
          return this.star(pi, ti, matchSlash);
        }
        case 0x5b /* [ */: {
          const r = this.bracket(pi, tch);
          if (r.result !== undefined) return r.result;
          pi = r.end;
          continue;
        }
        default:
          // An escaped char is a literal (and a trailing backslash matches nothing).
          if (pch === BACKSLASH) pch = this.pc(++pi);
          if (tch !== pch) return Match.No;
          continue;
      }
    }
    return ti < this.t.length ? Match.No : Match.Yes;
  }

  /** The rest of the pattern from pi, tried at every position a "*" can reach from ti. */
  private star(pi: number, ti: number, matchSlash: boolean): Match {
    const next = this.pc(pi);
    const literal = next !== 0x2a && next !== 0x3f && next !== 0x5b && next !== BACKSLASH;
    for (let tch = this.tc(ti); tch !== END; tch = this.tc(++ti)) {
      if (literal) {
        // Skip straight to the next place the literal occurs (within this component for "*").
        while (tch !== END && (matchSlash || tch !== SLASH) && tch !== next) tch = this.tc(++ti);
        if (tch !== next) return matchSlash ? Match.AbortAll : Match.AbortToStarStar;
      }
      const m = this.run(pi, ti);
      if (m !== Match.No) {
        if (!matchSlash || m !== Match.AbortToStarStar) return m;
      } else if (!matchSlash && tch === SLASH) {
        return Match.AbortToStarStar;
      }
    }
    return Match.AbortAll;
  }

  /**
   * The class opening at pi against tch: where it ends (its "]"), or the result when the
   * pattern is malformed or the class does not match.
   */
  private bracket(pi: number, tch: number): { end: number; result?: Match } {
    let pch = this.pc(++pi);
    if (pch === 0x5e /* ^ */) pch = 0x21;
    const negated = pch === 0x21; /* ! */
    if (negated) pch = this.pc(++pi);
    let prev = 0;
    let matched = false;
    // The first member is taken before looking for "]", so "[]]" is a class of "]".
    do {
      if (pch === END) return { end: pi, result: Match.AbortAll };
      if (pch === BACKSLASH) {
        pch = this.pc(++pi);
        if (pch === END) return { end: pi, result: Match.AbortAll };
        if (tch === pch) matched = true;
      } else if (pch === 0x2d /* - */ && prev !== 0 && this.pc(pi + 1) !== END && this.pc(pi + 1) !== 0x5d) {
        pch = this.pc(++pi);
        if (pch === BACKSLASH) {
          pch = this.pc(++pi);
          if (pch === END) return { end: pi, result: Match.AbortAll };
        }
        if (tch <= pch && tch >= prev) matched = true;
        pch = 0; // a range ends a range: "a-c-e" is a-c, "-", "e"
      } else if (pch === 0x5b && this.pc(pi + 1) === 0x3a /* [: */) {
        const start = pi + 2;
        let close = start;
        while (this.pc(close) !== END && this.pc(close) !== 0x5d) close++;
        if (this.pc(close) === END) return { end: close, result: Match.AbortAll };
        if (close - start - 1 < 0 || this.pc(close - 1) !== 0x3a) {
          // No ":]": the "[" is an ordinary member.
          pch = 0x5b;
          if (tch === pch) matched = true;
        } else {
          const cls = CLASSES.get(this.p.slice(start, close - 1));
          if (!cls) return { end: close, result: Match.AbortAll };
          if (tch >= 0 && tch < 0x80 && cls(tch)) matched = true;
          pi = close;
          pch = 0;
        }
      } else if (tch === pch) {
        matched = true;
      }
      prev = pch;
      pch = this.pc(++pi);
    } while (pch !== 0x5d /* ] */);
    if (matched === negated || tch === SLASH) return { end: pi, result: Match.No };
    return { end: pi };
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number) => isUpper(c) || isLower(c);
const isAlnum = (c: number) => isAlpha(c) || isDigit(c);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isPrint = (c: number) => c >= 0x20 && c <= 0x7e;

/** The POSIX class names git's wildmatch knows, with its ASCII-only ctype. */
const CLASSES = new Map<string, (c: number) => boolean>([
  ['alnum', isAlnum],
  ['alpha', isAlpha],
  ['blank', (c) => c === 0x20 || c === 0x09],
  ['cntrl', (c) => c < 0x20 || c === 0x7f],
  ['digit', isDigit],
  ['graph', (c) => isPrint(c) && !isSpace(c)],
  ['lower', isLower],
  ['print', isPrint],
  ['punct', (c) => isPrint(c) && !isAlnum(c) && !isSpace(c)],
  ['space', isSpace],
  ['upper', isUpper],
  ['xdigit', (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)],
]);

/**
 * `git for-each-ref` pattern semantics (ref-filter.c match_name_as_path): a pattern matches a
 * name it equals, a name it is a prefix of up to a "/" boundary (or when the pattern itself
 * ends in "/"), or a name it wildmatches with WM_PATHNAME ("*" and "?" stop at "/", "**"
 * crosses directories). Verified against git 2.47: `refs/heads/m*` lists `refs/heads/main`
 * but not `refs/heads/ma/x`; `refs/h*` lists nothing.
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

/** fnmatch with WM_PATHNAME. Iterative backtracking for "*"; "**" may cross "/". */
export function wildmatch(p: string, s: string): boolean {
  return matchFrom(p, 0, s, 0, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number, depth: number): boolean {
  if (depth > 64) return false; // pathological patterns: refuse rather than blow the stack
  while (pi < p.length) {
    const c = p[pi];
    if (c === '*') {
      const double = p[pi + 1] === '*';
      let next = pi + (double ? 2 : 1);
      while (p[next] === '*') next++;
      if (next === p.length) return double || !s.slice(si).includes('/');
      for (let k = si; k <= s.length; k++) {
        if (matchFrom(p, next, s, k, depth + 1)) return true;
        if (k < s.length && s[k] === '/' && !double) return false;
      }
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      if (s[si] === '/') return false;
      pi++;
      si++;
      continue;
    }
    if (c === '[') {
      const r = matchClass(p, pi, s[si]);
      if (r === undefined) {
        // An unterminated "[" is a literal.
        if (s[si] !== '[') return false;
        pi++;
        si++;
        continue;
      }
      if (!r.ok || s[si] === '/') return false;
      pi = r.next;
      si++;
      continue;
    }
    if (c === '\\' && pi + 1 < p.length) {
      if (s[si] !== p[pi + 1]) return false;
      pi += 2;
      si++;
      continue;
    }
    if (s[si] !== c) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

function matchClass(p: string, pi: number, ch: string): { ok: boolean; next: number } | undefined {
  let i = pi + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  let ok = false;
  let first = true;
  while (i < p.length && (first || p[i] !== ']')) {
    first = false;
    let lo = p[i];
    if (lo === '\\' && i + 1 < p.length) lo = p[++i];
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      let hi = p[i + 2];
      let adv = 3;
      if (hi === '\\' && i + 3 < p.length) {
        hi = p[i + 3];
        adv = 4;
      }
      if (ch >= lo && ch <= hi) ok = true;
      i += adv;
    } else {
      if (ch === lo) ok = true;
      i++;
    }
  }
  if (i >= p.length) return undefined;
  return { ok: ok !== negate, next: i + 1 };
}

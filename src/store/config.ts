/**
 * A reader for git's config file syntax, enough to learn how a repository stores its refs:
 * sections, `[section "subsection"]` (case kept, `\"` and `\\` escapes), legacy
 * `[section.sub]` (lower-cased like git), case-insensitive section and key names, quoting,
 * value escapes (\n \t \b \\ \"), `\`-newline continuation, `#`/`;` comments, and
 * value-less keys (boolean true).
 *
 * `include.path` / `includeIf.*.path` are recorded as plain keys but not followed: the
 * settings we need (extensions.*, core.*) are written by git itself into the repository's
 * own config, never through includes.
 */
import { ReftableError, ErrorCode } from '../engine/errors.js';

export type ConfigMap = Map<string, string[]>;

/** Stand-in value for a key written without `=`; git reads it as boolean true. */
export const IMPLICIT_TRUE = 'true';

export function parseConfig(src: string, file = 'config'): ConfigMap {
  const out: ConfigMap = new Map();
  let section: string | undefined;
  let i = 0;
  const n = src.length;
  let line = 1;

  const fail = (why: string): never => {
    throw new ReftableError(ErrorCode.Repository, `bad config line ${line} in ${file}: ${why}`, { file, offset: i });
  };
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r';
  const skipLine = () => {
    while (i < n && src[i] !== '\n') i++;
  };

  while (i < n) {
    const c = src[i];
    if (c === '\n') {
      i++;
      line++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '#' || c === ';') {
      skipLine();
      continue;
    }
    if (c === '[') {
      section = parseSectionHeader();
      continue;
    }
    if (!/[A-Za-z]/.test(c)) fail(`unexpected character ${JSON.stringify(c)}`);
    if (section === undefined) fail('key outside of any section');
    const start = i;
    while (i < n && /[A-Za-z0-9-]/.test(src[i])) i++;
    const key = src.slice(start, i).toLowerCase();
    while (i < n && isSpace(src[i])) i++;
    let value: string;
    if (i >= n || src[i] === '\n' || src[i] === '#' || src[i] === ';') {
      value = IMPLICIT_TRUE;
      skipLine();
    } else if (src[i] === '=') {
      i++;
      value = parseValue();
    } else {
      value = fail(`expected "=" after key ${key}`);
    }
    const full = `${section}.${key}`;
    const list = out.get(full);
    if (list) list.push(value);
    else out.set(full, [value]);
  }
  return out;

  function parseSectionHeader(): string {
    i++; // '['
    const start = i;
    while (i < n && /[A-Za-z0-9.-]/.test(src[i])) i++;
    let name = src.slice(start, i);
    if (!name) fail('empty section name');
    if (src[i] === ']') {
      i++;
      // Legacy `[section.sub]`: the whole name is case-insensitive.
      name = name.toLowerCase();
      return name;
    }
    if (!isSpace(src[i] ?? '')) fail('bad section header');
    while (i < n && isSpace(src[i])) i++;
    if (src[i] !== '"') fail('bad section header');
    i++;
    let sub = '';
    for (;;) {
      if (i >= n || src[i] === '\n') fail('unterminated subsection name');
      const ch = src[i++];
      if (ch === '"') break;
      if (ch === '\\') {
        if (i >= n || src[i] === '\n') fail('unterminated subsection name');
        sub += src[i++];
      } else {
        sub += ch;
      }
    }
    if (src[i] !== ']') fail('bad section header');
    i++;
    return `${name.toLowerCase()}.${sub}`;
  }

  function parseValue(): string {
    let v = '';
    let quoted = false;
    // Unquoted whitespace is kept only between words; `pending` holds it until a word follows.
    let pending = '';
    let started = false;
    while (i < n) {
      const ch = src[i];
      if (ch === '\n') {
        if (quoted) fail('unterminated quoted value');
        break;
      }
      if (!quoted && (ch === '#' || ch === ';')) {
        skipLine();
        break;
      }
      if (!quoted && isSpace(ch)) {
        if (started) pending += ch === '\r' ? '' : ch;
        i++;
        continue;
      }
      v += pending;
      pending = '';
      started = true;
      i++;
      if (ch === '"') {
        quoted = !quoted;
        continue;
      }
      if (ch === '\\') {
        const e = src[i++];
        switch (e) {
          case '\n': line++; continue; // continuation
          case '\r': if (src[i] === '\n') { i++; line++; continue; } return fail('bad escape');
          case 'n': v += '\n'; break;
          case 't': v += '\t'; break;
          case 'b': v = v.slice(0, -1); break;
          case '\\': v += '\\'; break;
          case '"': v += '"'; break;
          default: fail(`bad escape \\${e ?? ''}`);
        }
        continue;
      }
      v += ch;
    }
    if (quoted) fail('unterminated quoted value');
    return v;
  }
}

/** The last value of `key` (git's "last one wins"), or undefined. */
export function configGet(cfg: ReadonlyMap<string, string[]>, key: string): string | undefined {
  const v = cfg.get(normalizeKey(key));
  return v?.[v.length - 1];
}

/** git's boolean parsing: true/yes/on/1 (any non-zero integer), false/no/off/0/empty. */
export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === 'true' || s === 'yes' || s === 'on') return true;
  if (s === 'false' || s === 'no' || s === 'off' || s === '') return false;
  if (/^-?\d+$/.test(s)) return Number(s) !== 0;
  return undefined;
}

export function configBool(cfg: ReadonlyMap<string, string[]>, key: string): boolean | undefined {
  return parseBool(configGet(cfg, key));
}

/** `Section.Sub.Key` → `section.Sub.key` (section and key are case-insensitive; subsections are not). */
export function normalizeKey(key: string): string {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first < 0) return key.toLowerCase();
  if (first === last) return key.toLowerCase();
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}.${key.slice(last + 1).toLowerCase()}`;
}

/** Later maps' values are appended after earlier ones (later files win). */
export function mergeConfigs(...maps: ReadonlyMap<string, string[]>[]): ConfigMap {
  const out: ConfigMap = new Map();
  for (const m of maps) {
    for (const [k, v] of m) out.set(k, [...(out.get(k) ?? []), ...v]);
  }
  return out;
}

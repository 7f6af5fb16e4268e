/**
 * What a reflog entry gets: which refs are logged (`core.logAllRefUpdates`, §8.4), how the
 * message is normalised (refs.c, §8.5), and who the committer is (ident.c: GIT_COMMITTER_*
 * first, then `committer.*`/`user.*` config, then the login) with git's date formats.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { configGet, parseBool, parseConfig } from './config.js';

export type LogAllRefUpdates = 'false' | 'true' | 'always';

/** `core.logAllRefUpdates`; unset means false in bare repositories and true otherwise. */
export function logAllRefUpdates(config: ReadonlyMap<string, string[]>, bare: boolean): LogAllRefUpdates {
  const v = configGet(config, 'core.logAllRefUpdates');
  if (v === undefined) return bare ? 'false' : 'true';
  if (v.toLowerCase() === 'always') return 'always';
  const b = parseBool(v);
  if (b === undefined) throw new ReftableError(ErrorCode.Repository, `bad core.logAllRefUpdates value '${v}'`);
  return b ? 'true' : 'false';
}

/** refs.c should_autocreate_reflog: the refs logged without an existing reflog. */
export function shouldAutocreateReflog(mode: LogAllRefUpdates, name: string): boolean {
  if (mode === 'always') return true;
  if (mode === 'false') return false;
  return name === 'HEAD' || name.startsWith('refs/heads/') || name.startsWith('refs/remotes/') || name.startsWith('refs/notes/');
}

const isGitSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * refs.c normalize_reflog_message: leading whitespace dropped, each whitespace run becomes one
 * space, trailing whitespace dropped; then truncated to `blockSize / 2` bytes, as the reftable
 * backend does so every entry fits a log block. The writer adds the final LF.
 */
export function normalizeReflogMessage(message: string | undefined, blockSize: number): Uint8Array {
  const src = Buffer.from(message ?? '', 'utf8');
  const out: number[] = [];
  let wasSpace = true;
  for (const c of src) {
    if (c === 0) break; // git's strings end at NUL
    if (wasSpace && isGitSpace(c)) continue;
    wasSpace = isGitSpace(c);
    out.push(wasSpace ? 0x20 : c);
  }
  while (out.length > 0 && isGitSpace(out[out.length - 1])) out.pop();
  return Uint8Array.from(out.slice(0, Math.floor(blockSize / 2)));
}

export interface Committer {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  time: number;
  /** Zone as git's signed HHMM integer (-800 for -0800). */
  tz: number;
}

/** ident.c: characters stripped from both ends of a name or email. */
function crud(c: number): boolean {
  return c <= 32 || c === 0x2c || c === 0x3a || c === 0x3b || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x5c || c === 0x27;
}

/** ident.c strbuf_addstr_without_crud: trim crud, drop LF, '<' and '>' inside. */
export function withoutCrud(s: string): string {
  const b = Buffer.from(s, 'utf8');
  let start = 0;
  let end = b.length;
  while (start < end && crud(b[start])) start++;
  while (end > start && crud(b[end - 1])) end--;
  const out: number[] = [];
  for (let i = start; i < end; i++) if (b[i] !== 0x0a && b[i] !== 0x3c && b[i] !== 0x3e) out.push(b[i]);
  return Buffer.from(out).toString('utf8');
}

/** The user's global config (~/.gitconfig, then $XDG_CONFIG_HOME/git/config), empty when absent or unreadable. */
export function globalConfig(env: NodeJS.ProcessEnv = process.env): Map<string, string[]> {
  const files: string[] = [];
  if (env.GIT_CONFIG_GLOBAL) files.push(env.GIT_CONFIG_GLOBAL);
  else {
    const xdg = env.XDG_CONFIG_HOME || (env.HOME ? path.join(env.HOME, '.config') : undefined);
    if (xdg) files.push(path.join(xdg, 'git', 'config'));
    if (env.HOME) files.push(path.join(env.HOME, '.gitconfig'));
  }
  const out = new Map<string, string[]>();
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    try {
      for (const [k, v] of parseConfig(text, f)) out.set(k, [...(out.get(k) ?? []), ...v]);
    } catch {
      /* a broken global config must not block ref writes; git would die, we just ignore it */
    }
  }
  return out;
}

/**
 * The committer git would record: env first, then repository config, then global config,
 * then the login name and host (git's last resort).
 */
export function committerIdentity(repoConfig: ReadonlyMap<string, string[]>, env: NodeJS.ProcessEnv = process.env, now = Date.now()): Committer {
  const global = globalConfig(env);
  const cfg = (k: string) => configGet(repoConfig, k) ?? configGet(global, k);
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  const name = env.GIT_COMMITTER_NAME ?? cfg('committer.name') ?? cfg('user.name') ?? user;
  const email = env.GIT_COMMITTER_EMAIL ?? cfg('committer.email') ?? cfg('user.email') ?? env.EMAIL ?? `${user}@${os.hostname()}`;
  const date = env.GIT_COMMITTER_DATE;
  const when = date !== undefined && date !== '' ? parseGitDate(date, now) : { time: Math.floor(now / 1000), tz: localTz(now) };
  return { name: withoutCrud(name), email: withoutCrud(email), time: when.time, tz: when.tz };
}

/** Local zone of `ms` as git's HHMM integer. */
export function localTz(ms: number): number {
  const off = -new Date(ms).getTimezoneOffset();
  const sign = off < 0 ? -1 : 1;
  const a = Math.abs(off);
  return sign * (Math.floor(a / 60) * 100 + (a % 60));
}

function tzToMinutes(tz: number): number {
  const a = Math.abs(tz);
  return Math.sign(tz) * (Math.floor(a / 100) * 60 + (a % 100));
}

/** Parse a zone written as Z, ±hh, ±hhmm or ±hh:mm into the HHMM integer. */
function parseZone(z: string): number | undefined {
  if (z === 'Z' || z === 'z' || z.toUpperCase() === 'UTC' || z.toUpperCase() === 'GMT') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return undefined;
  const v = Number(m[2]) * 100 + Number(m[3] ?? '0');
  return m[1] === '-' ? -v : v;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The date formats git's parse_date accepts that people actually use: "<unix> <±hhmm>",
 * "@<unix> [<±hhmm>]", ISO 8601 ("2005-04-07T22:13:13+02:00", space instead of T, zone
 * optional = local), and RFC 2822 ("Thu, 07 Apr 2005 22:13:13 +0200").
 */
export function parseGitDate(s: string, now = Date.now()): { time: number; tz: number } {
  const t = s.trim();
  let m = /^@?(\d+)(?:\s+([+-]\d{4}))?$/.exec(t);
  if (m) {
    const tz = m[2] !== undefined ? parseZone(m[2])! : 0;
    return { time: Number(m[1]), tz };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t);
  if (m) return civil(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], s, now);
  m = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|Z|UTC|GMT)?$/.exec(t);
  if (m) {
    const mon = MONTHS.indexOf(m[2].toLowerCase());
    if (mon >= 0) return civil(+m[3], mon + 1, +m[1], +m[4], +m[5], +(m[6] ?? 0), m[7], s, now);
  }
  throw new ReftableError(ErrorCode.Usage, `invalid date format: ${s}`);
}

function civil(y: number, mo: number, d: number, h: number, mi: number, se: number, zone: string | undefined, src: string, now: number): { time: number; tz: number } {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) throw new ReftableError(ErrorCode.Usage, `invalid date: ${src}`);
  const utc = Date.UTC(y, mo - 1, d, h, mi, se) / 1000;
  let tz: number | undefined = zone !== undefined ? parseZone(zone) : undefined;
  if (zone !== undefined && tz === undefined) throw new ReftableError(ErrorCode.Usage, `invalid time zone in date: ${src}`);
  if (tz === undefined) tz = localTz(utc * 1000 || now);
  return { time: utc - tzToMinutes(tz) * 60, tz };
}

/** Largest timestamp: "expire everything" (git's TIME_MAX). */
export const EXPIRE_ALL = Number.MAX_SAFE_INTEGER;

const UNITS: Record<string, number> = {
  second: 1, seconds: 1, sec: 1, secs: 1, minute: 60, minutes: 60, min: 60, mins: 60,
  hour: 3600, hours: 3600, day: 86400, days: 86400, week: 604800, weeks: 604800,
  month: 2592000, months: 2592000, year: 31536000, years: 31536000,
};

/**
 * reflog's parse_expiry_date: `never`/`false` → 0 (nothing expires), `all`/`now` → everything,
 * otherwise a date: unix seconds, ISO or RFC date, "N.unit.ago" / "N unit ago", "yesterday".
 * Entries with a time strictly below the result are pruned.
 */
export function parseExpiryDate(s: string, now = Date.now()): number {
  const t = s.trim().toLowerCase();
  if (t === 'never' || t === 'false') return 0;
  if (t === 'all' || t === 'now') return EXPIRE_ALL;
  const nowSec = Math.floor(now / 1000);
  if (t === 'yesterday') return nowSec - 86400;
  const rel = /^(\d+)[. ]+([a-z]+)(?:[. ]+ago)?$/.exec(t);
  if (rel && UNITS[rel[2]] !== undefined) return nowSec - Number(rel[1]) * UNITS[rel[2]];
  try {
    return parseGitDate(s, now).time;
  } catch {
    throw new ReftableError(ErrorCode.Usage, `invalid expiry date '${s}'`);
  }
}

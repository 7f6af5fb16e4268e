/**
 * Stack verification on disk (reftable-format.md § 7): `tables.list` syntax, the listed files,
 * their names against their headers, update-index ranges across the stack, the repository's
 * hash, and what else lies in the directory (unlisted tables, locks, temp files); then every
 * listed table through the engine's verifyTable. Read-only: nothing is ever deleted or locked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { HashFormat } from '../engine/format.js';
import { verifyTable } from '../engine/verify.js';
import type { Finding } from './api.js';

const LIST = 'tables.list';
/** Git's table names: `0x%012x-0x%012x-%08x.ref` (min, max, random). */
const NAME = /^0x([0-9a-f]{12})-0x([0-9a-f]{12})-([0-9a-f]{8})\.ref$/;

interface Listed {
  name: string;
  /** From the name, when it parses. */
  min?: number;
  max?: number;
  /** From the header, when the file could be read. */
  header?: { min: number; max: number };
}

export interface VerifyStackOptions {
  /** Clock for lock ages (tests). */
  now?: () => number;
}

/**
 * Verify the stack in `reftableDir` for a repository using `hash`. Throws a ReftableError
 * (IO / NOT_EXIST) only when the directory or tables.list cannot be read at all.
 */
export function verifyStack(reftableDir: string, hash: HashFormat, opts: VerifyStackOptions = {}): Finding[] {
  const out: Finding[] = [];
  const add = (severity: Finding['severity'], file: string, code: string, message: string, offset?: number) => {
    const f: Finding = { severity, file, code, message };
    if (offset !== undefined) f.offset = offset;
    out.push(f);
  };
  const now = opts.now ?? Date.now;

  let entries: string[];
  try {
    entries = fs.readdirSync(reftableDir);
  } catch (e) {
    throw ioError(e, reftableDir, 'cannot read the reftable directory');
  }

  // ---- tables.list ------------------------------------------------------------------------
  const listed: Listed[] = [];
  let text: string | undefined;
  try {
    text = fs.readFileSync(path.join(reftableDir, LIST), 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, path.join(reftableDir, LIST), 'cannot read tables.list');
    add('info', LIST, 'list-missing', 'tables.list does not exist; git reads the stack as empty');
  }
  if (text !== undefined) {
    if (text.length > 0 && !text.endsWith('\n')) add('warning', LIST, 'list-syntax', 'the last line does not end with a line feed; git writes one after every name', text.length);
    const seen = new Set<string>();
    let offset = 0;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((line, i) => {
      const at = offset;
      offset += line.length + 1;
      const m = NAME.exec(line);
      if (!m) {
        const what = line === '' ? 'an empty line' : line.endsWith('\r') ? `a name ending in CR (${JSON.stringify(line)})` : JSON.stringify(line.length > 80 ? line.slice(0, 80) + '…' : line);
        // A name git cannot open fails the whole stack; anything else it would at least try.
        add('error', LIST, 'list-syntax', `line ${i + 1} is ${what}, not a table name 0x<12 hex>-0x<12 hex>-<8 hex>.ref`, at);
        if (line === '' || line.includes('/') || line.includes('\0')) return;
      }
      if (seen.has(line)) {
        add('error', LIST, 'list-duplicate', `line ${i + 1} lists ${line} a second time`, at);
        return;
      }
      seen.add(line);
      listed.push({ name: line, min: m ? parseInt(m[1], 16) : undefined, max: m ? parseInt(m[2], 16) : undefined });
    });
  }

  // ---- listed tables --------------------------------------------------------------------
  const tableFindings: Finding[] = [];
  for (const t of listed) {
    const file = path.join(reftableDir, t.name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') add('error', t.name, 'missing', 'listed in tables.list but the file does not exist; git cannot read the stack');
      else add('error', t.name, 'io', `cannot read: ${code ?? (e as Error).message}`);
      continue;
    }
    const header = readLimits(bytes);
    if (header) {
      t.header = header;
      if (t.min !== undefined && (t.min !== header.min || t.max !== header.max)) {
        add('warning', t.name, 'name-range', `name says update indexes ${t.min}..${t.max} but the header says ${header.min}..${header.max}; git trusts the header`, 8);
      }
    }
    for (const f of verifyTable(bytes, { name: t.name, hash })) tableFindings.push(f);
  }

  // Update-index ranges: git refuses to add a table whose min is not above the stack's max
  // (reftable-format.md § 5.6: next update index = newest max + 1); compaction keeps ranges.
  let prev: Listed | undefined;
  for (const t of listed) {
    if (!t.header) continue;
    if (prev?.header) {
      if (t.header.min <= prev.header.max) {
        add('error', t.name, 'range-overlap', `update indexes ${t.header.min}..${t.header.max} overlap or precede ${prev.name} (${prev.header.min}..${prev.header.max}); each table must start above the previous one's max`);
      } else if (t.header.min > prev.header.max + 1) {
        add('info', t.name, 'range-gap', `update indexes ${prev.header.max + 1}..${t.header.min - 1} are used by no table (after ${prev.name})`);
      }
    }
    prev = t;
  }
  const stackMax = listed.reduce((m, t) => Math.max(m, t.header?.max ?? t.max ?? 0), 0);

  // ---- other files ----------------------------------------------------------------------
  const listedNames = new Set(listed.map((t) => t.name));
  for (const e of entries.sort()) {
    if (e === LIST || listedNames.has(e)) continue;
    const full = path.join(reftableDir, e);
    if (e.endsWith('.lock')) {
      const age = ageOf(full, now);
      if (e === `${LIST}.lock`) {
        add('warning', e, 'lock', `tables.list.lock exists${age}: every writer (and git) is blocked until it is removed; if no git process is running, it is stale — remove it by hand`);
      } else {
        add('warning', e, 'lock', `lock file${age}: a compaction holds (or crashed holding) ${e.slice(0, -5)}; git skips locked tables when compacting`);
      }
    } else if (/\.temp\./.test(e) || /^tmp_/.test(e)) {
      add('info', e, 'temp-file', `temporary file${ageOf(full, now)} left by an interrupted write; harmless, and removable when no git process is running`);
    } else if (e.endsWith('.ref')) {
      const m = NAME.exec(e);
      const max = m ? parseInt(m[2], 16) : undefined;
      const fate = max !== undefined && max <= stackMax
        ? `git's stack cleanup (e.g. pack-refs) would delete it (max ${max} ≤ stack max ${stackMax})`
        : 'a writer may be about to add it, or it was never committed';
      add('info', e, 'unlisted', `table not listed in tables.list; ${fate}`);
    } else {
      add('info', e, 'unknown-file', 'file git does not use in a reftable directory');
    }
  }
  return [...out, ...tableFindings];
}

/** min/max update index from a table header, or undefined when it is not a reftable. */
function readLimits(b: Uint8Array): { min: number; max: number } | undefined {
  if (b.length < 24 || b[0] !== 0x52 || b[1] !== 0x45 || b[2] !== 0x46 || b[3] !== 0x54) return undefined;
  const u64 = (o: number) => {
    let v = 0;
    for (let i = 0; i < 8; i++) v = v * 256 + b[o + i];
    return v;
  };
  return { min: u64(8), max: u64(16) };
}

function ageOf(file: string, now: () => number): string {
  try {
    const ms = now() - fs.statSync(file).mtimeMs;
    return ` (modified ${formatAge(ms)} ago)`;
  } catch {
    return '';
  }
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

function ioError(e: unknown, file: string, what: string): ReftableError {
  const code = (e as NodeJS.ErrnoException)?.code;
  return new ReftableError(code === 'ENOENT' ? ErrorCode.NotExist : ErrorCode.Io, `${what}: ${code ?? (e as Error)?.message ?? String(e)}`, { file, cause: e });
}

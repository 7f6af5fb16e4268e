/** Engine records (raw bytes) ↔ the string-typed records of the store API (api.ts). */
import { text } from '../engine/bytes.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import type { LogEntry, RefEntry } from './api.js';

/**
 * Node's native hex encoder: listing 50 000 refs spends most of its time here otherwise.
 * Called on the array itself: ids are small copies, which V8 keeps inside its heap, and
 * asking one for `.buffer` (as Buffer.from(b.buffer, …) does) moves it out first: that cost
 * four times the encoding (reading 100,000 reflog entries: ~0.1 s).
 */
const hexSlice = (Buffer.prototype as unknown as { hexSlice?: (this: Uint8Array, start: number, end: number) => string }).hexSlice;
function hex(b: Uint8Array): string {
  return hexSlice ? hexSlice.call(b, 0, b.length) : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function refEntry(r: RefRecord, stack: string, table: string, name = text(r.name)): RefEntry {
  const e: RefEntry = {
    name,
    type: r.valueType === 3 ? 'symref' : r.valueType === 2 ? 'peeled' : 'oid',
    updateIndex: r.updateIndex,
    stack,
    table,
  };
  if (r.value) e.oid = hex(r.value);
  if (r.peeled) e.peeled = hex(r.peeled);
  if (r.target) e.target = text(r.target);
  return e;
}

/** git stores the zone as a signed HHMM integer (-800 for -0800, 530 for +0530). */
export function formatTz(tz: number): string {
  const sign = tz < 0 ? '-' : '+';
  return sign + String(Math.abs(tz)).padStart(4, '0');
}

export function parseTz(tz: string): number {
  const m = /^([+-])(\d{4})$/.exec(tz);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * Number(m[2]);
}

export function logEntry(r: LogRecord, table: string, name = text(r.name)): LogEntry {
  return {
    name,
    updateIndex: r.updateIndex,
    type: r.valueType === 0 ? 'deletion' : 'update',
    old: hex(r.old ?? new Uint8Array(0)),
    new: hex(r.new ?? new Uint8Array(0)),
    committer: { name: text(r.committerName ?? new Uint8Array(0)), email: text(r.email ?? new Uint8Array(0)), time: r.time ?? 0, tz: formatTz(r.tz ?? 0) },
    message: text(r.message ?? new Uint8Array(0)),
    table,
  };
}

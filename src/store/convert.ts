/** Engine records (raw bytes) ↔ the string-typed records of the store API (api.ts). */
import { text } from '../engine/bytes.js';
import type { LogRecord, RefRecord } from '../engine/record.js';
import type { LogEntry, RefEntry } from './api.js';

/** Node's native hex encoder: listing 50 000 refs spends most of its time here otherwise. */
function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
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

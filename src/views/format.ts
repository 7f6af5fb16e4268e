/** Text helpers shared by the views: short ids, sizes, dates as the user configured them. */
import * as vscode from 'vscode';

export type DateFormat = 'relative' | 'iso' | 'local';

export function shortId(id: string | undefined): string {
  return id ? id.slice(0, 7) : '';
}

export function isZeroId(id: string): boolean {
  return /^0+$/.test(id);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

const UNITS: [number, string][] = [
  [365 * 24 * 3600, 'year'],
  [30 * 24 * 3600, 'month'],
  [7 * 24 * 3600, 'week'],
  [24 * 3600, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
];

export function relativeTime(seconds: number, now = Date.now() / 1000): string {
  const delta = Math.round(now - seconds);
  if (Math.abs(delta) < 60) return 'just now';
  const future = delta < 0;
  const abs = Math.abs(delta);
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const word = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return future ? `in ${word}` : `${word} ago`;
    }
  }
  return 'just now';
}

/** git's own rendering (`--date=iso`): the committer's wall clock and zone. */
export function isoTime(seconds: number, tz: string): string {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(tz);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date((seconds + offsetMin * 60) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${m ? tz : '+0000'}`;
}

export function formatTime(seconds: number, tz: string, fmt: DateFormat = dateFormat()): string {
  switch (fmt) {
    case 'iso': return isoTime(seconds, tz);
    case 'local': return new Date(seconds * 1000).toLocaleString();
    default: return relativeTime(seconds);
  }
}

export function dateFormat(): DateFormat {
  const v = vscode.workspace.getConfiguration('reftable').get<string>('dateFormat', 'relative');
  return v === 'iso' || v === 'local' ? v : 'relative';
}

export function pageSize(): number {
  const v = vscode.workspace.getConfiguration('reftable').get<number>('pageSize', 500);
  return Number.isInteger(v) && v! >= 10 ? Math.min(v!, 100_000) : 500;
}

/** Markdown-escape a value placed into a tooltip. */
export function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

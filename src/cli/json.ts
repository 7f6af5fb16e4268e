/** The JSON shapes the CLI prints (stable: scripts parse them). Key order is fixed. */
import type { LogEntry, RefEntry } from '../store/api.js';

export function refJson(r: RefEntry, withTable = false): Record<string, unknown> {
  const o: Record<string, unknown> = { name: r.name, updateIndex: r.updateIndex, type: r.type };
  if (r.oid !== undefined) o.oid = r.oid;
  if (r.peeled !== undefined) o.peeled = r.peeled;
  if (r.target !== undefined) o.target = r.target;
  if (withTable) o.table = r.table;
  return o;
}

export function logJson(e: LogEntry): Record<string, unknown> {
  return {
    name: e.name,
    updateIndex: e.updateIndex,
    type: e.type,
    old: e.old,
    new: e.new,
    committer: { name: e.committer.name, email: e.committer.email, time: e.committer.time, tz: e.committer.tz },
    message: e.message,
  };
}

/**
 * `reftable log [--json] [-n N] [REFNAME...]`: reflog entries newest first (every ref when none
 * is named); `-n N` keeps the newest N of each ref, like `git reflog show -n N`.
 */
import type { LogEntry } from '../store/api.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { parseArgs } from './context.js';
import { Exit, usageError } from './exit-codes.js';
import { logJson } from './json.js';

const usage = 'log [--json] [-n N] [REFNAME...]';

export const logCommand: Command = {
  name: 'log',
  summary: 'print reflog entries, newest first',
  usage,
  run(ctx, args) {
    const { flags, options, positional } = parseArgs(args, { flags: ['--json'], options: ['-n'] }, usage);
    const n = options.get('-n');
    if (n !== undefined && !/^\d+$/.test(n)) throw usageError(`-n takes a number of entries, not '${n}'; usage: ${usage}`);
    const limit = n === undefined ? Infinity : Number(n);
    const db = ctx.refdb();
    const json = flags.has('--json');
    let code: number = Exit.Ok;
    if (positional.length === 0) {
      printAll(ctx, db.allLogs(), json, limit);
      return code;
    }
    for (const name of positional) {
      // Printed as read: a long reflog is never held whole.
      if (printAll(ctx, db.reflogEntries(name, limit), json) === 0 && !db.reflogExists(name)) {
        ctx.err.line(`reftable: no reflog for ${name}`);
        code = Exit.NotFound;
      }
    }
    return code;
  },
};

/** Prints `entries` (at most `limit` per ref); returns how many it printed. */
function printAll(ctx: CliContext, entries: Iterable<LogEntry>, json: boolean, limit = Infinity): number {
  let current = '';
  let n = 0;
  let printed = 0;
  for (const e of entries) {
    if (e.name !== current) {
      current = e.name;
      n = 0;
    }
    if (n >= limit) continue;
    if (json) ctx.out.line(JSON.stringify(logJson(e)));
    else ctx.out.line(`${e.name}@{${n}} ${e.new.slice(0, 7)} ${e.message.split('\n')[0]}`);
    n++;
    printed++;
  }
  return printed;
}

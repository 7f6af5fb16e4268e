/** `reftable log [--json] [REFNAME...]`: reflog entries newest first (every ref when none is named). */
import type { LogEntry } from '../store/api.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { parseArgs } from './context.js';
import { Exit } from './exit-codes.js';
import { logJson } from './json.js';

const usage = 'log [--json] [REFNAME...]';

export const logCommand: Command = {
  name: 'log',
  summary: 'print reflog entries, newest first',
  usage,
  run(ctx, args) {
    const { flags, positional } = parseArgs(args, { flags: ['--json'] }, usage);
    const db = ctx.refdb();
    const json = flags.has('--json');
    let code: number = Exit.Ok;
    if (positional.length === 0) {
      printAll(ctx, db.allLogs(), json);
      return code;
    }
    for (const name of positional) {
      const entries = db.reflog(name);
      if (entries.length === 0 && !db.reflogExists(name)) {
        ctx.err.line(`reftable: no reflog for ${name}`);
        code = Exit.NotFound;
        continue;
      }
      printAll(ctx, entries, json);
    }
    return code;
  },
};

function printAll(ctx: CliContext, entries: Iterable<LogEntry>, json: boolean): void {
  let current = '';
  let n = 0;
  for (const e of entries) {
    if (e.name !== current) {
      current = e.name;
      n = 0;
    }
    if (json) ctx.out.line(JSON.stringify(logJson(e)));
    else ctx.out.line(`${e.name}@{${n}} ${e.new.slice(0, 7)} ${e.message.split('\n')[0]}`);
    n++;
  }
}

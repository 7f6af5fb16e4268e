/** `reftable show [--json] REFNAME`: the one raw record the merged view holds for a name. */
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { notFound, usageError } from './exit-codes.js';
import { refJson } from './json.js';

const usage = 'show [--json] REFNAME';

export const showCommand: Command = {
  name: 'show',
  summary: 'show the raw record of one ref and the table holding it',
  usage,
  run(ctx, args) {
    const { flags, positional } = parseArgs(args, { flags: ['--json'] }, usage);
    if (positional.length !== 1) throw usageError(`expected exactly one ref name; usage: ${usage}`);
    const name = positional[0];
    const r = ctx.refdb().ref(name);
    if (!r) throw notFound(`no such ref: ${name}`);
    if (flags.has('--json')) ctx.out.line(JSON.stringify(refJson(r, true)));
    else ctx.out.line(`${r.type === 'symref' ? `ref: ${r.target}` : r.oid} ${r.name} (table ${r.table}, update index ${r.updateIndex})`);
    return 0;
  },
};

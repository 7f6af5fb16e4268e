/**
 * `reftable reflog delete REF@{N}...` and `reftable reflog expire --expire=<date> [--all|REF...]`,
 * with git's semantics (one rewrite table per ref; entries vanish on the next full compaction).
 */
import { deleteReflogEntry, expireReflogs } from '../store/reflog-edit.js';
import { parseExpiryDate } from '../store/reflog-policy.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit, usageError } from './exit-codes.js';

const usage = 'reflog (delete [--rewrite] [--updateref] REF@{N}... | expire --expire=<date> [--rewrite] [--updateref] (--all | REF...))';

export const reflogCommand: Command = {
  name: 'reflog',
  summary: 'delete or expire reflog entries',
  usage,
  run(ctx, args) {
    const [sub, ...rest] = args;
    const info = ctx.repository();
    if (sub === 'delete') {
      const { flags, positional } = parseArgs(rest, { flags: ['--rewrite', '--updateref'] }, usage);
      if (positional.length === 0) throw usageError(`no reflog entry given; usage: ${usage}`);
      for (const spec of positional) {
        const m = /^(.+)@\{(\d+)\}$/.exec(spec);
        if (!m) throw usageError(`not a reflog entry: ${spec} (expected REF@{N})`);
        deleteReflogEntry(info, m[1], Number(m[2]), { rewrite: flags.has('--rewrite'), updateRef: flags.has('--updateref'), env: ctx.env });
      }
      return Exit.Ok;
    }
    if (sub === 'expire') {
      const { flags, options, positional } = parseArgs(rest, { flags: ['--all', '--rewrite', '--updateref'], options: ['--expire'] }, usage);
      const when = options.get('--expire');
      if (when === undefined) throw usageError(`--expire=<date> is required; usage: ${usage}`);
      if (flags.has('--all') === positional.length > 0) throw usageError(`give either --all or refs; usage: ${usage}`);
      const res = expireReflogs(info, flags.has('--all') ? 'all' : positional, parseExpiryDate(when), {
        rewrite: flags.has('--rewrite'), updateRef: flags.has('--updateref'), env: ctx.env,
      });
      for (const r of res) ctx.out.line(`${r.ref}: pruned ${r.pruned}`);
      return Exit.Ok;
    }
    throw usageError(`usage: ${usage}`);
  },
};

/**
 * `reftable reflog delete REF@{N}...` and `reftable reflog expire --expire=<date> [--all|REF...]`,
 * with git's semantics (one rewrite table per ref; entries vanish on the next full compaction).
 */
import type { RepositoryInfo } from '../store/api.js';
import { RefDatabase } from '../store/refdb.js';
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
      // As git: an entry whose reflog is not found is reported and the others still deleted.
      let code: number = Exit.Ok;
      for (const spec of positional) {
        const m = /^(.+)@\{(\d+)\}$/.exec(spec);
        if (!m) throw usageError(`not a reflog entry: ${spec} (expected REF@{N})`);
        const ref = reflogOf(info, m[1]);
        if (ref === undefined) {
          ctx.err.line(`reftable: no reflog for '${spec}'`);
          code = Exit.NotFound;
          continue;
        }
        deleteReflogEntry(info, ref, Number(m[2]), { rewrite: flags.has('--rewrite'), updateRef: flags.has('--updateref'), env: ctx.env });
      }
      return code;
    }
    if (sub === 'expire') {
      const { flags, options, positional } = parseArgs(rest, { flags: ['--all', '--rewrite', '--updateref'], options: ['--expire'] }, usage);
      const when = options.get('--expire');
      if (when === undefined) throw usageError(`--expire=<date> is required; usage: ${usage}`);
      if (flags.has('--all') === positional.length > 0) throw usageError(`give either --all or refs; usage: ${usage}`);
      const before = parseExpiryDate(when);
      // As git: each name is found as `reflog delete` finds it; one that has no reflog is
      // reported and the others are still expired.
      let code: number = Exit.Ok;
      let refs: string[] | 'all' = 'all';
      if (!flags.has('--all')) {
        refs = [];
        for (const name of positional) {
          const ref = reflogOf(info, name);
          if (ref !== undefined) refs.push(ref);
          else {
            ctx.err.line(`reftable: no reflog for '${name}'`);
            code = Exit.NotFound;
          }
        }
      }
      const res = expireReflogs(info, refs, before, { rewrite: flags.has('--rewrite'), updateRef: flags.has('--updateref'), env: ctx.env });
      for (const r of res) ctx.out.line(`${r.ref}: pruned ${r.pruned}`);
      return code;
    }
    throw usageError(`usage: ${usage}`);
  },
};

/**
 * The reflog `name` means (RefDatabase.reflogNameFor), read from the stack as it is now: a
 * deletion before it may have removed the last entry of a reflog.
 */
function reflogOf(info: RepositoryInfo, name: string): string | undefined {
  const db = RefDatabase.fromInfo(info);
  try {
    return db.reflogNameFor(name);
  } finally {
    db.close();
  }
}

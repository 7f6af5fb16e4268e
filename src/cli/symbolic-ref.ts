/**
 * `reftable symbolic-ref`, as git symbolic-ref: `[-m MSG] NAME TARGET` points NAME at TARGET;
 * `[-q] [--short] [--no-recurse] NAME` prints what NAME points at (through a chain of symrefs
 * unless --no-recurse); `-d [-q] NAME` deletes the symref NAME.
 */
import type { RefDatabase } from '../store/refdb.js';
import { refnameProblem, shortenRefname } from '../store/refname.js';
import { applyTransaction } from '../store/transaction.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit, notFound, usageError } from './exit-codes.js';

const usage = 'symbolic-ref ([-m MSG] NAME TARGET | [-q] [--short] [--no-recurse] NAME | -d [-q] NAME)';

/**
 * refs_resolve_ref_unsafe without RESOLVE_REF_READING, on RefDatabase.resolve's chain: the
 * name the chain from `name` ends at (a missing ref ends it too; without `recurse`, NAME's own
 * target), whether `name` was a symref, or undefined when a name read on the way is malformed
 * or the chain is longer than git follows.
 */
function symrefTarget(db: RefDatabase, name: string, recurse: boolean): { name: string; symref: boolean } | undefined {
  const { chain } = db.resolve(name);
  // git checks each name before it reads it; without recursion it reads only NAME.
  const read = recurse ? chain : chain.slice(0, 1);
  if (read.some((n) => refnameProblem(n, { allowOneLevel: true }) !== undefined)) return undefined;
  if (chain.length === 1) return { name, symref: false };
  if (!recurse) return { name: chain[1], symref: true };
  const last = chain[chain.length - 1];
  // The chain stopped at git's depth on a symref still: git gives up there.
  if (db.ref(last)?.type === 'symref') return undefined;
  return { name: last, symref: true };
}

export const symbolicRefCommand: Command = {
  name: 'symbolic-ref',
  summary: 'point a symbolic ref at a ref, or show or delete one',
  usage,
  run(ctx, args) {
    const { flags, options, positional } = parseArgs(args, { flags: ['-q', '--quiet', '--short', '--no-recurse', '--recurse', '-d', '--delete'], options: ['-m'] }, usage);
    const message = options.get('-m');
    if (message !== undefined && message === '') throw usageError('Refusing to perform update with empty message');
    const quiet = flags.has('-q') || flags.has('--quiet');
    if (flags.has('-d') || flags.has('--delete')) {
      if (positional.length !== 1) throw usageError(`usage: ${usage}`);
      const [name] = positional;
      const db = ctx.refdb();
      const t = symrefTarget(db, name, false);
      if (!t) throw notFound(`No such ref: ${name}`);
      if (!t.symref) throw notFound(`Cannot delete ${name}, not a symbolic ref`);
      if (name === 'HEAD') throw notFound("deleting 'HEAD' is not allowed");
      // As git: no reflog message for this deletion, whatever -m says.
      applyTransaction(ctx.repository(), [{ op: 'delete', name, noDeref: true }], { env: ctx.env });
      return Exit.Ok;
    }
    if (positional.length === 1) {
      const [name] = positional;
      const db = ctx.refdb();
      const t = symrefTarget(db, name, !flags.has('--no-recurse'));
      if (!t) throw notFound(`No such ref: ${name}`);
      if (!t.symref) {
        if (quiet) return Exit.NotFound;
        throw notFound(`ref ${name} is not a symbolic ref`);
      }
      ctx.out.line(flags.has('--short') ? shortenRefname(t.name, (n) => db.resolve(n).oid !== undefined) : t.name);
      return Exit.Ok;
    }
    if (positional.length !== 2) throw usageError(`usage: ${usage}`);
    const [name, target] = positional;
    applyTransaction(ctx.repository(), [{ op: 'symref-update', name, target, noDeref: true }], { message, env: ctx.env });
    return Exit.Ok;
  },
};


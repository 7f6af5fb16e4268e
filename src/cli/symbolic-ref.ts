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
import { Exit, usageError } from './exit-codes.js';

const usage = 'symbolic-ref ([-m MSG] NAME TARGET | [-q] [--short] [--no-recurse] NAME | -d [-q] NAME)';
/** How many symrefs git follows before it gives up (refs.h SYMREF_MAXDEPTH). */
const MAX_DEPTH = 5;

/**
 * refs_resolve_ref_unsafe without RESOLVE_REF_READING: the name the chain from `name` ends at
 * (a missing ref ends it too), whether `name` was a symref, or undefined when a name on the way
 * is malformed or the chain is too long.
 */
function symrefTarget(db: RefDatabase, name: string, recurse: boolean): { name: string; symref: boolean } | undefined {
  let cur = name;
  let symref = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (refnameProblem(cur, { allowOneLevel: true }) !== undefined) return undefined;
    const r = db.ref(cur);
    if (!r || r.type !== 'symref') return { name: cur, symref };
    symref = true;
    cur = r.target!;
    if (!recurse) return { name: cur, symref };
  }
  return undefined;
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
      if (!t) return fail(ctx, `No such ref: ${name}`);
      if (!t.symref) return fail(ctx, `Cannot delete ${name}, not a symbolic ref`);
      if (name === 'HEAD') return fail(ctx, "deleting 'HEAD' is not allowed");
      // As git: no reflog message for this deletion, whatever -m says.
      applyTransaction(ctx.repository(), [{ op: 'delete', name, noDeref: true }], { env: ctx.env });
      return Exit.Ok;
    }
    if (positional.length === 1) {
      const [name] = positional;
      const db = ctx.refdb();
      const t = symrefTarget(db, name, !flags.has('--no-recurse'));
      if (!t) return fail(ctx, `No such ref: ${name}`);
      if (!t.symref) return quiet ? Exit.NotFound : fail(ctx, `ref ${name} is not a symbolic ref`);
      ctx.out.line(flags.has('--short') ? shortenRefname(t.name, (n) => db.resolve(n).oid !== undefined) : t.name);
      return Exit.Ok;
    }
    if (positional.length !== 2) throw usageError(`usage: ${usage}`);
    const [name, target] = positional;
    applyTransaction(ctx.repository(), [{ op: 'symref-update', name, target, noDeref: true }], { message, env: ctx.env });
    return Exit.Ok;
  },
};

function fail(ctx: { err: { line(s: string): void } }, message: string): number {
  ctx.err.line(`reftable: ${message}`);
  return Exit.NotFound;
}

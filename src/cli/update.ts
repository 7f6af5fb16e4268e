/**
 * `reftable update`: `git update-ref` for reftable repositories. Either `--stdin [-z]` with
 * update-ref's command language (every start…commit block, or the whole input, is one atomic
 * transaction, committed as its commit line is read, as git does: see store/stdin-session.ts),
 * or the positional form `[-d] REF [NEW [OLD]]`.
 */
import * as fs from 'node:fs';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { applyTransaction } from '../store/transaction.js';
import type { StoreUpdate } from '../store/transaction.js';
import { RefDatabase } from '../store/refdb.js';
import { runUpdateStdin } from '../store/stdin-session.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit, usageError } from './exit-codes.js';

const usage = 'update [-m MSG] [--create-reflog] [--no-deref] (--stdin [-z] | [-d] REF [NEW [OLD]])';

/** Test seam: where --stdin input comes from. */
export let readStdin = (): Buffer => fs.readFileSync(0);
export function setStdinReader(fn: () => Buffer): void {
  readStdin = fn;
}

export const updateCommand: Command = {
  name: 'update',
  summary: 'update refs atomically (git update-ref syntax)',
  usage,
  run(ctx, args) {
    const { flags, options, positional } = parseArgs(args, { flags: ['--stdin', '-z', '-d', '--create-reflog', '--no-deref'], options: ['-m'] }, usage);
    const message = options.get('-m');
    if (message !== undefined && message === '') throw usageError('Refusing to perform update with empty message.');
    const info = ctx.repository();
    const hexLength = info.hash.size * 2;
    const noDeref = flags.has('--no-deref');
    const txOpts = { message, createReflog: flags.has('--create-reflog'), env: ctx.env };
    if (flags.has('--stdin')) {
      if (flags.has('-d') || positional.length > 0) throw usageError(`--stdin takes no refs; usage: ${usage}`);
      runUpdateStdin(info, readStdin(), { ...txOpts, z: flags.has('-z'), noDeref }, (line) => ctx.out.line(line), (w) => ctx.err.line(`reftable: warning: ${w}`));
      return Exit.Ok;
    }
    if (flags.has('-z')) throw usageError(`-z needs --stdin; usage: ${usage}`);
    // As git: a value is a full hex id or a ref (`HEAD`, `main`, …) read now; an empty old
    // value means the ref must not exist, an empty new value is refused. One view of the
    // stack serves both values; it is closed before the update is applied.
    let view: RefDatabase | undefined;
    const oid = (v: string, what: 'object id' | 'old object id'): string => {
      if (v === '' && what === 'old object id') return '0'.repeat(hexLength);
      const id = v === '' ? undefined : (view ??= RefDatabase.fromInfo(info)).resolveRevision(v);
      if (id === undefined) throw new ReftableError(ErrorCode.Usage, `${v}: not a valid ${what} (need ${hexLength} hex digits or a ref name)`);
      return id;
    };
    let u: StoreUpdate;
    try {
      if (flags.has('-d')) {
        if (positional.length < 1 || positional.length > 2) throw usageError(`usage: ${usage}`);
        const [name, old] = positional;
        const o = old !== undefined ? oid(old, 'old object id') : undefined;
        u = { op: 'delete', name, ...(o !== undefined && !/^0+$/.test(o) ? { old: o } : {}), noDeref };
      } else {
        if (positional.length < 2 || positional.length > 3) throw usageError(`usage: ${usage}`);
        const [name, nw, old] = positional;
        const n = oid(nw, 'object id');
        const o = old !== undefined ? oid(old, 'old object id') : undefined;
        // A zero new value deletes, but as an update, as in git: a zero (or empty) old value
        // then asserts the ref is missing (a delete takes it as "any"), and --create-reflog applies.
        u = { op: 'update', name, oid: n, ...(o !== undefined ? { old: o } : {}), noDeref };
      }
    } finally {
      view?.close();
    }
    applyTransaction(info, [u], txOpts);
    return Exit.Ok;
  },
};

/** `reftable symbolic-ref [-m MSG] NAME TARGET`: point NAME at TARGET (git symbolic-ref). */
import { applyTransaction } from '../store/transaction.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit, usageError } from './exit-codes.js';

const usage = 'symbolic-ref [-m MSG] NAME TARGET';

export const symbolicRefCommand: Command = {
  name: 'symbolic-ref',
  summary: 'make NAME a symbolic ref to TARGET',
  usage,
  run(ctx, args) {
    const { options, positional } = parseArgs(args, { options: ['-m'] }, usage);
    if (positional.length !== 2) throw usageError(`usage: ${usage}`);
    const message = options.get('-m');
    if (message !== undefined && message === '') throw usageError('Refusing to perform update with empty reason');
    const [name, target] = positional;
    applyTransaction(ctx.repository(), [{ op: 'symref-update', name, target, noDeref: true }], { message, env: ctx.env });
    return Exit.Ok;
  },
};

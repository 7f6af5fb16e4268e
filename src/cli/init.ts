/** `reftable init [--object-format=sha1|sha256] [-b BRANCH] [--bare] DIR`: a new reftable repository. */
import * as path from 'node:path';
import { initRepository } from '../store/init.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit, usageError } from './exit-codes.js';

const usage = 'init [--object-format=sha1|sha256] [-b BRANCH] [--bare] DIR';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a repository that stores refs in reftable',
  usage,
  run(ctx, args) {
    const { flags, options, positional } = parseArgs(args, { flags: ['--bare'], options: ['--object-format', '-b', '--initial-branch'] }, usage);
    if (positional.length !== 1) throw usageError(`usage: ${usage}`);
    const fmt = options.get('--object-format') ?? 'sha1';
    if (fmt !== 'sha1' && fmt !== 'sha256') throw usageError(`unknown object format '${fmt}'`);
    const info = initRepository(path.resolve(ctx.cwd, positional[0]), {
      hash: fmt, initialBranch: options.get('-b') ?? options.get('--initial-branch') ?? 'main', bare: flags.has('--bare'),
    });
    ctx.out.line(`Initialized empty reftable repository in ${info.gitDir}`);
    return Exit.Ok;
  },
};

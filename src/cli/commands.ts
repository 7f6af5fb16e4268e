/**
 * The command table: one entry per `reftable <command>`, each implemented in its own file.
 * To add a command, create src/cli/<name>.ts exporting a `Command` and list it here.
 */
import type { Command } from './command.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { logCommand } from './log.js';
import { refsCommand } from './refs.js';
import { showCommand } from './show.js';
import { tablesCommand } from './tables.js';
import { verifyCommand } from './verify.js';
import { updateCommand } from './update.js';
import { symbolicRefCommand } from './symbolic-ref.js';
import { packCommand } from './pack.js';
import { reflogCommand } from './reflog.js';
import { initCommand } from './init.js';

/** Stand-in for a command whose file another engineer is writing. */
function pending(name: string, usage: string, summary: string): Command {
  return {
    name,
    usage,
    summary,
    run() {
      throw new ReftableError(ErrorCode.Unsupported, `'${name}' is not available in this build yet`);
    },
  };
}

export const commands: Command[] = [
  refsCommand,
  showCommand,
  logCommand,
  tablesCommand,
  updateCommand,
  symbolicRefCommand,
  packCommand,
  reflogCommand,
  initCommand,
  // HOOK(dump): the layout engineer replaces this line with `dumpCommand` from './dump.js'.
  pending('dump', 'dump [TABLE...]', 'print the byte layout of tables'),
  verifyCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

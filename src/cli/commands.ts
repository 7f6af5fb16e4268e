/**
 * The command table: one entry per `reftable <command>`, each implemented in its own file.
 * To add a command, create src/cli/<name>.ts exporting a `Command` and list it here.
 */
import type { Command } from './command.js';
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
import { dumpCommand } from './dump.js';

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
  dumpCommand,
  verifyCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

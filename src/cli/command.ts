/** The shape of one CLI command; each lives in its own file under src/cli/ and is listed in commands.ts. */
import type { CliContext } from './context.js';

export interface Command {
  name: string;
  /** One line for `reftable help`. */
  summary: string;
  /** Synopsis without the program name, e.g. `refs [--json] [--all] [PREFIX...]`. */
  usage: string;
  /** Returns the exit code; throws ReftableError for failures (mapped by exit-codes.ts). */
  run(ctx: CliContext, args: string[]): number | Promise<number>;
}

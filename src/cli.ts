/**
 * `reftable` command line: global options, dispatch through the command table
 * (src/cli/commands.ts), and the one place that turns failures into one stderr line and an
 * exit code (0 ok, 1 not found, 2 usage, 3 corrupt data or I/O).
 */
import * as path from 'node:path';
import { ReftableError } from './engine/errors.js';
import { commands, findCommand } from './cli/commands.js';
import { CliContext, Output } from './cli/context.js';
import { Exit, exitCodeFor, usageError } from './cli/exit-codes.js';

function helpText(): string {
  const lines = ['usage: reftable [-C <path>] <command> [options]', '', 'commands:'];
  const width = Math.max(...commands.map((c) => c.usage.length));
  for (const c of commands) lines.push(`  ${c.usage.padEnd(width)}  ${c.summary}`);
  lines.push('', '-C <path>  run as if started in <path> (a work tree, any directory inside it, or a git dir)');
  return lines.join('\n');
}

/** Run the CLI; returns the exit code. Output goes through the given sinks (tests capture them). */
export async function main(
  argv: string[],
  io: {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** Raw bytes for stdout (large listings); decoded and sent to `stdout` when absent. */
    /** Returns true when done with the chunk (see Output.bytes). */
    stdoutBytes?: (b: Uint8Array) => boolean;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
  } = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    // Files and (on Linux) pipes are written synchronously: nothing left queued means done.
    stdoutBytes: (b) => {
      process.stdout.write(b);
      return process.stdout.writableLength === 0;
    },
  },
): Promise<number> {
  const out = new Output(io.stdout, io.stdoutBytes);
  const err = new Output(io.stderr);
  const env = io.env ?? process.env;
  let cwd = io.cwd ?? process.cwd();
  let ctx: CliContext | undefined;
  try {
    let i = 0;
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-C') {
        const p = argv[++i];
        if (p === undefined) throw usageError('option -C needs a path');
        cwd = path.resolve(cwd, p);
      } else if (a.startsWith('-C') && a.length > 2) {
        cwd = path.resolve(cwd, a.slice(2));
      } else if (a === '-h' || a === '--help' || a === 'help') {
        out.line(helpText());
        return Exit.Ok;
      } else if (a.startsWith('-')) {
        throw usageError(`unknown option ${a}; usage: reftable [-C <path>] <command> [options]`);
      } else {
        break;
      }
    }
    const name = argv[i];
    if (name === undefined) throw usageError('no command given; try: reftable help');
    const cmd = findCommand(name);
    if (!cmd) throw usageError(`unknown command '${name}'; try: reftable help`);
    ctx = new CliContext(cwd, out, err, env);
    return await cmd.run(ctx, argv.slice(i + 1));
  } catch (e) {
    out.flush();
    const msg = e instanceof ReftableError ? e.message : e instanceof Error ? e.message : String(e);
    err.line(`reftable: ${msg.replace(/\s*\n\s*/g, ' ')}`);
    if (env.REFTABLE_DEBUG === '1' && e instanceof Error && e.stack) err.line(e.stack);
    return exitCodeFor(e);
  } finally {
    ctx?.dispose();
    out.flush();
    err.flush();
  }
}

// Run only as the bundled entry point, not when imported by tests.
const entry = process.argv[1] ?? '';
if (/(^|[\\/])cli(-main)?\.(js|cjs|ts)$/.test(entry) || /[\\/]reftable$/.test(entry)) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

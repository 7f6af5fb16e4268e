/**
 * One `git update-ref --stdin` session over a repository, in git's order: a transaction is
 * checked when its `prepare` line is read and committed when its `commit` line is read,
 * before the lines after them are parsed, and the status lines come out as git prints them.
 * A failure stops the session; transactions already committed stay.
 *
 * One difference: git holds the locks from `prepare` to `commit`; here the checks run under
 * the locks at `prepare` and again, with the commit, at `commit`, so a concurrent writer in
 * between makes the commit fail where git's would have waited for it.
 */
import { ReftableError } from '../engine/errors.js';
import { RefDatabase } from './refdb.js';
import { type RepoLike, repoInfoOf } from './tables-list.js';
import { type StoreTransactionOptions, applyTransaction } from './transaction.js';
import { type ParsedTransaction, readUpdateStdin } from './update-stdin.js';

export interface StdinSessionOptions extends StoreTransactionOptions {
  /** `-z`: NUL-terminated arguments. */
  z?: boolean;
  /** `--no-deref` given on the command line. */
  noDeref?: boolean;
}

/**
 * Run the session; `print` gets each status line (`start: ok` …) when git would print it,
 * `warn` what git warns about on stderr.
 */
export function runUpdateStdin(db: RepoLike, input: string | Uint8Array, opts: StdinSessionOptions, print: (line: string) => void, warn?: (message: string) => void): void {
  const info = repoInfoOf(db);
  const { z, noDeref, ...txOpts } = opts;
  // Values that name refs are resolved as each line is read, against the stack as the
  // transactions committed before it left it (git reads them then too): one view of the
  // stack, opened at the first name and dropped when a transaction commits (a view per line
  // made 10,000 `create … HEAD` lines cost seconds).
  let view: RefDatabase | undefined;
  const dropView = () => {
    view?.close();
    view = undefined;
  };
  const resolve = (arg: string): string | undefined => (view ??= RefDatabase.fromInfo(info)).resolveRevision(arg);
  const run = (tx: ParsedTransaction, phase: 'prepare' | 'commit'): void => {
    if (tx.updates.length === 0) return;
    // Before the commit, not after: a view holding a large table open must not stand in the
    // way of the auto-compaction that may follow (Windows cannot delete an open file).
    if (phase === 'commit') dropView();
    try {
      applyTransaction(info, tx.updates, { ...txOpts, dryRun: phase === 'prepare' });
    } catch (e) {
      // git names the phase of an explicit transaction that failed; the implicit one is
      // committed at the end of input without a name.
      throw tx.explicit ? inPhase(e, phase) : e;
    }
  };
  try {
    readUpdateStdin(input, { z, noDeref, hexLength: info.hash.size * 2, resolve }, {
      warned: warn,
      started: () => print('start: ok'),
      prepared: (tx) => {
        run(tx, 'prepare');
        print('prepare: ok');
      },
      ended: (tx) => {
        if (!tx.explicit) return run(tx, 'commit');
        const last = tx.reports[tx.reports.length - 1];
        // A transaction left open at the end of input is aborted without a word.
        if (last !== 'commit: ok' && last !== 'abort: ok') return;
        if (tx.end === 'commit') run(tx, 'commit');
        print(last);
      },
    });
  } finally {
    dropView();
  }
}

function inPhase(e: unknown, phase: 'prepare' | 'commit'): unknown {
  if (!(e instanceof ReftableError)) return e;
  return new ReftableError(e.code, `${phase}: ${e.reason}`, { file: e.file, offset: e.offset, data: e.data, cause: e });
}

/** `reftable pack [--auto]`: `git pack-refs` — full (or geometric) compaction, then stale-table cleanup. */
import { packRefs } from '../store/compaction.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit } from './exit-codes.js';

const usage = 'pack [--auto]';

export const packCommand: Command = {
  name: 'pack',
  summary: 'compact the stack (git pack-refs)',
  usage,
  run(ctx, args) {
    const { flags } = parseArgs(args, { flags: ['--auto'] }, usage);
    const r = packRefs(ctx.repository(), { auto: flags.has('--auto') });
    ctx.out.line(`tables: ${r.tablesBefore} -> ${r.tablesAfter}; bytes: ${r.bytesBefore} -> ${r.bytesAfter}` +
      (r.removedStale.length ? `; removed stale: ${r.removedStale.join(' ')}` : ''));
    return Exit.Ok;
  },
};

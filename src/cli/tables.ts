/**
 * `reftable tables [--json]`: every table of every stack this work tree reads, with record,
 * tombstone and block counts, and the segment git's auto-compaction would merge next
 * (reftable-format.md § 7.4).
 */
import { compactionSize, suggestCompaction } from '../engine/compact.js';
import { DEFAULT_GEOMETRIC_FACTOR } from '../engine/format.js';
import type { TableInfo } from '../store/api.js';
import { configGet } from '../store/config.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';

const usage = 'tables [--json]';

export interface StackReport {
  id: string;
  dir: string;
  nextUpdateIndex: number;
  tables: TableInfo[];
  /** Inclusive table indexes auto-compaction would merge, or null. */
  compaction: { start: number; end: number; tables: string[] } | null;
}

export const tablesCommand: Command = {
  name: 'tables',
  summary: 'list the tables of each stack and the next auto-compaction',
  usage,
  run(ctx, args) {
    const { flags } = parseArgs(args, { flags: ['--json'] }, usage);
    const db = ctx.refdb();
    const factorText = configGet(db.info.config, 'reftable.geometricfactor');
    const factor = factorText !== undefined && Number(factorText) > 0 ? Math.min(256, Number(factorText)) : DEFAULT_GEOMETRIC_FACTOR;
    const reports: StackReport[] = db.stacks.map((h) => {
      const tables = db.tables(h.id);
      const seg = suggestCompaction(tables.map((t) => compactionSize(t.size, db.info.hash)), factor);
      return {
        id: h.id,
        dir: h.dir,
        nextUpdateIndex: h.stack.nextUpdateIndex,
        tables,
        compaction: seg ? { ...seg, tables: tables.slice(seg.start, seg.end + 1).map((t) => t.name) } : null,
      };
    });
    if (flags.has('--json')) {
      ctx.out.line(JSON.stringify({ stacks: reports }));
      return 0;
    }
    for (const r of reports) {
      ctx.out.line(`stack ${r.id}: ${r.dir} (${r.tables.length} table${r.tables.length === 1 ? '' : 's'}, next update index ${r.nextUpdateIndex})`);
      for (const t of r.tables) {
        const b = t.blocks;
        ctx.out.line(
          `  ${t.name}  ${t.size} bytes  update index ${t.minUpdateIndex}..${t.maxUpdateIndex}  ` +
            `refs ${t.refCount} (${t.refTombstones} deleted)  logs ${t.logCount} (${t.logTombstones} deleted)  objs ${t.objCount}  ` +
            `blocks ref ${b.ref} obj ${b.obj} log ${b.log} index ${b.index}`,
        );
      }
      ctx.out.line(
        r.compaction
          ? `  auto-compaction would merge tables ${r.compaction.start}..${r.compaction.end}: ${r.compaction.tables.join(' ')}`
          : '  auto-compaction: nothing to merge',
      );
    }
    return 0;
  },
};

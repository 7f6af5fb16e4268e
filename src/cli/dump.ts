/**
 * `reftable dump [--json] [--records] TABLE.ref`: the inspector's layout model of one table
 * as text or JSON — header and footer fields, every block with its extent and restarts and,
 * with --records (always in JSON), every record with its byte range and decoded fields.
 */
import * as path from 'node:path';
import { blockLayout, tableLayout, type BlockLayout, type LayoutField } from '../engine/layout.js';
import { Table } from '../engine/table.js';
import { openFileSource } from '../store/fs-source.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { usageError } from './exit-codes.js';

const usage = 'dump [--json] [--records] TABLE.ref';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'print the byte layout of one table: header, blocks, restarts, records, footer',
  usage,
  run(ctx, args) {
    const { flags, positional } = parseArgs(args, { flags: ['--json', '--records'] }, usage);
    if (positional.length !== 1) throw usageError(`expected exactly one table file; usage: ${usage}`);
    const file = path.resolve(ctx.cwd, positional[0]);
    const src = openFileSource(file);
    try {
      const table = Table.open(src, { name: positional[0] });
      const layout = tableLayout(table);
      const json = flags.has('--json');
      const withRecords = json || flags.has('--records');
      const blocks: BlockLayout[] = [];
      if (json) {
        for (const b of layout.blocks) blocks.push(blockLayout(table, b.offset, b));
        ctx.out.line(JSON.stringify({ ...layout, blockLayouts: blocks }));
        return 0;
      }
      const o = ctx.out;
      o.line(`table ${layout.name}: ${layout.size} bytes, version ${layout.version} (${layout.hash}), block size ${layout.blockSize}, update indexes ${layout.minUpdateIndex}..${layout.maxUpdateIndex}`);
      o.line(`header ${range(layout.header)}`);
      for (const f of layout.header.fields) o.line(`  ${field(f)}`);
      for (const b of layout.blocks) {
        const level = b.level !== undefined ? ` level ${b.level}` : '';
        const z = b.compressedLength !== undefined ? `, zlib ${b.compressedLength}` : '';
        o.line(`block ${b.index} ${b.type}${level} (${b.section}) @${b.offset}: block_len ${b.blockLen}, on disk ${b.diskLength}, padded ${b.paddedLength}, restarts ${b.restartCount}${z}`);
        if (!withRecords) continue;
        const bl = blockLayout(table, b.offset, b);
        for (const r of bl.records) {
          o.line(`  ${r.restart ? '*' : ' '} @${r.offset}+${r.length} prefix ${r.prefixLength} ${r.key}${describe(r.decoded)}`);
        }
        o.line(`    restarts [${bl.restarts.join(', ')}]`);
        if (bl.error) o.line(`    error: ${bl.error.message}${bl.error.offset !== undefined ? ` at ${bl.error.offset}` : ''}`);
      }
      o.line(`footer ${range(layout.footer)} crc ${layout.footer.crcOk ? 'ok' : 'MISMATCH'}`);
      for (const f of layout.footer.fields) o.line(`  ${field(f)}`);
      if (layout.unparsed) o.line(`unparsed @${layout.unparsed.offset}+${layout.unparsed.length}: ${layout.unparsed.reason}`);
      return 0;
    } finally {
      src.close();
    }
  },
};

function range(r: { offset: number; length: number }): string {
  return `@${r.offset}+${r.length}`;
}

function field(f: LayoutField): string {
  return `${f.name} @${f.offset}+${f.length} = ${f.value}${f.ok === false ? ' (WRONG)' : ''}`;
}

function describe(d: BlockLayout['records'][number]['decoded']): string {
  switch (d.kind) {
    case 'ref':
      return ` [${d.valueTypeName} ui ${d.updateIndex}]${d.value ? ' ' + d.value : ''}${d.peeled ? ' ^' + d.peeled : ''}${d.target ? ' -> ' + d.target : ''}`;
    case 'log':
      return ` [${d.valueTypeName}]${d.new ? ` ${d.old} -> ${d.new}` : ''}${d.message ? ' ' + JSON.stringify(d.message) : ''}`;
    case 'obj':
      return ` -> blocks [${d.positions.join(', ')}]`;
    case 'index':
      return ` -> block @${d.position}`;
  }
}

/**
 * `reftable refs [--json] [--all] [PATTERN...]`: the text form prints exactly what
 * `git for-each-ref --format='%(objectname) %(refname)' [PATTERN...]` prints (symrefs resolved,
 * dangling ones omitted); `--all` adds root refs like `--include-root-refs`; `--json` prints
 * the raw merged records, one object per line.
 */
import { text } from '../engine/bytes.js';
import type { RefEntry } from '../store/api.js';
import type { RefDatabase } from '../store/refdb.js';
import { ByteLines } from './byte-lines.js';
import type { Command } from './command.js';
import { CliContext, parseArgs } from './context.js';
import { refJson } from './json.js';
import { literalPrefix, matchRefPattern } from './pattern.js';

const usage = 'refs [--json] [--all] [PATTERN...]';

export const refsCommand: Command = {
  name: 'refs',
  summary: 'list refs like git for-each-ref',
  usage,
  run(ctx, args) {
    const { flags, positional: patterns } = parseArgs(args, { flags: ['--json', '--all'] }, usage);
    const db = ctx.refdb();
    const json = flags.has('--json');
    const prefixes = patterns.length ? patterns.map(literalPrefix) : undefined;
    if (!json && !flags.has('--all') && fastText(ctx, db, patterns, prefixes)) return 0;
    const entries: Iterable<RefEntry> = db.refs({
      prefixes,
      includeRootRefs: flags.has('--all'),
    });
    for (const r of entries) {
      if (patterns.length && !patterns.some((p) => matchRefPattern(p, r.name))) continue;
      if (json) {
        ctx.out.line(JSON.stringify(refJson(r)));
        continue;
      }
      const oid = r.type === 'symref' ? db.resolve(r.name).oid : r.oid;
      if (oid !== undefined) ctx.out.line(`${oid} ${r.name}`);
    }
    return 0;
  },
};

/**
 * The text listing straight from the decoder: no object or string per ref, except for
 * symrefs (resolved by name) and when patterns need the name as text. False when the
 * database only offers the general path.
 */
function fastText(ctx: CliContext, db: RefDatabase, patterns: string[], prefixes: string[] | undefined): boolean {
  const lines = new ByteLines((chunk) => ctx.out.bytes(chunk));
  const hashSize = db.info.hash.size;
  const ok = db.scanRefs(prefixes, (c) => {
    let name: string | undefined;
    if (patterns.length) {
      name = text(c.key.subarray(0, c.keyLen));
      const n = name;
      if (!patterns.some((p) => matchRefPattern(p, n))) return;
    }
    if (c.valueType === 3) {
      name ??= text(c.key.subarray(0, c.keyLen));
      const oid = db.resolve(name).oid;
      if (oid !== undefined) lines.line(`${oid} ${name}`);
      return;
    }
    lines.hexLine(c.data, c.valuePos, hashSize, c.key, c.keyLen);
  });
  lines.flush();
  return ok;
}

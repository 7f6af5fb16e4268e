/**
 * `reftable refs [--json] [--all] [PATTERN...]`: the text form prints exactly what
 * `git for-each-ref --format='%(objectname) %(refname)' [PATTERN...]` prints (symrefs resolved,
 * dangling ones omitted); `--all` adds root refs like `--include-root-refs`; `--json` prints
 * the raw merged records, one object per line.
 */
import type { RefEntry } from '../store/api.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
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
    const entries: Iterable<RefEntry> = db.refs({
      prefixes: patterns.length ? patterns.map(literalPrefix) : undefined,
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

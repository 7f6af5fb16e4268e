import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/engine/bytes';
import { SHA1 } from '../../../src/engine/format';
import { MergedTables } from '../../../src/engine/merged';
import { RefRecord } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { TableWriter } from '../../../src/engine/writer';
import { RefLookup } from '../../../src/store/ref-lookup';

function table(ui: number, names: string[], deleted: string[] = []): Table {
  const w = new TableWriter({ hash: SHA1, minUpdateIndex: ui, maxUpdateIndex: ui, blockSize: 256 });
  const recs: RefRecord[] = [
    ...names.map((n): RefRecord => ({ kind: 'ref', name: utf8(n), updateIndex: ui, valueType: 1, value: new Uint8Array(20).fill(ui) })),
    ...deleted.map((n): RefRecord => ({ kind: 'ref', name: utf8(n), updateIndex: ui, valueType: 0 })),
  ].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  recs.forEach((r) => w.addRef(r));
  return Table.open(w.finish()!, { hash: SHA1, name: `t${ui}` });
}

describe('RefLookup', () => {
  // Enough names for several blocks, so lookups step within a table and re-seek across it.
  const old = Array.from({ length: 300 }, (_, i) => `refs/heads/b${String(i * 3).padStart(4, '0')}`);
  const tables = [table(1, old), table(2, ['refs/heads/b0003/x', 'refs/heads/new'], ['refs/heads/b0006'])];
  const queries = [
    ...Array.from({ length: 320 }, (_, i) => `refs/heads/b${String(i * 2).padStart(4, '0')}`),
    'refs/heads/b0003', 'refs/heads/a', 'refs/heads/new', 'refs/heads/b0150', 'refs/heads/b0000', 'refs/heads/zzz',
  ];

  it('answers the same for keys passed in one reused buffer as for fresh arrays, in any order', () => {
    const answers = (keyOf: (s: string) => Uint8Array) => {
      // Names first, then prefixes: consecutive queries of one length share the reused buffer.
      const lookup = new RefLookup(new MergedTables(tables));
      const found = queries.map((q) => lookup.get(keyOf(q))?.updateIndex ?? '-');
      const below = queries.map((q) => lookup.firstWithPrefix(keyOf(`${q}/`)) ?? '-');
      return queries.map((q, i) => `${q} ${found[i]} ${below[i]}`);
    };
    const fresh = answers(utf8);
    // One buffer per length, overwritten by every query (as the transaction's survey does).
    const byLength: Uint8Array[] = [];
    const reused = answers((s) => {
      const b = (byLength[s.length] ??= new Uint8Array(s.length));
      b.set(utf8(s));
      return b;
    });
    expect(reused).toEqual(fresh);
    // And what it answers is right: the newest table decides, deletions hide older values.
    expect(fresh).toContain('refs/heads/b0006 - -');
    expect(fresh).toContain('refs/heads/b0000 1 -');
    expect(fresh).toContain('refs/heads/b0003 1 refs/heads/b0003/x');
    expect(fresh).toContain('refs/heads/new 2 -');
    expect(fresh.filter((a) => !a.includes(' - ')).length).toBeGreaterThan(100);
  });
});

/**
 * Block.count (table statistics) against a full decode of the same blocks: the same number of
 * records and of deletions in every block of real git tables and of writer-made ones (every
 * ref value type, log deletions, obj and index blocks, small blocks, SHA-256).
 */
import { describe, expect, it } from 'vitest';
import { BlockType } from '../../../src/engine/format';
import type { AnyRecord } from '../../../src/engine/record';
import { Table } from '../../../src/engine/table';
import { ReftableError } from '../../../src/engine/errors';
import { gitTables, writerTables } from './verify-samples';

function isDeletion(r: AnyRecord): boolean {
  return (r.kind === 'ref' || r.kind === 'log') && r.valueType === 0;
}

describe('Block.count', () => {
  it('counts what decoding finds, block by block', () => {
    const kinds = new Set<number>();
    let deletions = 0;
    for (const s of [...gitTables(), ...writerTables()]) {
      const t = Table.open(s.bytes, { name: s.name, hash: s.hash });
      for (let off = 0; off < t.dataEnd; ) {
        const b = t.block(off)!;
        let records = 0;
        let dels = 0;
        for (const { record } of b.records()) {
          records++;
          if (isDeletion(record)) dels++;
        }
        expect(b.count(), `${s.name} block at ${off}`).toEqual({ records, deletions: dels });
        kinds.add(b.type);
        deletions += dels;
        off += b.fullSize;
      }
    }
    // The samples reach every kind of block, and deletions of both kinds.
    expect([...kinds].sort()).toEqual([BlockType.Ref, BlockType.Obj, BlockType.Log, BlockType.Index].sort());
    expect(deletions).toBeGreaterThan(0);
  });

  it('reports a damaged block as a format error naming the table and the block', () => {
    const s = writerTables().find((x) => x.name === 'w-indexed-512.ref')!;
    const t = Table.open(s.bytes, { name: s.name, hash: s.hash });
    const b = t.block(0)!;
    // The first record's framing now says suffix 15, value type 7: no ref value type.
    b.data[b.recordsStart + 1] = 0x7f;
    let err: unknown;
    try {
      b.count();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReftableError);
    expect((err as ReftableError).file).toBe(s.name);
    expect((err as ReftableError).offset).toBe(b.offset + b.recordsStart);
    expect((err as ReftableError).message).toMatch(/unknown ref value type 7/);
  });
});

/**
 * Per-table statistics for `reftable tables` and the extension's table list: a walk over
 * every block in file order (reftable-format.md § 5.2 extents), counting records by kind
 * without decoding them (Block.count). Reads the whole table, so results are cached per
 * Table (tables never change once listed).
 */
import { BlockType } from '../engine/format.js';
import type { Table } from '../engine/table.js';
import type { TableInfo } from './api.js';

const cache = new WeakMap<Table, TableInfo>();

export function tableInfo(table: Table): TableInfo {
  const hit = cache.get(table);
  if (hit) return hit;
  const info: TableInfo = {
    name: table.name,
    size: table.size,
    minUpdateIndex: table.minUpdateIndex,
    maxUpdateIndex: table.maxUpdateIndex,
    refCount: 0,
    logCount: 0,
    objCount: 0,
    refTombstones: 0,
    logTombstones: 0,
    blocks: { ref: 0, obj: 0, log: 0, index: 0 },
  };
  let off = 0;
  while (off < table.dataEnd) {
    const b = table.block(off);
    if (!b) break;
    switch (b.type) {
      case BlockType.Ref: {
        info.blocks.ref++;
        const c = b.count();
        info.refCount += c.records;
        info.refTombstones += c.deletions;
        break;
      }
      case BlockType.Log: {
        info.blocks.log++;
        const c = b.count();
        info.logCount += c.records;
        info.logTombstones += c.deletions;
        break;
      }
      case BlockType.Obj:
        info.blocks.obj++;
        info.objCount += b.count().records;
        break;
      case BlockType.Index:
        info.blocks.index++;
        break;
    }
    off += b.fullSize;
  }
  cache.set(table, info);
  return info;
}

/**
 * Per-table statistics for `reftable tables` and the extension's table list: a walk over
 * every block in file order (reftable-format.md § 5.2 extents), counting records by kind.
 * Reads the whole table, so results are cached per Table (tables never change once listed).
 */
import { BlockType } from '../engine/format.js';
import type { LogRecord, ObjRecord, RefRecord } from '../engine/record.js';
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
      case BlockType.Ref:
        info.blocks.ref++;
        for (const { record } of b.records()) {
          info.refCount++;
          if ((record as RefRecord).valueType === 0) info.refTombstones++;
        }
        break;
      case BlockType.Log:
        info.blocks.log++;
        for (const { record } of b.records()) {
          info.logCount++;
          if ((record as LogRecord).valueType === 0) info.logTombstones++;
        }
        break;
      case BlockType.Obj:
        info.blocks.obj++;
        for (const { record } of b.records()) if ((record as ObjRecord).kind === 'obj') info.objCount++;
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

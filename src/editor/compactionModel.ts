/**
 * What the compaction panel shows, computed from table statistics alone (no vscode, no disk):
 * git's geometric rule (reftable-format.md § 7.4), the segment auto-compaction would merge
 * next, and tombstone-heavy layers that keep size-based compaction from doing its job.
 */
import { compactionSize, suggestCompaction } from '../engine/compact.js';
import { DEFAULT_GEOMETRIC_FACTOR, hashByName } from '../engine/format.js';
import type { TableInfo } from '../store/api.js';
import type { CompactionLayer, CompactionStackState } from '../shared/protocol.js';

/** A layer counts as tombstone-heavy above this share of deletions. */
export const TOMBSTONE_HEAVY = 0.5;

export function compactionStack(
  id: string, dir: string, tables: readonly TableInfo[], hashName: 'sha1' | 'sha256', factor = DEFAULT_GEOMETRIC_FACTOR,
): CompactionStackState {
  const hash = hashByName(hashName)!;
  const f = factor > 0 ? factor : DEFAULT_GEOMETRIC_FACTOR;
  const sizes = tables.map((t) => Math.max(0, compactionSize(t.size, hash)));
  const seg = suggestCompaction(sizes, f);
  const layers: CompactionLayer[] = tables.map((t, i) => {
    const records = t.refCount + t.logCount;
    const tomb = t.refTombstones + t.logTombstones;
    return {
      name: t.name, size: t.size, policySize: sizes[i], minUpdateIndex: t.minUpdateIndex, maxUpdateIndex: t.maxUpdateIndex,
      refCount: t.refCount, logCount: t.logCount, refTombstones: t.refTombstones, logTombstones: t.logTombstones,
      tombstoneShare: records > 0 ? tomb / records : 0,
      geometricOk: i === tables.length - 1 || sizes[i] >= f * sizes[i + 1],
      inNextSegment: seg !== undefined && i >= seg.start && i <= seg.end,
    };
  });
  const warnings: string[] = [];
  let next: CompactionStackState['next'];
  if (seg) {
    const merged = layers.slice(seg.start, seg.end + 1);
    const resultPolicySize = sizes.slice(seg.start, seg.end + 1).reduce((a, b) => a + b, 0);
    const dropsTombstones = seg.start === 0;
    // Dropped tombstones shrink the result; otherwise it is roughly the sum (records are not
    // deduplicated here, so this is an upper bound).
    const keep = dropsTombstones
      ? merged.reduce((a, l) => a + l.policySize * (1 - l.tombstoneShare), 0)
      : resultPolicySize;
    next = {
      start: seg.start, end: seg.end, tables: seg.end - seg.start + 1, resultPolicySize,
      resultSizeEstimate: Math.round(keep) + (hash.version === 1 ? 91 : 99), dropsTombstones,
    };
  }
  // Tombstones only disappear when a compaction starts at the oldest table; small layers made
  // mostly of deletions keep the stack long while hiding little.
  const heavy = layers.filter((l, i) => i > 0 && l.tombstoneShare >= TOMBSTONE_HEAVY && l.refTombstones + l.logTombstones >= 1);
  if (heavy.length > 0) {
    warnings.push(
      `${heavy.length} layer${heavy.length > 1 ? 's are' : ' is'} mostly tombstones (${heavy.map((l) => l.name).join(', ')}). ` +
      'Deletions are dropped only by a compaction that includes the oldest table, so size-based auto-compaction keeps carrying them; "Pack all" removes them.',
    );
  }
  if (tables.length > 32) warnings.push(`The stack has ${tables.length} tables; every lookup merges all of them.`);
  return { id, dir, layers, satisfied: seg === undefined, next, warnings };
}

/**
 * When an inspected table disappears (a compaction merged it away), the table that now holds
 * its records is the newest listed table whose update-index range covers the old one.
 * Git's names carry the range (`0x<min>-0x<max>-<rand>.ref`, reftable-format.md § 7.1).
 */
const TABLE_NAME = /^0x([0-9a-f]{12})-0x([0-9a-f]{12})-([0-9a-f]{8})\.ref$/;

export function rangeFromName(name: string): { min: number; max: number } | undefined {
  const m = TABLE_NAME.exec(name);
  return m ? { min: parseInt(m[1], 16), max: parseInt(m[2], 16) } : undefined;
}

/** Names as listed in tables.list (oldest first); returns the replacement's name or undefined. */
export function findReplacement(old: { min: number; max: number; name: string }, listed: readonly string[]): { name: string; min: number; max: number } | undefined {
  for (let i = listed.length - 1; i >= 0; i--) {
    const name = listed[i];
    if (name === old.name) continue;
    const r = rangeFromName(name);
    if (r && r.min <= old.min && r.max >= old.max) return { name, ...r };
  }
  return undefined;
}

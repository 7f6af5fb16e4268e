/** Every git-made fixture read through the store equals what git printed for it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RefDatabase } from '../../src/store/refdb';
import { ourForEachRef, ourReflog, ourRootListing, ourShowRef } from './read-helpers';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const CASES: [string, string][] = [
  ['basic', 'basic.git'],
  ['basic-packed', 'basic-packed.git'],
  ['sha256', 'sha256.git'],
  ['small-blocks', 'small-blocks.git'],
  ['worktree', 'worktree.git'],
  ['worktree-wt', 'worktree.git/worktrees/wt'],
];

describe.each(CASES)('fixture %s', (expectedName, gitDir) => {
  const expected = path.join(FIXTURES, `${expectedName}.expected`);
  const read = (f: string) => fs.readFileSync(path.join(expected, f), 'utf8');
  const db = RefDatabase.open(path.join(FIXTURES, gitDir));
  afterAll(() => db.close());

  it('lists refs like for-each-ref', () => {
    expect(ourForEachRef(db)).toBe(read('for-each-ref.txt'));
  });
  it('lists root refs and symref targets like for-each-ref --include-root-refs', () => {
    expect(ourRootListing(db)).toBe(read('for-each-ref-root.txt'));
  });
  it('has the peeled values show-ref -d prints', () => {
    expect(ourShowRef(db)).toBe(read('show-ref-d.txt'));
  });
  it('has the symref targets symbolic-ref --no-recurse prints', () => {
    const lines = read('symrefs.txt').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [name, target] = line.split(' ');
      expect(db.ref(name), name).toMatchObject({ type: 'symref', target });
    }
  });
  it('has every reflog entry git log -g prints', () => {
    const list = read('reflog-list.txt').split('\n').filter(Boolean);
    expect(list.length).toBeGreaterThan(0);
    for (const name of list) {
      expect(db.reflogExists(name), name).toBe(true);
      expect(ourReflog(db, name), name).toBe(read(`reflog-${name.replace(/\//g, '_')}.txt`));
    }
  });
});

/**
 * What the store's write tests share: object ids, a fixed committer (auto-compaction off, so
 * each test sees the tables it wrote), and repositories made by our init in a scratch
 * directory that is removed after the file's tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { initRepository } from '../../../src/store/init';
import { discoverRepository } from '../../../src/store/repository';

export const A = 'a'.repeat(40);
export const B = 'b'.repeat(40);
export const C = 'c'.repeat(40);
export const env = { GIT_COMMITTER_NAME: 'C', GIT_COMMITTER_EMAIL: 'c@x', GIT_COMMITTER_DATE: '1700000000 -0800', GIT_TEST_REFTABLE_AUTOCOMPACTION: 'false' };

export function scratchRepos(prefix: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  return {
    tmp,
    repo(name: string) {
      initRepository(path.join(tmp, name));
      return discoverRepository(path.join(tmp, name));
    },
  };
}

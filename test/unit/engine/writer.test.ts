import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../src/engine/bytes';
import { SHA1 } from '../../../src/engine/format';
import { TableWriter } from '../../../src/engine/writer';

const INIT_TABLE = fromHex(
  '5245465401001000000000000000000100000000000000017200003800234845' +
  '4144000f726566732f68656164732f6d61696e00001c00015245465401001000' +
  '0000000000000001000000000000000100000000000000000000000000000000' +
  '000000000000000000000000000000000000000000000000b6bff78a',
);

describe('TableWriter', () => {
  it('reproduces the git init table', () => {
    const w = new TableWriter({ hash: SHA1, minUpdateIndex: 1, maxUpdateIndex: 1 });
    w.addRef({ kind: 'ref', name: utf8('HEAD'), updateIndex: 1, valueType: 3, target: utf8('refs/heads/main') });
    expect(toHex(w.finish()!)).toBe(toHex(INIT_TABLE));
  });
});

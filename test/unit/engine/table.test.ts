import { describe, expect, it } from 'vitest';
import { fromHex, text } from '../../../src/engine/bytes';
import { Table } from '../../../src/engine/table';

// The table `git init --ref-format=reftable -b main` writes (reftable-format.md § 2.4).
const INIT_TABLE = fromHex(
  '5245465401001000000000000000000100000000000000017200003800234845' +
  '4144000f726566732f68656164732f6d61696e00001c00015245465401001000' +
  '0000000000000001000000000000000100000000000000000000000000000000' +
  '000000000000000000000000000000000000000000000000b6bff78a',
);

describe('Table.open', () => {
  it('reads the git init table', () => {
    expect(INIT_TABLE.length).toBe(124);
    const t = Table.open(INIT_TABLE, { name: 'init.ref' });
    expect(t.header.version).toBe(1);
    expect(t.header.blockSize).toBe(4096);
    expect(t.minUpdateIndex).toBe(1);
    expect(t.maxUpdateIndex).toBe(1);
    t.checkCrc();
    const refs = [...t.refs()];
    expect(refs).toHaveLength(1);
    expect(text(refs[0].name)).toBe('HEAD');
    expect(refs[0].valueType).toBe(3);
    expect(text(refs[0].target!)).toBe('refs/heads/main');
    expect(t.sections.log).toBeUndefined();
  });
  it('reports a bad CRC with file and offset', () => {
    const bad = INIT_TABLE.slice();
    bad[123] ^= 1;
    const t = Table.open(bad, { name: 'bad.ref' });
    expect(() => t.checkCrc()).toThrow(/bad\.ref at offset 120 .*CRC/);
  });
  it('rejects wrong magic with a typed error', () => {
    const bad = INIT_TABLE.slice();
    bad[0] = 0;
    expect(() => Table.open(bad, { name: 'x.ref' })).toThrow(/x\.ref at offset 0 .*magic/);
  });
});

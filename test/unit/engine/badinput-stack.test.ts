/** Bad input at the stack level: garbage tables.list and garbage table files end in typed errors. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ReftableError } from '../../../src/engine/errors';
import { SHA1 } from '../../../src/engine/format';
import { Stack } from '../../../src/store/stack';
import { INIT_TABLE, prng } from './verify-samples';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-bad-stack-'));
  temps.push(d);
  return d;
}
function openError(d: string): ReftableError {
  try {
    const s = Stack.open(d, SHA1, { retryDeadlineMs: 0, hooks: { sleep: () => undefined } });
    for (const _ of s.merged.refs());
    s.close();
  } catch (e) {
    if (!(e instanceof ReftableError)) throw new Error(`untyped exception: ${e instanceof Error ? e.stack : e}`);
    return e;
  }
  throw new Error('stack opened cleanly');
}

describe('bad input: stacks', () => {
  it('rejects path tricks and binary garbage in tables.list with the line offset', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'tables.list'), '0x000000000001-0x000000000001-00000000.ref\n../../../etc/passwd\n');
    const e = openError(d);
    expect(e).toMatchObject({ code: ErrorCode.Format, file: 'tables.list', offset: 43 });
    fs.writeFileSync(path.join(d, 'tables.list'), Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
    expect(openError(d)).toMatchObject({ code: ErrorCode.Format, file: 'tables.list', offset: 0 });
  });
  it('reports a listed table that does not exist', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'tables.list'), '0x000000000001-0x000000000001-00000000.ref\n');
    const e = openError(d);
    expect([ErrorCode.NotExist, ErrorCode.Io]).toContain(e.code);
    expect(e.file).toMatch(/0x000000000001-0x000000000001-00000000\.ref$/);
  });
  it('rejects random garbage and truncated tables named in tables.list', () => {
    const r = prng(42);
    for (let i = 0; i < 40; i++) {
      const d = dir();
      const name = '0x000000000001-0x000000000001-00000000.ref';
      const bytes = i % 2 ? INIT_TABLE.subarray(0, Math.floor(r() * INIT_TABLE.length)) : Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
      fs.writeFileSync(path.join(d, name), bytes);
      fs.writeFileSync(path.join(d, 'tables.list'), `${name}\n`);
      const e = openError(d);
      expect(e.file).toMatch(/00000000\.ref$/);
      expect(typeof e.offset).toBe('number');
    }
  });
});

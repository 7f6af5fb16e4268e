/**
 * Source tables shared by the verify, bad-input and fuzz tests: git-made fixtures, tables the
 * engine's writer makes in every layout (multi-level indexes, obj section, logs, log index),
 * and small helpers to edit a table while keeping its footer CRC valid.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, fromHex, utf8, writeU32 } from '../../../src/engine/bytes';
import { HashFormat, SHA1, SHA256, footerLength } from '../../../src/engine/format';
import { LogRecord, RefRecord } from '../../../src/engine/record';
import { writeTable } from '../../../src/engine/writer';

export interface Sample {
  name: string;
  bytes: Uint8Array;
  hash: HashFormat;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

/** Every table under test/fixtures/*.git (main and worktree stacks). Throws when none exist. */
export function gitTables(): Sample[] {
  const out: Sample[] = [];
  const visit = (dir: string, hash: HashFormat) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p, hash);
      else if (e.name.endsWith('.ref') && dir.endsWith('reftable')) {
        out.push({ name: p.slice(FIXTURES.length + 1), bytes: new Uint8Array(readFileSync(p)), hash });
      }
    }
  };
  if (!existsSync(FIXTURES)) throw new Error(`no fixtures at ${FIXTURES}`);
  for (const d of readdirSync(FIXTURES)) {
    if (!d.endsWith('.git')) continue;
    const cfg = readFileSync(join(FIXTURES, d, 'config'), 'utf8');
    visit(join(FIXTURES, d), /objectformat\s*=\s*sha256/i.test(cfg) ? SHA256 : SHA1);
  }
  if (out.length === 0) throw new Error('no git-made tables found under test/fixtures');
  return out;
}

/** The table `git init --ref-format=reftable -b main` writes (reftable-format.md § 2.4). */
export const INIT_TABLE = fromHex(
  '5245465401001000000000000000000100000000000000017200003800234845' +
  '4144000f726566732f68656164732f6d61696e00001c00015245465401001000' +
  '0000000000000001000000000000000100000000000000000000000000000000' +
  '000000000000000000000000000000000000000000000000b6bff78a',
);

/** A deterministic object id. */
export function oid(n: number, size = 20): Uint8Array {
  const b = new Uint8Array(size);
  let x = (n + 1) * 2654435761;
  for (let i = 0; i < size; i++) {
    x = Math.imul(x ^ (x >>> 15), 2246822519) >>> 0;
    b[i] = x & 0xff;
  }
  return b;
}

function refs(n: number, hash: HashFormat, ui: number): RefRecord[] {
  const out: RefRecord[] = [{ kind: 'ref', name: utf8('HEAD'), updateIndex: ui, valueType: 3, target: utf8('refs/heads/branch-0000') }];
  for (let i = 0; i < n; i++) {
    const name = utf8(`refs/heads/branch-${String(i).padStart(4, '0')}`);
    if (i % 29 === 7) out.push({ kind: 'ref', name, updateIndex: ui, valueType: 0 });
    else if (i % 17 === 3) out.push({ kind: 'ref', name, updateIndex: ui, valueType: 2, value: oid(i, hash.size), peeled: oid(i % 5, hash.size) });
    else out.push({ kind: 'ref', name, updateIndex: ui, valueType: 1, value: oid(i % 40, hash.size) });
  }
  return out;
}

function logs(n: number, hash: HashFormat, ui: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const name = utf8(`refs/heads/branch-${String(i).padStart(4, '0')}`);
    for (let u = ui; u > ui - 2; u--) {
      out.push({
        kind: 'log', name, updateIndex: u, valueType: u === ui - 1 && i % 7 === 0 ? 0 : 1,
        old: oid(i + u, hash.size), new: oid(i + u + 1, hash.size), committerName: utf8('C O Mitter'),
        email: utf8('committer@example.com'), time: 1700000000 + i, tz: -800, message: utf8(`commit ${i}\n`),
      });
    }
  }
  return out;
}

/** Writer-made tables covering every section shape. */
export function writerTables(): Sample[] {
  const mk = (name: string, hash: HashFormat, blockSize: number, nRefs: number, nLogs: number, restartInterval = 16): Sample => {
    const bytes = writeTable({ hash, blockSize, restartInterval, minUpdateIndex: 3, maxUpdateIndex: 4 }, nRefs >= 0 ? refs(nRefs, hash, 4) : [], logs(nLogs, hash, 4));
    if (!bytes) throw new Error(`writer produced no table for ${name}`);
    return { name, bytes, hash };
  };
  return [
    mk('w-small.ref', SHA1, 4096, 5, 3),
    mk('w-indexed-512.ref', SHA1, 512, 300, 120, 3),
    mk('w-indexed-256-sha256.ref', SHA256, 256, 90, 40, 4),
    mk('w-refs-only-1k.ref', SHA1, 1024, 200, 0),
    mk('w-log-only.ref', SHA1, 512, -1, 150),
  ];
}

/** Recompute the footer CRC after an edit. */
export function refooter(b: Uint8Array): Uint8Array {
  const fl = footerLength(b[4]);
  const fo = b.length - fl;
  writeU32(b, b.length - 4, crc32(b, fo, b.length - 4));
  return b;
}

export { prng } from '../../prng';

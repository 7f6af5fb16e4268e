/**
 * Fuzzing the reader and the verifier with mutants of real tables. Every outcome must be a
 * clean read or a ReftableError — never a TypeError/RangeError, never a hang, never an
 * allocation sized by a corrupt length — and verifyTable must never throw or hit an
 * internal error. Deterministic: the PRNG is seeded, so a failure names a reproducible case.
 */
import { describe, expect, it } from 'vitest';
import { ReftableError } from '../../../src/engine/errors';
import { MergedTables } from '../../../src/engine/merged';
import { compactTables } from '../../../src/engine/compact';
import { Table } from '../../../src/engine/table';
import { verifyTable } from '../../../src/engine/verify';
import { INIT_TABLE, Sample, gitTables, prng, refooter, writerTables } from './verify-samples';
import { SHA1 } from '../../../src/engine/format';
import { footerLength } from '../../../src/engine/format';

const SEED = Number(process.env.REFTABLE_FUZZ_SEED ?? 0x5eed_2024);
const MUTANTS = Number(process.env.REFTABLE_FUZZ_MUTANTS ?? 3600);
const TIME_BOUND_MS = 2000;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

interface Mutation {
  name: string;
  apply(b: Uint8Array, r: Rand): Uint8Array;
}

function blockSizeOf(b: Uint8Array): number {
  return b.length >= 8 ? ((b[5] << 16) | (b[6] << 8) | b[7]) || 4096 : 4096;
}

const MUTATIONS: Mutation[] = [
  { name: 'bit-flip', apply(b, r) { const n = 1 + int(r, 4); for (let i = 0; i < n; i++) b[int(r, b.length)] ^= 1 << int(r, 8); return b; } },
  { name: 'byte-set', apply(b, r) { const n = 1 + int(r, 3); const v = [0, 0xff, 0x80, 0x7f, int(r, 256)]; for (let i = 0; i < n; i++) b[int(r, b.length)] = v[int(r, v.length)]; return b; } },
  { name: 'truncate', apply(b, r) { return b.slice(0, int(r, b.length)); } },
  { name: 'truncate-data', apply(b, r) {
    // Cut bytes out of the data area but keep the footer, so the reader gets past open().
    const fl = footerLength(b[4] === 2 ? 2 : 1);
    const dataEnd = b.length - fl;
    if (dataEnd < 30) return b;
    const cut = 28 + int(r, dataEnd - 28);
    const out = new Uint8Array(cut + fl);
    out.set(b.subarray(0, cut));
    out.set(b.subarray(dataEnd), cut);
    return out;
  } },
  { name: 'extend', apply(b, r) {
    const n = 1 + int(r, 600);
    const out = new Uint8Array(b.length + n);
    const at = r() < 0.5 ? b.length : int(r, b.length);
    out.set(b.subarray(0, at));
    for (let i = 0; i < n; i++) out[at + i] = r() < 0.5 ? 0 : int(r, 256);
    out.set(b.subarray(at), at + n);
    return out;
  } },
  { name: 'block-swap', apply(b, r) {
    const bs = blockSizeOf(b);
    const blocks = Math.floor(b.length / bs);
    if (blocks < 2) { b[int(r, b.length)] ^= 0x10; return b; }
    const i = int(r, blocks), j = int(r, blocks);
    const a = b.slice(i * bs, (i + 1) * bs);
    b.copyWithin(i * bs, j * bs, (j + 1) * bs);
    b.set(a, j * bs);
    return b;
  } },
  { name: 'varint', apply(b, r) {
    // A run of continuation bytes: overlong / overflowing / runaway varints.
    const at = int(r, b.length);
    const n = 1 + int(r, 12);
    for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = 0x80 | int(r, 128);
    return b;
  } },
  { name: 'u24-field', apply(b, r) {
    // Block lengths, restart offsets and counts are u24/u16: make one huge or tiny.
    const at = int(r, b.length - 3);
    const v = [0xffffff, 0xfffffe, 0x010000, 0, 1, int(r, 0x1000000)][int(r, 6)];
    b[at] = v >>> 16; b[at + 1] = (v >>> 8) & 255; b[at + 2] = v & 255;
    return b;
  } },
];

function names(t: Table | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  try { if (t) for (const r of t.refs()) { out.push(r.name); if (out.length > 40) break; } } catch { /* the original is valid */ }
  return out;
}

interface Source { sample: Sample; names: Uint8Array[]; oids: Uint8Array[] }

function sources(): Source[] {
  const all: Sample[] = [...gitTables(), ...writerTables(), { name: 'init.ref', bytes: INIT_TABLE, hash: SHA1 }];
  return all.map((s) => {
    const t = Table.open(s.bytes, { name: s.name });
    const oids: Uint8Array[] = [];
    for (const r of t.refs()) { if (r.value) oids.push(r.value); if (oids.length > 20) break; }
    return { sample: s, names: names(t), oids };
  });
}

/** Everything a user of the engine might do with a table. */
function exercise(bytes: Uint8Array, src: Source, r: Rand): void {
  const t = Table.open(bytes, { name: 'mutant.ref', hash: r() < 0.5 ? src.sample.hash : undefined });
  if (r() < 0.3) {
    try { t.checkCrc(); } catch (e) { if (!(e instanceof ReftableError)) throw e; }
  }
  let n = 0;
  for (const _ of t.refs()) n++;
  for (const _ of t.logs()) n++;
  const rand = new Uint8Array(1 + int(r, 30));
  for (let i = 0; i < rand.length; i++) rand[i] = 0x2f + int(r, 80);
  const wants = [...src.names.filter(() => r() < 0.2), rand];
  for (const w of wants) {
    t.ref(w);
    for (const _ of t.logsFor(w)) n++;
    let k = 0;
    for (const _ of t.seekRefs(w)) if (++k > 50) break;
  }
  const ids = [...src.oids.filter(() => r() < 0.2), new Uint8Array(src.sample.hash.size).map(() => int(r, 256))];
  for (const id of ids) for (const _ of t.refsFor(id)) n++;
  const m = new MergedTables([t]);
  for (const _ of m.refs()) n++;
  if (ids[0]) for (const _ of m.refsFor(ids[0])) n++;
  // Compaction reads every record through its own in-place cursors and copies stored bytes.
  if (r() < 0.3) compactTables([t], { hash: t.hash, dropDeletions: r() < 0.5 });
  // Table statistics count records without decoding them.
  for (let off = 0; off < t.dataEnd; ) {
    const b = t.block(off);
    if (!b) break;
    n += b.count().records;
    off += b.fullSize;
  }
}

describe('fuzz: mutants of real tables', () => {
  it(`reads or rejects ${MUTANTS} mutants cleanly and in bounded time`, () => {
    const srcs = sources();
    expect(srcs.length).toBeGreaterThanOrEqual(15);
    const r = prng(SEED);
    const outcomes = new Map<string, number>();
    const byMutation = new Map<string, number>();
    const failures: string[] = [];
    let slowest = 0;
    let verifyFindings = 0;
    const t0 = performance.now();
    for (let i = 0; i < MUTANTS; i++) {
      const src = srcs[i % srcs.length];
      const mut = MUTATIONS[int(r, MUTATIONS.length)];
      let bytes = mut.apply(src.sample.bytes.slice(), r);
      // Half the mutants get a valid CRC so the damage is judged on its own.
      const fixed = r() < 0.5 && bytes.length > 100 && (bytes[4] === 1 || bytes[4] === 2);
      if (fixed) bytes = refooter(bytes);
      const label = `#${i} ${mut.name}${fixed ? '+crc' : ''} of ${src.sample.name}`;
      byMutation.set(mut.name, (byMutation.get(mut.name) ?? 0) + 1);
      const start = performance.now();
      let outcome = 'clean';
      try {
        exercise(bytes, src, r);
      } catch (e) {
        if (e instanceof ReftableError) {
          outcome = e.code;
          if (e.file !== 'mutant.ref' || typeof e.offset !== 'number' || !e.reason) failures.push(`${label}: incomplete error ${JSON.stringify(e.toJSON())}`);
        } else failures.push(`${label}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      try {
        const f = verifyTable(bytes, { name: 'mutant.ref', hash: src.sample.hash });
        verifyFindings += f.length;
        const internal = f.find((x) => x.code === 'internal');
        if (internal) failures.push(`${label}: verify internal error ${internal.message}`);
        // A mutant the reader rejected must not look clean to verify.
        if (outcome !== 'clean' && !f.some((x) => x.severity === 'error')) failures.push(`${label}: reader said ${outcome}, verify found no error`);
      } catch (e) {
        failures.push(`${label}: verifyTable threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      const ms = performance.now() - start;
      slowest = Math.max(slowest, ms);
      if (ms > TIME_BOUND_MS) failures.push(`${label}: took ${ms.toFixed(0)} ms`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const total = performance.now() - t0;
    const stats = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`fuzz: ${MUTANTS} mutants of ${srcs.length} tables in ${(total / 1000).toFixed(1)} s; slowest ${slowest.toFixed(0)} ms; outcomes ${stats}; mutations ${[...byMutation].map(([k, v]) => `${k}=${v}`).join(' ')}; verify findings ${verifyFindings}`);
    if (failures.length) console.log(`fuzz failures (${failures.length}):\n${failures.slice(0, 20).join('\n')}`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(MUTANTS).toBeGreaterThanOrEqual(3000);
    // The mutations must actually reach the reader's error paths, not only the header checks.
    expect(outcomes.get('clean') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('FORMAT') ?? 0).toBeGreaterThan(100);
    expect(outcomes.get('ZLIB') ?? 0).toBeGreaterThan(0);
  }, Math.max(120_000, MUTANTS * 20));
});

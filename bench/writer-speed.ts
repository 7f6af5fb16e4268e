/**
 * Table writer throughput: refs only, one reflog entry per ref, and compaction, at a few block
 * sizes. Bundled and run on its own so nothing else shares the process:
 *
 *   npx esbuild bench/writer-speed.ts --bundle --platform=node --format=esm \
 *     --outfile=bench/tmp/writer-speed.mjs && node --expose-gc bench/tmp/writer-speed.mjs \
 *     [--quick] [--only=name,...] [--repeat=3]
 *
 * Add `--cpu-prof --cpu-prof-dir=bench/tmp/prof` to node for a profile.
 */
import { compareBytes, crc32, utf8 } from '../src/engine/bytes.js';
import { compactTables } from '../src/engine/compact.js';
import { SHA1 } from '../src/engine/format.js';
import { LogRecord, RefRecord } from '../src/engine/record.js';
import { Table } from '../src/engine/table.js';
import { writeTable } from '../src/engine/writer.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
/** Runs per case; the fastest (by CPU time) is reported, the least disturbed on a busy machine. */
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice('--repeat='.length) ?? 3);

/** Deterministic pseudo-random object ids: every ref gets its own, as in a real repository. */
function makeId(n: number): Uint8Array {
  const b = new Uint8Array(20);
  let x = (n + 1) * 2654435761;
  for (let i = 0; i < 20; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    b[i] = x & 0xff;
  }
  return b;
}

function makeRefs(n: number): RefRecord[] {
  const refs: RefRecord[] = [];
  for (let i = 0; i < n; i++) {
    const name = utf8(`refs/heads/topic/${(i % 97).toString(36)}/branch-${String(i).padStart(7, '0')}`);
    refs.push({ kind: 'ref', name, updateIndex: 1, valueType: 1, value: makeId(i) });
  }
  return refs.sort((a, b) => compareBytes(a.name, b.name));
}

function makeLogs(refs: RefRecord[]): LogRecord[] {
  const zero = new Uint8Array(20);
  const committerName = utf8('A U Thor');
  const email = utf8('author@example.com');
  return refs.map((r, i) => ({
    kind: 'log', name: r.name, updateIndex: 1, valueType: 1, old: zero, new: r.value!, committerName, email,
    time: 1700000000 + i, tz: 100, message: utf8(`branch: Created from commit ${i.toString(16)}\n`),
  }));
}

interface Case {
  name: string;
  run(): Result;
}

const cases: Case[] = [];
const sizes = quick ? [20_000] : [200_000];
for (const n of sizes) {
  for (const blockSize of [4096, 512]) {
    cases.push(refsCase(n, blockSize), logsCase(n, blockSize));
  }
}
cases.push(refsCase(quick ? 100_000 : 1_000_000, 4096));
cases.push(compactCase(quick ? 20_000 : 200_000, 512));

function refsCase(n: number, blockSize: number): Case {
  return {
    name: `refs-only ${n} @${blockSize}`,
    run() {
      const refs = makeRefs(n);
      return measure(n, () => writeTable({ hash: SHA1, blockSize, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, [])!);
    },
  };
}

function logsCase(n: number, blockSize: number): Case {
  return {
    name: `refs+logs ${n} @${blockSize}`,
    run() {
      const refs = makeRefs(n);
      const logs = makeLogs(refs);
      return measure(n, () => writeTable({ hash: SHA1, blockSize, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, logs)!);
    },
  };
}

function compactCase(n: number, blockSize: number): Case {
  return {
    name: `compact ${n} refs+logs @${blockSize}`,
    run() {
      const refs = makeRefs(n);
      const bytes = writeTable({ hash: SHA1, blockSize, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, makeLogs(refs))!;
      const newer = writeTable({ hash: SHA1, blockSize, minUpdateIndex: 2, maxUpdateIndex: 2 }, [{ ...refs[0], updateIndex: 2 }], [])!;
      const tables = [Table.open(bytes, { hash: SHA1 }), Table.open(newer, { hash: SHA1 })];
      return measure(n, () => compactTables(tables, { hash: SHA1, blockSize, dropDeletions: true })!);
    },
  };
}

let sink = 0;
/** Wall time, and CPU time of this process (the number to trust on a shared, loaded machine). */
interface Result {
  records: number;
  bytes: number;
  crc: number;
  ms: number;
  cpuMs: number;
}

function measure(records: number, f: () => Uint8Array): Result {
  // With --expose-gc, the garbage of generating the input is not billed to the writer.
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  sink += out.length;
  // A checksum of the output, to see that another build of the writer made the same bytes.
  return { records, bytes: out.length, crc: crc32(out), ms, cpuMs: (c.user + c.system) / 1000 };
}

// Warm the JIT on every path first, so the first case is not billed for compiling them.
{
  const refs = makeRefs(5000);
  for (const blockSize of [4096, 512]) {
    const t = writeTable({ hash: SHA1, blockSize, minUpdateIndex: 1, maxUpdateIndex: 1 }, refs, makeLogs(refs))!;
    compactTables([Table.open(t, { hash: SHA1 })], { hash: SHA1, blockSize, dropDeletions: true });
  }
}

for (const c of cases) {
  if (only && !only.some((o) => c.name.includes(o))) continue;
  let r = c.run();
  for (let i = 1; i < repeat; i++) {
    const again = c.run();
    if (again.cpuMs < r.cpuMs) r = again;
  }
  const rate = (ms: number) => String(Math.round(r.records / (ms / 1000))).padStart(9);
  console.log(
    `${c.name.padEnd(30)} wall ${(r.ms / 1000).toFixed(2).padStart(7)} s ${rate(r.ms)} refs/s | ` +
    `cpu ${(r.cpuMs / 1000).toFixed(2).padStart(7)} s ${rate(r.cpuMs)} refs/s | ${String(r.bytes).padStart(11)} bytes crc ${r.crc.toString(16).padStart(8, '0')}`,
  );
}
if (sink < 0) console.log(sink);

#!/usr/bin/env node
// `npm test`: every suite, in order, with one closing line that counts tests.
// Suites: type check, vitest (engine unit + fuzz, store, interop against a reftable-capable
// git, extension host units), then the end-to-end suite in a real VS Code (code-server).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = (name) => args.length === 0 || args.includes(name);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(label, cmd, cmdArgs, opts = {}) {
  console.log(`\n=== ${label}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  return r.status ?? 1;
}

mkdirSync(join(root, 'test-results'), { recursive: true });

if (only('typecheck')) {
  const rc = run('typecheck', 'npm', ['run', '-s', 'typecheck']);
  if (rc === 0) passed++;
  else { failed++; failures.push('typecheck'); }
}

if (only('build')) {
  const rc = run('build', 'npm', ['run', '-s', 'build']);
  if (rc === 0) passed++;
  else { failed++; failures.push('build'); }
}

if (only('unit')) {
  const out = join(root, 'test-results', 'vitest.json');
  const rc = run('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests ?? 0;
    failed += j.numFailedTests ?? 0;
    skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    if ((j.numFailedTests ?? 0) > 0 || (j.numFailedTestSuites ?? 0) > 0) failures.push('vitest');
    if ((j.numFailedTestSuites ?? 0) > 0 && (j.numFailedTests ?? 0) === 0) failed++;
  } else if (rc !== 0) {
    failed++;
    failures.push('vitest (no report)');
  }
  if (rc !== 0 && !failures.includes('vitest')) failures.push('vitest');
}

for (const [name, script] of [['e2e', 'test/e2e/run.mjs'], ['electron', 'test/electron/run.mjs']]) {
  if (!only(name) || !existsSync(join(root, script))) continue;
  const out = join(root, 'test-results', `${name}.json`);
  const rc = run(name, process.execPath, [script, `--report=${out}`]);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.passed ?? 0;
    failed += j.failed ?? 0;
    skipped += j.skipped ?? 0;
    if ((j.failed ?? 0) > 0 || rc !== 0) failures.push(name);
  } else if (rc !== 0) {
    failed++;
    failures.push(`${name} (no report)`);
  }
}

console.log('');
if (failures.length) console.log(`FAILED suites: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length || failed ? 1 : 0);

/**
 * Mocha entry point loaded by the extension host (`extensionTestsPath`): runs every bundled
 * `*.test.js` next to this file and writes a JSON report to $REFTABLE_TEST_REPORT, because
 * a remote (code-server) extension host has no channel back to the launcher but files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms?: number;
  error?: string;
}

export async function run(): Promise<void> {
  const report = process.env.REFTABLE_TEST_REPORT;
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const tests: TestResult[] = [];
  const write = (done: boolean) => {
    if (!report) return;
    const passed = tests.filter((t) => t.state === 'passed').length;
    const failed = tests.filter((t) => t.state === 'failed').length;
    const skipped = tests.filter((t) => t.state === 'pending').length;
    fs.writeFileSync(`${report}.tmp`, JSON.stringify({ done, passed, failed, skipped, tests }, null, 2));
    fs.renameSync(`${report}.tmp`, report);
  };
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        write(true);
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
      runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }));
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    } catch (e) {
      tests.push({ title: 'mocha', state: 'failed', error: String(e) });
      write(true);
      reject(e);
    }
  });
}

/**
 * dist/cli.js runs the CLI bundle from V8's code cache: used only when the cache carries the
 * bundle's id and V8 accepts it; any other cache is ignored and the CLI works the same.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let cache: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...args], {
    encoding: 'utf8', env: { ...process.env, REFTABLE_CODE_CACHE_REPORT: '1', ...env }, timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, report: /code cache: (\w+)/.exec(r.stderr)?.[1] };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-launcher-'));
  cache = path.join(dir, 'cli-main.js.cache');
  // As esbuild.mjs builds them: the bundle with its id on the first line, and the launcher.
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'es2022', logLevel: 'silent' } as const;
  await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/cli.ts')], outfile: path.join(dir, 'cli-main.js'), banner: { js: '/*build test-1234*/' } });
  await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/cli-launcher.ts')], outfile: path.join(dir, 'cli.js') });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CLI launcher and its code cache', () => {
  it('runs without a cache, writes one on request, then starts from it', () => {
    const plain = cli(['help']);
    expect(plain.status).toBe(0);
    expect(plain.report).toBe('none');
    expect(plain.stdout).toMatch(/^usage: reftable/);

    expect(cli(['help'], { REFTABLE_WRITE_CODE_CACHE: '1' }).status).toBe(0);
    const bytes = fs.readFileSync(cache);
    expect(bytes.subarray(0, 20).toString()).toBe('/*build test-1234*/\n');
    expect(bytes.length).toBeGreaterThan(10_000);

    const cached = cli(['help']);
    expect(cached.report).toBe('used');
    expect(cached.stdout).toBe(plain.stdout);
  });

  it('ignores a cache made for another bundle', () => {
    const bytes = fs.readFileSync(cache);
    fs.writeFileSync(cache, Buffer.concat([Buffer.from('/*build test-9999*/\n'), bytes.subarray(20)]));
    const r = cli(['help']);
    expect(r.report).toBe('none');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: reftable/);
  });

  it('survives a damaged cache with the right id (V8 rejects it)', () => {
    expect(cli(['help'], { REFTABLE_WRITE_CODE_CACHE: '1' }).status).toBe(0);
    const bytes = fs.readFileSync(cache);
    fs.writeFileSync(cache, bytes.subarray(0, bytes.length >> 1));
    const r = cli(['help']);
    expect(r.report).toBe('rejected');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: reftable/);
  });

  it('passes arguments and exit codes through', () => {
    const r = cli(['show', 'refs/heads/none'], {});
    expect(r.status).not.toBe(0);
    const u = cli(['no-such-command']);
    expect(u.status).toBe(2);
  });
});

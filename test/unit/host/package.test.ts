import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';

/** Names in a zip's central directory (a .vsix is a zip). */
function zipNames(buf: Buffer): string[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) throw new Error('bad central directory');
    const n = buf.readUInt16LE(off + 28);
    const m = buf.readUInt16LE(off + 30);
    const k = buf.readUInt16LE(off + 32);
    names.push(buf.toString('utf8', off + 46, off + 46 + n));
    off += 46 + n + m + k;
  }
  return names;
}

it('npm run package makes a small .vsix holding only dist, media and the top-level docs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-vsix-'));
  try {
    const out = path.join(dir, 'ext.vsix');
    execFileSync(process.execPath, ['scripts/package.mjs', '--out', out], { stdio: 'pipe', timeout: 240_000 });
    const buf = fs.readFileSync(out);
    expect(buf.length).toBeLessThan(1024 * 1024);
    const files = zipNames(buf).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    expect(files).toContain('dist/extension.js');
    expect(files).toContain('media/reftable.svg');
    expect(files).toContain('package.json');
    expect(files.some((f) => /^readme\.md$/i.test(f))).toBe(true);
    expect(files.some((f) => /^changelog\.md$/i.test(f))).toBe(true);
    expect(files.some((f) => /^license(\.txt)?$/i.test(f))).toBe(true);
    const stray = files.filter((f) => !/^(dist|media)\//.test(f) && !/^(readme\.md|changelog\.md|license(\.txt)?|package\.json)$/i.test(f));
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('node_modules/'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

/**
 * dist/cli.js: starts the bundled command line (dist/cli-main.js) from V8's code cache when the
 * build made one for it. Compiling the 260 KB bundle is about a seventh of a short command's
 * CPU (`reftable show`: ~132 → ~114 ms median), and every command pays it.
 *
 * V8 checks a cache against the source's length only, so a cache built for another bundle of
 * the same length would be accepted: the build stamps each bundle with a random id in its first
 * line and writes that id in front of the cache (esbuild.mjs); a cache whose id differs, or one
 * V8 rejects (another Node or V8 flags), is ignored and the bundle compiles as usual.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const MAIN = path.join(__dirname, 'cli-main.js');
/** `<MAIN>.cache`: the bundle's id (its first line), a newline, then V8's cached data. */
const CACHE = `${MAIN}.cache`;

const source = fs.readFileSync(MAIN, 'utf8');
const id = source.slice(0, Math.max(0, source.indexOf('\n')));
const cachedData = readCache();
// The same wrapper as Node's CommonJS loader, on the first line so line numbers stay right.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: MAIN, cachedData });
if (process.env.REFTABLE_CODE_CACHE_REPORT === '1') {
  process.stderr.write(`code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
}
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, MAIN, __dirname);
if (process.env.REFTABLE_WRITE_CODE_CACHE === '1') void writeCache();

/**
 * Build time (esbuild.mjs): run the everyday commands once on a scratch repository so that
 * the functions they compile are in the cache too (about 18 ms saved per command instead of
 * 11 with the top level alone), then write it.
 */
async function writeCache(): Promise<void> {
  type Main = (argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd?: string }) => Promise<number>;
  const main = (module.exports as { main?: Main }).main;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-code-cache-'));
  try {
    if (main) {
      const io = { stdout: () => undefined, stderr: () => undefined, cwd: dir };
      const oid = '0f82410fa768bbe388e054382f2b57d565d0556c';
      for (const argv of [
        ['init', '-b', 'main', 'repo'], ['-C', 'repo', 'update', 'refs/heads/main', oid], ['-C', 'repo', 'update', '-m', 'm', 'refs/heads/b', oid],
        ['-C', 'repo', 'refs'], ['-C', 'repo', 'refs', '--json'], ['-C', 'repo', 'show', 'refs/heads/main'], ['-C', 'repo', 'log', 'refs/heads/main'],
        ['-C', 'repo', 'tables'], ['-C', 'repo', 'pack'], ['-C', 'repo', 'verify'],
      ]) {
        await main(argv, io);
      }
    }
    fs.writeFileSync(CACHE, Buffer.concat([Buffer.from(`${id}\n`), script.createCachedData()]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readCache(): Buffer | undefined {
  if (!id.startsWith('/*build ')) return undefined;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  const head = Buffer.from(`${id}\n`);
  return bytes.length > head.length && bytes.subarray(0, head.length).equals(head) ? bytes.subarray(head.length) : undefined;
}

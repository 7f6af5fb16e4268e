/**
 * `git init --ref-format=reftable` as far as refs go (reftable-format.md §8.1): config with
 * repository format 1 and `extensions.refStorage = reftable` (+ `objectFormat` for SHA-256),
 * the stubs older gits look for (`HEAD` → `refs/heads/.invalid`, a `refs/heads` FILE), empty
 * object directories so git accepts the directory, and the first table `0x1-0x1` holding only
 * `HEAD → refs/heads/<branch>` without a log (the branch does not exist yet).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { SHA1, SHA256 } from '../engine/format.js';
import type { RepositoryInfo } from './api.js';
import { parseConfig } from './config.js';
import { io, ioError, writeAll } from './lock.js';
import { refnameProblem } from './refname.js';
import { applyTransaction } from './transaction.js';

export interface InitOptions {
  hash?: 'sha1' | 'sha256';
  initialBranch?: string;
  bare?: boolean;
}

function writeNewFile(file: string, content: string): void {
  let fd: number | undefined;
  try {
    fd = io.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o666);
    writeAll(fd, Buffer.from(content, 'utf8'));
  } catch (e) {
    throw ioError(e, file, 'cannot create');
  } finally {
    if (fd !== undefined) io.closeSync(fd);
  }
}

function mkdir(dir: string): void {
  try {
    io.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(e, dir, 'cannot create directory');
  }
}

/** Create a reftable repository in `dir` (its `.git` unless bare). Returns its description. */
export function initRepository(dir: string, opts: InitOptions = {}): RepositoryInfo {
  const hash = opts.hash === 'sha256' ? SHA256 : SHA1;
  const branch = opts.initialBranch ?? 'main';
  const bare = !!opts.bare;
  const full = `refs/heads/${branch}`;
  if (refnameProblem(full)) throw new ReftableError(ErrorCode.RefName, `invalid initial branch name: '${branch}'`);
  const gitDir = bare ? path.resolve(dir) : path.resolve(dir, '.git');
  if (fs.existsSync(path.join(gitDir, 'HEAD')) || fs.existsSync(path.join(gitDir, 'config'))) {
    throw new ReftableError(ErrorCode.Repository, `${gitDir} already contains a repository`, { file: gitDir });
  }
  mkdir(gitDir);
  for (const d of ['objects/info', 'objects/pack', 'refs', 'reftable']) mkdir(path.join(gitDir, d));
  const config =
    '[core]\n\trepositoryformatversion = 1\n\tfilemode = true\n' +
    `\tbare = ${bare}\n` +
    (bare ? '' : '\tlogallrefupdates = true\n') +
    '[extensions]\n' +
    (hash === SHA256 ? '\tobjectformat = sha256\n' : '') +
    '\trefstorage = reftable\n';
  writeNewFile(path.join(gitDir, 'config'), config);
  writeNewFile(path.join(gitDir, 'HEAD'), 'ref: refs/heads/.invalid\n');
  writeNewFile(path.join(gitDir, 'refs', 'heads'), 'this repository uses the reftable format\n');
  writeNewFile(path.join(gitDir, 'description'), "Unnamed repository; edit this file 'description' to name the repository.\n");

  const info: RepositoryInfo = {
    gitDir, commonDir: gitDir, workTree: bare ? undefined : path.resolve(dir), bare, hash, refStorage: 'reftable',
    config: parseConfig(config, path.join(gitDir, 'config')),
  };
  // git creates HEAD with a no-deref symref update; its target does not resolve, so no log.
  applyTransaction(info, [{ op: 'symref-update', name: 'HEAD', target: full, noDeref: true }], { autoCompact: false });
  return info;
}

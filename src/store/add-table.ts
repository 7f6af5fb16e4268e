/**
 * Adding one table to a stack (reftable-format.md §7.3, git's reftable_addition): lock
 * tables.list, read the stack fresh under the lock, let the caller build the table from that
 * view, write it to `<stem>.temp.XXXXXX`, fsync, rename to its final name, then commit the new
 * list. Any failure leaves no lock, no temp file and the stack as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { configBool, configGet, parseBool } from './config.js';
import { LockFile, io, ioError, unlinkQuietly, writeAll } from './lock.js';
import { LoadedStack, StackLocation, commitTablesList, loadStack, lockTablesList, tableStem } from './tables-list.js';
import { randomBytes } from './random.js';

export interface BuiltTable {
  bytes: Uint8Array;
  minUpdateIndex: number;
  maxUpdateIndex: number;
}

/** The builder committed the list itself (through the lock it was given): nothing left to write. */
export interface CommittedTable {
  committed: true;
  /** The table now in the list, if any. */
  name?: string;
}

export interface AddTableOptions {
  /** `reftable.lockTimeout` in ms (default 100; 0 = no retry; -1 = forever). */
  lockTimeoutMs?: number;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Create `<prefix>.temp.XXXXXX` exclusively (mkstemp), mode 0666 & ~umask. */
export function createTempFile(prefix: string): { file: string; fd: number } {
  for (let i = 0; i < 100; i++) {
    const rnd = randomBytes(6);
    const suffix = Array.from(rnd, (b) => ALNUM[b % ALNUM.length]).join('');
    const file = `${prefix}.temp.${suffix}`;
    try {
      const fd = io.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o666);
      return { file, fd };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, file, 'cannot create temporary table');
    }
  }
  throw new ReftableError(ErrorCode.Io, 'cannot find a free temporary file name', { file: prefix });
}

/**
 * A new table file being written: `<stem>.temp.XXXXXX` in the stack directory, filled by
 * write() (compaction streams its table in as it is made), then synced and closed by close()
 * and moved to its final name by commit(). discard() removes it on every failure path.
 */
export class TempTableFile {
  private fd: number | undefined;

  private constructor(readonly dir: string, readonly file: string, fd: number) {
    this.fd = fd;
  }

  static create(dir: string, tempMin: number, tempMax: number): TempTableFile {
    const { file, fd } = createTempFile(path.join(dir, tableStem(tempMin, tempMax)));
    return new TempTableFile(dir, file, fd);
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined) throw new ReftableError(ErrorCode.Api, 'temporary table is closed', { file: this.file });
    try {
      writeAll(this.fd, chunk);
    } catch (e) {
      throw ioError(e, this.file, 'cannot write table');
    }
  }

  /** fsync and close: the bytes are on disk before the table can be listed. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    try {
      io.fsyncSync(fd);
    } catch (e) {
      throw ioError(e, this.file, 'cannot write table');
    }
    this.fd = undefined;
    try {
      io.closeSync(fd);
    } catch (e) {
      throw ioError(e, this.file, 'cannot write table');
    }
  }

  /** close(), then rename to the name its limits give; returns that name. */
  commit(min: number, max: number): string {
    this.close();
    const name = `${tableStem(min, max)}.ref`;
    try {
      io.renameSync(this.file, path.join(this.dir, name));
    } catch (e) {
      throw ioError(e, this.file, 'cannot write table');
    }
    return name;
  }

  /** Close (if open) and remove the temp file; quiet, as it runs while something else failed. */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        io.closeSync(this.fd);
      } catch {
        /* already failing */
      }
      this.fd = undefined;
    }
    unlinkQuietly(this.file);
  }
}

/**
 * Write `bytes` as a new table file in `dir` named after its limits; returns the final name.
 * The temp file is removed on failure; the caller removes the final file if a later step fails.
 */
export function writeTableFile(dir: string, bytes: Uint8Array, tempMin: number, tempMax: number, min: number, max: number): string {
  const temp = TempTableFile.create(dir, tempMin, tempMax);
  try {
    temp.write(bytes);
    return temp.commit(min, max);
  } catch (e) {
    temp.discard();
    throw e;
  }
}

export interface AddResult {
  /** The new table's file name, undefined when the builder had nothing to write. */
  name?: string;
  /** The stack as read under the lock, before the addition. */
  before: LoadedStack;
  updateIndex: number;
}

/**
 * Lock, reload, build, write, commit. `build` sees the stack as it is under the lock and the
 * update index to use; it may throw (e.g. a failed expectation) and then nothing is written.
 */
export function addTable(
  loc: StackLocation,
  opts: AddTableOptions,
  build: (stack: LoadedStack, updateIndex: number, lock: LockFile) => BuiltTable | CommittedTable | undefined,
): AddResult {
  let lock: LockFile | undefined;
  let written: string | undefined;
  try {
    lock = lockTablesList(loc.dir, opts.lockTimeoutMs ?? 100);
    const stack = loadStack(loc);
    const ui = stack.nextUpdateIndex;
    const built = build(stack, ui, lock);
    if (!built) {
      lock.rollback();
      return { before: stack, updateIndex: ui };
    }
    if ('committed' in built) return { name: built.name, before: stack, updateIndex: ui };
    if (built.minUpdateIndex < ui) {
      throw new ReftableError(ErrorCode.Api, `new table starts at update index ${built.minUpdateIndex}, below the next index ${ui}`);
    }
    written = writeTableFile(loc.dir, built.bytes, ui, ui, built.minUpdateIndex, built.maxUpdateIndex);
    commitTablesList(lock, [...stack.names, written]);
    return { name: written, before: stack, updateIndex: ui };
  } catch (e) {
    lock?.rollback();
    // A table that was renamed into place but never listed is debris: remove it.
    if (written && !listed(loc.dir, written)) unlinkQuietly(path.join(loc.dir, written));
    throw e;
  }
}

function listed(dir: string, name: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, 'tables.list'), 'utf8').split('\n').includes(name);
  } catch {
    return false;
  }
}

/** The `reftable.*` settings a writer honours, read from the repository config. */
export interface WriteSettings {
  blockSize: number;
  restartInterval: number;
  indexObjects: boolean;
  geometricFactor: number;
  lockTimeoutMs: number;
  autoCompaction: boolean;
}

function intSetting(cfg: ReadonlyMap<string, string[]>, key: string, def: number, min: number, max: number): number {
  const v = configGet(cfg, key);
  if (v === undefined) return def;
  const m = /^(-?\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) throw new ReftableError(ErrorCode.Repository, `bad numeric config value '${v}' for '${key}'`);
  const n = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 }[m[2].toLowerCase()] ?? 1);
  if (n < min || n > max) throw new ReftableError(ErrorCode.Repository, `config value ${key}=${v} is out of range (${min}..${max})`);
  return n;
}

/** Settings as git 2.47's reftable backend reads them (refs/reftable-backend.c). */
export function writeSettings(config: ReadonlyMap<string, string[]>, env: NodeJS.ProcessEnv = process.env): WriteSettings {
  const bs = intSetting(config, 'reftable.blockSize', 0, 0, 16777215);
  const autoEnv = env.GIT_TEST_REFTABLE_AUTOCOMPACTION;
  return {
    blockSize: bs === 0 ? 4096 : bs,
    restartInterval: intSetting(config, 'reftable.restartInterval', 0, 0, 65535),
    indexObjects: configBool(config, 'reftable.indexObjects') ?? true,
    geometricFactor: intSetting(config, 'reftable.geometricFactor', 2, 0, 255),
    lockTimeoutMs: intSetting(config, 'reftable.lockTimeout', 100, -1, Number.MAX_SAFE_INTEGER),
    autoCompaction: autoEnv === undefined ? true : (parseBool(autoEnv) ?? true),
  };
}

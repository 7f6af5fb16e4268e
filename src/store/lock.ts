/**
 * Lock files as git's lockfile.c makes them (reftable-format.md §7.1, §7.3): `<file>.lock`
 * created with O_CREAT|O_EXCL, filled, fsynced and renamed over `<file>`. A lock we find is
 * never removed: a crashed writer's lock is reported with its age so a human can decide.
 *
 * Every file-system call of the write path goes through `io`, so tests can inject failures
 * (disk full, read-only directory) even when running as root, where permissions do not bite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';

type Io = {
  openSync: typeof fs.openSync;
  writeSync: (fd: number, data: Uint8Array) => number;
  fsyncSync: typeof fs.fsyncSync;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
  unlinkSync: typeof fs.unlinkSync;
  mkdirSync: typeof fs.mkdirSync;
};

const realIo: Io = {
  openSync: fs.openSync,
  writeSync: (fd, data) => fs.writeSync(fd, data),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
  mkdirSync: fs.mkdirSync,
};

/** Called before each write-path operation; throw to simulate a failure. */
export type FaultInjector = (op: keyof Io, file: string) => void;
let injector: FaultInjector | undefined;

/** Test seam: install (or clear) a fault injector for the write path. */
export function setFaultInjector(fn: FaultInjector | undefined): void {
  injector = fn;
}

const fdPaths = new Map<number, string>();
const fdName = (fd: number) => fdPaths.get(fd) ?? `fd ${fd}`;

/** The write path's file operations (see `setFaultInjector`). */
export const io: Io = {
  openSync: ((p: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
    injector?.('openSync', String(p));
    const fd = realIo.openSync(p, flags, mode);
    fdPaths.set(fd, String(p));
    return fd;
  }) as Io['openSync'],
  writeSync: (fd, data) => {
    injector?.('writeSync', fdName(fd));
    return realIo.writeSync(fd, data);
  },
  fsyncSync: (fd) => {
    injector?.('fsyncSync', fdName(fd));
    realIo.fsyncSync(fd);
  },
  closeSync: (fd) => {
    fdPaths.delete(fd);
    realIo.closeSync(fd);
  },
  renameSync: (from, to) => {
    injector?.('renameSync', String(from));
    realIo.renameSync(from, to);
  },
  unlinkSync: (p) => {
    injector?.('unlinkSync', String(p));
    realIo.unlinkSync(p);
  },
  mkdirSync: ((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
    injector?.('mkdirSync', String(p));
    return realIo.mkdirSync(p, o);
  }) as Io['mkdirSync'],
};

/** Turn a Node file-system error into a ReftableError naming the file. */
export function ioError(e: unknown, file: string, what: string): ReftableError {
  if (e instanceof ReftableError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(e);
  return new ReftableError(ErrorCode.Io, `${what}: ${code ? `${code} ` : ''}${msg}`, { file, data: { errno: code }, cause: e });
}

/** Write all of `data` to `fd` (short writes are possible on some file systems). */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += io.writeSync(fd, data.subarray(off));
}

/** Remove a file we created, ignoring "already gone"; other errors are swallowed too since this runs during cleanup. */
export function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* cleanup is best effort */
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Synchronous sleep: the store's write path is synchronous (short transactions). */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

export interface LockOptions {
  /** `reftable.lockTimeout`: 0 = one attempt, -1 = wait forever, else milliseconds. */
  timeoutMs?: number;
}

/** Describe an existing lock for an error message: git never breaks locks, neither do we. */
export function lockError(lockPath: string, what: string): ReftableError {
  let age = '';
  let ageMs: number | undefined;
  try {
    ageMs = Math.max(0, Date.now() - fs.statSync(lockPath).mtimeMs);
    age = ageMs < 10_000 ? `${Math.round(ageMs)} ms old` : `${Math.round(ageMs / 1000)} s old`;
  } catch {
    age = 'gone by now';
  }
  return new ReftableError(
    ErrorCode.Lock,
    `cannot lock ${what}: ${path.basename(lockPath)} exists (${age}); another process may be writing, ` +
      'or a crashed one left it behind (remove it only if no git process is running)',
    { file: lockPath, data: { lock: lockPath, ageMs } },
  );
}

/** A held `<target>.lock`. Release with `commit` (rename over the target) or `rollback`. */
export class LockFile {
  private fd: number | undefined;
  private done = false;

  private constructor(readonly target: string, readonly lockPath: string, fd: number) {
    this.fd = fd;
  }

  /** One O_EXCL attempt; undefined when someone else holds it. */
  static tryAcquire(target: string): LockFile | undefined {
    const lockPath = `${target}.lock`;
    try {
      const fd = io.openSync(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o666);
      return new LockFile(target, lockPath, fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw ioError(e, lockPath, 'cannot create lock');
    }
  }

  /**
   * Acquire with git's backoff (lockfile.c): waits grow roughly quadratically from 1 ms, capped
   * at about a second, randomised by ±25 % so competing processes do not retry in lock step.
   */
  static acquire(target: string, what: string, opts: LockOptions = {}): LockFile {
    const timeout = opts.timeoutMs ?? 100;
    let remaining = timeout;
    let multiplier = 1;
    let n = 1;
    for (;;) {
      const l = LockFile.tryAcquire(target);
      if (l) return l;
      if (timeout === 0 || (timeout > 0 && remaining <= 0)) throw lockError(`${target}.lock`, what);
      const wait = Math.floor(((750 + Math.floor(Math.random() * 500)) * multiplier) / 1000);
      sleepMs(wait);
      remaining -= wait;
      multiplier += 2 * n + 1;
      if (multiplier > 1000) multiplier = 1000;
      else n++;
    }
  }

  /** Close the descriptor right away, keeping the lock (per-table locks of compaction). */
  closeFd(): void {
    if (this.fd !== undefined) {
      io.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  write(data: Uint8Array): void {
    if (this.fd === undefined) throw new ReftableError(ErrorCode.Api, 'lock file already closed', { file: this.lockPath });
    try {
      writeAll(this.fd, data);
    } catch (e) {
      throw ioError(e, this.lockPath, 'cannot write lock file');
    }
  }

  /** fsync the content, then rename it over the target. On failure the lock is removed. */
  commit(): void {
    try {
      if (this.fd !== undefined) {
        io.fsyncSync(this.fd);
        this.closeFd();
      }
      io.renameSync(this.lockPath, this.target);
      this.done = true;
    } catch (e) {
      this.rollback();
      throw ioError(e, this.lockPath, `cannot commit ${path.basename(this.target)}`);
    }
  }

  /** Drop the lock without touching the target. Safe to call more than once. */
  rollback(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.closeFd();
    } catch {
      /* already closed */
    }
    unlinkQuietly(this.lockPath);
  }

  get released(): boolean {
    return this.done;
  }
}

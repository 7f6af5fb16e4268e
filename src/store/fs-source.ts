/**
 * BlockSource over a file. Small files are read whole and the descriptor closed at once
 * (most tables of a busy stack are a few hundred bytes); larger ones keep one descriptor for
 * positioned reads until close(), and are read whole once a use goes beyond a few lookups.
 * Tables are immutable once listed, so no re-validation.
 */
import * as fs from 'node:fs';
import type { BlockSource } from '../engine/block.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';

export interface FileSource extends BlockSource {
  readonly path: string;
  /** Bytes read from the file so far (the inspector shows it; tests check reads stay small). */
  readonly bytesRead: number;
  close(): void;
}

/**
 * Files up to this size are read into memory once they are used for more than a lookup or
 * two: seeks then cost no system call and a listing no copy per block, for at most the
 * stack's size in memory.
 */
export const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;
/** Files up to this size are read whole when opened (most tables of a busy stack are tiny). */
export const EAGER_LIMIT = 256 * 1024;
/**
 * Positioned reads served before a larger file is read whole: one lookup takes about four
 * (header, footer, index, block); a process that only looks up one name should not read
 * megabytes for it.
 */
export const READS_BEFORE_WHOLE = 12;
/**
 * …and the share of the file those reads must have covered: a first page of a big namespace
 * (a dozen blocks of a 30 MB table) should not pull the whole table in, while random lookups
 * all over it soon do.
 */
export const WHOLE_AFTER_FRACTION = 1 / 32;
/** Bytes read before knowing the size: most tables fit, larger ones cost an fstat too. */
const PROBE_SIZE = 64 * 1024;

export function ioError(e: unknown, file: string, what: string): ReftableError {
  const code = (e as NodeJS.ErrnoException)?.code;
  // Node's message already starts with the errno code ("ENOENT: no such file…").
  const reason = `${what}: ${(e as Error)?.message ?? String(e)}`;
  return new ReftableError(code === 'ENOENT' ? ErrorCode.NotExist : ErrorCode.Io, reason, { file, cause: e, data: { errno: code } });
}

/** A file already read whole: nothing to close. */
function inMemory(file: string, bytes: Uint8Array): FileSource {
  return { path: file, size: bytes.length, bytesRead: bytes.length, read: (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)), close: () => undefined };
}

/** Open `file`; ENOENT surfaces as a NOT_EXIST ReftableError so stacks can retry. */
export function openFileSource(file: string, wholeFileLimit = WHOLE_FILE_LIMIT): FileSource {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(e, file, 'cannot open');
  }
  let size: number;
  try {
    const eager = Math.min(wholeFileLimit, EAGER_LIMIT);
    // Read first, stat only when the file turns out larger: a stack of 1,000 small tables
    // then costs open, read, close per table (no Stats object either).
    const probe = Math.min(eager, PROBE_SIZE);
    const head = probe > 0 ? readUpTo(fd, probe + 1) : undefined;
    if (head && head.length <= probe) {
      fs.closeSync(fd);
      return inMemory(file, head);
    }
    size = fs.fstatSync(fd).size;
    if (size <= eager) {
      const bytes = readWhole(fd, size);
      fs.closeSync(fd);
      return inMemory(file, bytes);
    }
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // Already failing; the first error is the useful one.
    }
    throw ioError(e, file, 'cannot read');
  }

  let open = true;
  let reads = 0;
  let readBytes = 0;
  let whole: Uint8Array | undefined;
  let fromDisk = PROBE_SIZE + 1;
  return {
    path: file,
    size,
    get bytesRead() {
      return fromDisk;
    },
    read(offset: number, length: number): Uint8Array {
      if (!open) throw new ReftableError(ErrorCode.Api, 'read from a closed table file', { file });
      if (whole) return whole.subarray(offset, Math.min(whole.length, offset + length));
      reads++;
      readBytes += length;
      if (reads > READS_BEFORE_WHOLE && readBytes > size * WHOLE_AFTER_FRACTION && size <= wholeFileLimit) {
        try {
          whole = readWhole(fd, size);
          fromDisk += whole.length;
        } catch (e) {
          throw ioError(e, file, `cannot read ${size} bytes`);
        }
        return whole.subarray(offset, Math.min(whole.length, offset + length));
      }
      const len = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(len);
      let got = 0;
      try {
        while (got < len) {
          const n = fs.readSync(fd, buf, got, len - got, offset + got);
          if (n === 0) break;
          got += n;
        }
      } catch (e) {
        throw ioError(e, file, `cannot read ${len} bytes at ${offset}`);
      }
      fromDisk += got;
      return got === len ? buf : buf.subarray(0, got);
    },
    close() {
      if (!open) return;
      open = false;
      try {
        fs.closeSync(fd);
      } catch {
        // Nothing useful to do: the table is being dropped.
      }
    },
  };
}

/**
 * Small tables share 1 MiB slabs: one ArrayBuffer per table made opening a 1,000-table
 * stack allocation-bound. A slab lives while any table carved from it does.
 */
const SLAB_SIZE = 1 << 20;
let slab: Uint8Array | undefined;
let slabUsed = 0;

/**
 * The file's first bytes, up to `max`, in an array of their exact size. Read straight into
 * the current slab (a copy from a scratch buffer cost as much as the reads on big stacks);
 * what the file did not fill stays free for the next table. When the file fills all of
 * `max` the bytes are only valid until the next call.
 */
function readUpTo(fd: number, max: number): Uint8Array {
  const slabbed = max <= SLAB_SIZE >> 2;
  let into: Uint8Array;
  let at = 0;
  if (slabbed) {
    if (!slab || slabUsed + max > slab.length) {
      slab = new Uint8Array(SLAB_SIZE);
      slabUsed = 0;
    }
    into = slab;
    at = slabUsed;
  } else {
    into = new Uint8Array(max);
  }
  let got = 0;
  while (got < max) {
    const n = fs.readSync(fd, into, at + got, max - got, got);
    if (n === 0) break;
    got += n;
  }
  if (!slabbed) return got === max ? into : into.subarray(0, got);
  // A file that filled `max` is larger than the caller can take this way: it reads it
  // otherwise, so the slab space is not kept for it.
  if (got < max) slabUsed += got;
  return into.subarray(at, at + got);
}

function readWhole(fd: number, size: number): Uint8Array {
  const buf = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got === size ? buf : buf.subarray(0, got);
}

/**
 * Every failure the engine or store reports is a ReftableError: a stable `code` for callers
 * (the extension maps codes to messages, the CLI to exit codes), the file and byte offset
 * where a parse went wrong (the inspector jumps there), and plain-data `data` so the error
 * survives postMessage / JSON.
 */
export const ErrorCode = {
  /** The bytes do not follow the format (bad magic, bad varint, lengths past the end…). */
  Format: 'FORMAT',
  /** Footer CRC-32 does not match. */
  Checksum: 'CHECKSUM',
  /** A zlib stream in a log block is broken. */
  Zlib: 'ZLIB',
  /** A value the engine cannot represent (e.g. an update index above 2^53). */
  Unsupported: 'UNSUPPORTED',
  /** A table named in tables.list does not exist. */
  NotExist: 'NOT_EXIST',
  /** Someone else holds a lock we need. */
  Lock: 'LOCK',
  /** The stack changed since it was read. */
  Outdated: 'OUTDATED',
  /** A transaction's expectation about a ref's old value failed. */
  Expectation: 'EXPECTATION',
  /** A ref name fails git's check-ref-format rules or conflicts with another (D/F). */
  RefName: 'REF_NAME',
  /** API misuse: keys out of order, update index out of range, entry too large… */
  Api: 'API',
  /** A record does not fit even in an empty block. */
  EntryTooBig: 'ENTRY_TOO_BIG',
  /** File system failure (permissions, disk full…). */
  Io: 'IO',
  /** Not a git repository, or not one using reftable. */
  Repository: 'REPOSITORY',
  /** Requested item is absent (CLI exit 1). */
  NotFound: 'NOT_FOUND',
  /** Bad command-line or stdin syntax. */
  Usage: 'USAGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ReftableErrorInit {
  file?: string;
  offset?: number;
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class ReftableError extends Error {
  readonly code: ErrorCode;
  /** The file the problem is in (a table, tables.list, a lock…), if known. */
  file?: string;
  /** Absolute byte offset in `file` where the problem was detected, if it is a parse error. */
  offset?: number;
  readonly data: Record<string, unknown>;
  /** The reason without the file/offset decoration. */
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, init: ReftableErrorInit = {}) {
    super(reason);
    this.name = 'ReftableError';
    this.code = code;
    this.reason = reason;
    this.file = init.file;
    this.offset = init.offset;
    this.data = init.data ?? {};
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
    this.message = this.describe();
  }

  /** Attach the file name once it is known (block parsers do not know which file they read). */
  inFile(file: string): this {
    if (this.file === undefined) {
      this.file = file;
      this.message = this.describe();
    }
    return this;
  }

  private describe(): string {
    const where: string[] = [];
    if (this.file !== undefined) where.push(this.file);
    if (this.offset !== undefined) where.push(`offset ${this.offset} (0x${this.offset.toString(16)})`);
    return where.length ? `${where.join(' at ')}: ${this.reason}` : this.reason;
  }

  toJSON(): { code: ErrorCode; message: string; reason: string; file?: string; offset?: number; data: Record<string, unknown> } {
    return { code: this.code, message: this.message, reason: this.reason, file: this.file, offset: this.offset, data: this.data };
  }
}

export function formatError(reason: string, offset?: number, data?: Record<string, unknown>): ReftableError {
  return new ReftableError(ErrorCode.Format, reason, { offset, data });
}

export function isReftableError(e: unknown): e is ReftableError {
  return e instanceof ReftableError;
}

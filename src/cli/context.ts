/** What every command gets: where to look, where to write, and a lazily opened ref database. */
import type { RepositoryInfo } from '../store/api.js';
import { RefDatabase } from '../store/refdb.js';
import { discoverRepository } from '../store/repository.js';
import { usageError } from './exit-codes.js';

/** Bytes of line output gathered before one write. */
const CHUNK = 64 * 1024;

/**
 * Buffered line output: one write per 64 KiB instead of one per line (50 000-ref listings).
 * Lines are encoded into a byte buffer as they come, so nothing of a line outlives the call:
 * gathered as a string of 1 MiB, the lines of a 100,000-entry `reftable log` lived long enough
 * to be promoted, and collecting them was a third of the run.
 */
export class Output {
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;

  constructor(
    private readonly sink: (chunk: string) => void,
    /** Where byte chunks go as they are (the process's stdout); without it they are decoded for `sink`. */
    private readonly byteSink?: (chunk: Uint8Array) => boolean,
  ) {}

  /**
   * Write bytes after everything written so far. True when the chunk was consumed at once
   * (the caller may reuse it); false when it must stay untouched.
   */
  bytes(chunk: Uint8Array): boolean {
    this.flush();
    return this.emit(chunk);
  }

  line(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2).
    const worst = 3 * s.length + 1;
    if (this.used + worst > this.chunk.length) {
      this.flush();
      if (worst > this.chunk.length) {
        this.emit(Buffer.from(`${s}\n`, 'utf8'));
        return;
      }
    }
    this.used += this.chunk.write(s, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
  }

  flush(): void {
    if (this.used === 0) return;
    const view = this.chunk.subarray(0, this.used);
    this.used = 0;
    // A sink still holding the bytes (an asynchronous pipe) keeps this buffer: take a new one.
    if (!this.emit(view)) this.chunk = Buffer.allocUnsafe(CHUNK);
  }

  /** Hand `chunk` on; true when the caller may reuse it. */
  private emit(chunk: Uint8Array): boolean {
    if (this.byteSink) return this.byteSink(chunk);
    this.sink(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8'));
    return true;
  }
}

export class CliContext {
  private db: RefDatabase | undefined;
  constructor(
    /** Directory given with -C (or the process cwd). */
    readonly cwd: string,
    readonly out: Output,
    readonly err: Output,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private info: RepositoryInfo | undefined;

  /**
   * The repository, found but not opened: writers read the stack themselves under its lock,
   * and opening it first as well cost `pack` on a 1,000-table stack a thousand extra opens.
   */
  repository(): RepositoryInfo {
    this.info ??= this.db?.info ?? discoverRepository(this.cwd);
    return this.info;
  }

  /** The repository's refs, opened on first use and closed by the CLI driver. */
  refdb(): RefDatabase {
    this.db ??= RefDatabase.fromInfo(this.repository());
    return this.db;
  }

  dispose(): void {
    this.db?.close();
    this.db = undefined;
  }
}

export interface ParsedArgs {
  flags: Set<string>;
  options: Map<string, string>;
  positional: string[];
}

/**
 * Parse `args` against the allowed boolean `flags` and value-taking `options` (`--x v` or
 * `--x=v`). Unknown dashes are a usage error; `--` ends option parsing.
 */
export function parseArgs(args: string[], spec: { flags?: string[]; options?: string[] }, usage: string): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positional: string[] = [];
  const allowedFlags = new Set(spec.flags ?? []);
  const allowedOptions = new Set(spec.options ?? []);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(0, eq) : a;
      if (allowedFlags.has(key) && eq < 0) {
        flags.add(key);
        continue;
      }
      if (allowedOptions.has(key)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw usageError(`option ${key} needs a value; usage: ${usage}`);
        options.set(key, v);
        continue;
      }
      throw usageError(`unknown option ${a}; usage: ${usage}`);
    }
    positional.push(a);
  }
  return { flags, options, positional };
}

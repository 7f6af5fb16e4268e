/**
 * Random bytes for file names (table name suffixes, temporary files). node:crypto is loaded on
 * the first call, not at start-up: loading it takes about 6 ms, a few percent of a short
 * command, and read-only commands never name a file.
 */
import type * as NodeCrypto from 'node:crypto';

let crypto: typeof NodeCrypto | undefined;

export function randomBytes(n: number): Buffer {
  crypto ??= require('node:crypto') as typeof NodeCrypto;
  return crypto.randomBytes(n);
}

/**
 * The one error-to-message function: every command failure becomes one sentence the user can
 * act on. Conflicts with a concurrent git (lock held, ref moved, stack changed) are retryable;
 * nothing was written in those cases, so Retry is always safe.
 */
import * as vscode from 'vscode';
import { ErrorCode, ReftableError, isReftableError } from '../engine/errors.js';

export interface UserMessage {
  text: string;
  retry: boolean;
}

/** Thrown when the user dismissed a prompt: not an error, nothing to report. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Thrown for mistakes the user can fix (bad input, no repository): shown as-is, no stack in the log. */
export class UserError extends Error {}

const RETRYABLE = new Set<string>([ErrorCode.Lock, ErrorCode.Expectation, ErrorCode.Outdated, ErrorCode.NotExist]);

function where(e: ReftableError): string {
  if (e.file === undefined) return '';
  return e.offset !== undefined ? ` (${e.file} at offset ${e.offset})` : ` (${e.file})`;
}

/**
 * Show an information message without awaiting it: a notification that fails to show (the
 * window is closing) must not become an unhandled rejection.
 */
export function inform(text: string): void {
  Promise.resolve()
    .then(() => vscode.window.showInformationMessage(text))
    .catch(() => undefined);
}

export function describeError(e: unknown): UserMessage {
  if (e instanceof UserError) return { text: e.message, retry: false };
  if (isReftableError(e)) {
    const reason = e.reason.replace(/\.$/, '');
    const retry = RETRYABLE.has(e.code);
    switch (e.code) {
      case ErrorCode.Lock:
        return { text: `Another process (probably git) is updating the refs right now: ${reason}. Nothing was changed.`, retry };
      case ErrorCode.Expectation:
        return { text: `The ref changed since it was shown: ${reason}. Nothing was changed; Retry uses its current value.`, retry };
      case ErrorCode.Outdated:
        return { text: `The reftable stack changed while writing (another git command committed first): ${reason}. Nothing was changed.`, retry };
      case ErrorCode.NotExist:
        return { text: `A table listed in tables.list is missing${where(e)}; git may be compacting the stack. Retry in a moment.`, retry };
      case ErrorCode.RefName:
        return { text: `Invalid ref name: ${reason}.`, retry };
      case ErrorCode.NotFound:
        return { text: `${capital(reason)}.`, retry };
      case ErrorCode.Repository:
        return { text: `Not a usable reftable repository: ${reason}.`, retry };
      case ErrorCode.Io:
        return { text: `File system error: ${reason}${where(e)}.`, retry };
      case ErrorCode.Format:
      case ErrorCode.Checksum:
      case ErrorCode.Zlib:
        return { text: `A reftable file is damaged${where(e)}: ${reason}. Run "Reftable: Verify Stack" for details.`, retry };
      case ErrorCode.EntryTooBig:
        return { text: `A record is too large for the table's block size: ${reason}.`, retry };
      case ErrorCode.Unsupported:
        return { text: `Not supported: ${reason}.`, retry };
      default:
        return { text: `${capital(reason)}${where(e)}.`, retry };
    }
  }
  const err = e as NodeJS.ErrnoException | undefined;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return { text: `Permission denied${err.path ? `: ${err.path}` : ''}. Nothing was changed.`, retry: false };
    case 'ENOSPC':
      return { text: 'The disk is full. Nothing was changed.', retry: false };
    case 'EROFS':
      return { text: 'The repository is on a read-only file system.', retry: false };
    case 'ENOENT':
      return { text: `File not found${err.path ? `: ${err.path}` : ''}.`, retry: true };
  }
  const msg = err instanceof Error ? err.message : String(e);
  return { text: `Unexpected error: ${msg}. See the "Reftable" output for details.`, retry: false };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** How failures map to the CLI's exit codes: 0 ok, 1 not found / check failed, 2 usage, 3 corrupt data or I/O. */
import { ErrorCode, ReftableError } from '../engine/errors.js';

export const Exit = { Ok: 0, NotFound: 1, Usage: 2, Failure: 3 } as const;
export type Exit = (typeof Exit)[keyof typeof Exit];

export function exitCodeFor(e: unknown): Exit {
  if (!(e instanceof ReftableError)) return Exit.Failure;
  switch (e.code) {
    case ErrorCode.NotFound:
    case ErrorCode.Repository:
    case ErrorCode.Expectation:
      return Exit.NotFound;
    case ErrorCode.Usage:
    case ErrorCode.RefName:
      return Exit.Usage;
    default:
      return Exit.Failure;
  }
}

export function usageError(message: string): ReftableError {
  return new ReftableError(ErrorCode.Usage, message);
}

export function notFound(message: string): ReftableError {
  return new ReftableError(ErrorCode.NotFound, message);
}

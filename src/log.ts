/**
 * The "Reftable" output channel. A module-level logger so deep code can log without threading
 * a channel through every constructor; before activation (unit tests) it writes nowhere.
 */
import * as vscode from 'vscode';

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(error: string | Error, ...args: unknown[]): void;
}

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
let current: Logger = silent;

export const log: Logger = {
  trace: (m, ...a) => current.trace(m, ...a),
  debug: (m, ...a) => current.debug(m, ...a),
  info: (m, ...a) => current.info(m, ...a),
  warn: (m, ...a) => current.warn(m, ...a),
  error: (e, ...a) => current.error(e, ...a),
};

let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('Reftable', { log: true });
  current = channel;
  return channel;
}

export function showLog(): void {
  channel?.show(true);
}

/** For tests: route log lines somewhere observable. */
export function setLogger(l: Logger | undefined): void {
  current = l ?? silent;
}

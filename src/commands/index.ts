/**
 * The command table: id → handler, whether it writes. Every handler runs through `run`, the
 * one place errors become messages (with Retry for conflicts with a concurrent git) and
 * write commands are refused in untrusted workspaces.
 */
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable.js';
import { log, showLog } from '../log.js';
import type { CommandContext, Invocation } from './context.js';
import { Cancelled, UserError, describeError } from './errors.js';
import * as reflog from './reflog.js';
import * as refs from './refs.js';
import * as stack from './stack.js';

type Handler = (ctx: CommandContext, inv: Invocation, ...args: any[]) => Promise<unknown> | unknown;

export interface CommandSpec {
  id: string;
  handler: Handler;
  /** Changes the repository: refused in untrusted workspaces. */
  write: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { id: 'reftable.packRefs', handler: stack.packRefs, write: true },
  { id: 'reftable.compactIfNeeded', handler: stack.compactIfNeeded, write: true },
  { id: 'reftable.createBranch', handler: refs.createBranch, write: true },
  { id: 'reftable.createTag', handler: refs.createTag, write: true },
  { id: 'reftable.createRef', handler: refs.createRef, write: true },
  { id: 'reftable.deleteRef', handler: refs.deleteRef, write: true },
  { id: 'reftable.renameRef', handler: refs.renameRef, write: true },
  { id: 'reftable.updateRef', handler: refs.updateRef, write: true },
  { id: 'reftable.setSymbolicRef', handler: refs.setSymbolicRef, write: true },
  { id: 'reftable.restoreBranch', handler: refs.restoreBranch, write: true },
  { id: 'reftable.deleteReflogEntry', handler: reflog.deleteReflogEntry, write: true },
  { id: 'reftable.expireReflog', handler: reflog.expireReflog, write: true },
  { id: 'reftable.goToRef', handler: refs.goToRef, write: false },
  { id: 'reftable.copyName', handler: refs.copyName, write: false },
  { id: 'reftable.copyId', handler: refs.copyId, write: false },
  { id: 'reftable.showReflog', handler: refs.showReflog, write: false },
  { id: 'reftable.verifyStack', handler: stack.verifyStack, write: false },
  { id: 'reftable.refresh', handler: stack.refresh, write: false },
  { id: 'reftable.openTableInspector', handler: stack.openTableInspector, write: false },
  { id: 'reftable.showMore', handler: stack.showMore, write: false },
  { id: 'reftable.showTables', handler: stack.showTables, write: false },
  { id: 'reftable.showLog', handler: () => showLog(), write: false },
];

const MAX_RETRIES = 5;

/** An error message whose failure to show (window closing) is logged, never thrown. */
async function showError(text: string, actions: string[]): Promise<string | undefined> {
  try {
    return await vscode.window.showErrorMessage(text, ...actions);
  } catch (e) {
    log.warn(`could not show "${text}": ${(e as Error)?.message ?? String(e)}`);
    return undefined;
  }
}

/**
 * Run one command: errors → one message; Retry re-runs it against the reloaded stack. The
 * returned promise never rejects: VS Code would report a rejection as an unhandled error.
 */
export async function run(ctx: CommandContext, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  try {
    return await runGuarded(ctx, spec, args);
  } catch (e) {
    log.error(`${spec.id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return undefined;
  }
}

async function runGuarded(ctx: CommandContext, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  if (spec.write && !vscode.workspace.isTrusted) {
    await showError('Reftable: this workspace is not trusted, so refs cannot be changed. Trust the workspace to enable editing.', []);
    return undefined;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await spec.handler(ctx, { attempt }, ...args);
    } catch (e) {
      if (e instanceof Cancelled) return undefined;
      const msg = describeError(e);
      if (e instanceof UserError) log.info(`${spec.id}: ${msg.text}`);
      else log.error(`${spec.id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      const actions = msg.retry && attempt < MAX_RETRIES ? ['Retry', 'Show Log'] : e instanceof UserError ? [] : ['Show Log'];
      const choice = await showError(msg.text, actions);
      if (choice === 'Show Log') showLog();
      if (choice !== 'Retry') return undefined;
      // The watcher may not have fired yet: read the stack afresh before trying again.
      for (const r of ctx.model.repositories) r.refresh();
    }
  }
}

export class Commands extends Disposable {
  constructor(ctx: CommandContext, specs: readonly CommandSpec[] = COMMANDS) {
    super();
    for (const spec of specs) {
      this._register(vscode.commands.registerCommand(spec.id, (...args: unknown[]) => run(ctx, spec, args)));
    }
  }
}

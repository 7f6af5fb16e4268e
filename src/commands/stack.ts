/** Stack-level commands: compaction, verification, refresh, opening tables, paging. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StackFinding } from '../model/source.js';
import { formatBytes } from '../views/format.js';
import { ShowMoreNode } from '../views/node.js';
import { CommandContext, Invocation, afterWrite, repoArg } from './context.js';
import { UserError, inform } from './errors.js';

export async function packRefs(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Packing refs of ${repo.label}…` },
    async () => repo.writer.compact('full'),
  );
  await afterWrite(repo);
  if (r.tablesBefore <= 1) {
    inform(`Nothing to pack: the stack of ${repo.label} has ${r.tablesBefore} table${r.tablesBefore === 1 ? '' : 's'}.`);
    return;
  }
  inform(
    `Packed refs of ${repo.label}: ${r.tablesBefore} tables → ${r.tablesAfter}, ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}.`,
  );
}

export async function compactIfNeeded(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const stack = (arg as { stack?: { id: string } } | undefined)?.stack?.id;
  const r = repo.writer.compact('auto', stack);
  await afterWrite(repo);
  if (!r.merged) {
    inform(`The stack is already geometric: nothing to compact (${r.tablesBefore} tables).`);
    return;
  }
  const n = r.merged.end - r.merged.start + 1;
  inform(
    `Merged ${n} tables: ${r.tablesBefore} → ${r.tablesAfter} tables, ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}.`,
  );
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** Findings as Problems, keyed on the table file each one is about. */
export function findingsToDiagnostics(findings: readonly StackFinding[]): Map<string, vscode.Diagnostic[]> {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const f of findings) {
    const file = path.join(f.dir, f.file);
    const where = f.offset !== undefined ? ` at offset ${f.offset} (0x${f.offset.toString(16)})` : '';
    const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${f.file}${where}: ${f.message}`, SEVERITY[f.severity]);
    d.source = 'reftable';
    d.code = f.code;
    const list = byFile.get(file) ?? [];
    list.push(d);
    byFile.set(file, list);
  }
  return byFile;
}

export async function verifyStack(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const findings = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Verifying the reftable stack of ${repo.label}…` },
    async () => repo.writer.verify(),
  );
  // Replace only this repository's findings; others stay in Problems.
  const dirs = new Set(repo.source.stackSummaries().map((s) => path.resolve(s.dir)));
  const stale: vscode.Uri[] = [];
  ctx.diagnostics.forEach?.((uri) => {
    if (dirs.has(path.dirname(uri.fsPath))) stale.push(uri);
  });
  for (const uri of stale) ctx.diagnostics.delete(uri);
  for (const [file, diags] of findingsToDiagnostics(findings)) ctx.diagnostics.set(vscode.Uri.file(file), diags);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const tables = repo.source.stackSummaries().reduce((a, s) => a + s.tableNames.length, 0);
  if (errors + warnings === 0) {
    inform(`Verify Stack: ${tables} table${tables === 1 ? '' : 's'} of ${repo.label} checked, no problems found.`);
    return;
  }
  const choice = await vscode.window.showWarningMessage(
    `Verify Stack: ${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} in ${repo.label}.`,
    'Show Problems',
  );
  if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
}

export async function refresh(ctx: CommandContext): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  await ctx.model.scan(folders);
  for (const r of ctx.model.repositories) r.refresh();
}

export async function openTableInspector(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'object' && arg !== null && 'uri' in arg) uri = (arg as { uri: vscode.Uri }).uri;
  if (!uri) {
    const repo = await repoArg(ctx, arg);
    const items = repo.source.stackSummaries().flatMap((s) =>
      [...s.tableNames].reverse().map((t) => ({ label: t, description: s.id, uri: vscode.Uri.file(path.join(s.dir, t)) })),
    );
    if (items.length === 0) throw new UserError('The stack has no tables.');
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Table to inspect' });
    if (!pick) return;
    uri = pick.uri;
  }
  if (ctx.inspectorAvailable()) {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'reftable.inspector');
  } else {
    // No inspector in this build: at least show the file, read-only, in the default editor.
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default', { preview: true });
  }
}

export async function showMore(ctx: CommandContext, _inv: Invocation, node?: unknown): Promise<void> {
  if (!(node instanceof ShowMoreNode)) return;
  await node.owner.loadMore();
  if (node.parent) ctx.views?.refs.changed(node.parent);
}

export async function showTables(): Promise<void> {
  await vscode.commands.executeCommand('reftable.tables.focus');
}

/** activate() on a real repository: what it registers, that settings apply live, and that everything is disposed. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands/index.js';
import { activate, deactivate } from '../../../src/extension.js';
import { setAutoCompactSetting } from '../../../src/model/store-adapter.js';
import { initRepository } from '../../../src/store/init.js';
import { applyTransaction } from '../../../src/store/transaction.js';
import { hex, quickPick, who } from './real-repo.js';
import { fake } from './vscode-fake.js';

let tmp: string;
beforeEach(() => {
  fake.reset();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-activate-'));
  vi.stubEnv('HOME', tmp);
  vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
});
afterEach(() => {
  (vscode.workspace as { workspaceFolders?: unknown }).workspaceFolders = undefined;
  setAutoCompactSetting(() => true);
  vi.unstubAllEnvs();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('registers every command, the views, status bar and Problems collection, and disposes all of it', async () => {
  const dir = path.join(tmp, 'repo');
  const info = initRepository(dir);
  applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: hex(1) }], { message: 'init', committer: who(), autoCompact: false });
  (vscode.workspace as { workspaceFolders?: unknown }).workspaceFolders = [{ uri: vscode.Uri.file(dir), name: 'repo', index: 0 }];
  const liveBefore = new Set(fake.live.keys());
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: vscode.Uri.file(process.cwd()) };

  await activate(context as unknown as vscode.ExtensionContext);

  for (const c of COMMANDS) expect(fake.commands.has(c.id), c.id).toBe(true);
  expect(fake.commands.has('reftable.openInspector')).toBe(true);
  expect(fake.commands.has('reftable.showCompaction')).toBe(true);
  expect(fake.contexts.get('reftable.hasRepository')).toBe(true);
  const kinds = [...fake.live.entries()].filter(([d]) => !liveBefore.has(d)).map(([, what]) => what.replace(/ .*/, ''));
  for (const k of ['command', 'tree', 'status', 'diagnostics', 'file', 'custom', 'listener', 'output']) expect(kinds, k).toContain(k);
  const bar = fake.statusBarItems.at(-1)!;
  expect(bar.text).toBe('$(git-branch) main $(layers) 2');

  // reftable.autoCompact is read on every write: off → one more table per write.
  fake.config.set('reftable.autoCompact', false);
  fake.config.set('reftable.confirmDelete', false);
  fake.inputAnswers.push('a', 'main');
  await vscode.commands.executeCommand('reftable.createBranch');
  fake.inputAnswers.push('b', 'main');
  await vscode.commands.executeCommand('reftable.createBranch');
  expect(fake.messages.filter((m) => m.level === 'error')).toEqual([]);
  expect(bar.text).toBe('$(git-branch) main $(layers) 4');
  fake.config.set('reftable.autoCompact', true);
  fake.inputAnswers.push('c', 'main');
  await vscode.commands.executeCommand('reftable.createBranch');
  expect(Number(/\$\(layers\) (\d+)/.exec(bar.text)![1])).toBeLessThan(5);

  // Restore Deleted Branch uses the store's restore (reflog included) through activate()'s wiring.
  const deleting = vscode.commands.executeCommand('reftable.deleteRef');
  (await quickPick()).accept('refs/heads/a');
  await deleting;
  fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'refs/heads/a'));
  fake.inputAnswers.push('refs/heads/a');
  await vscode.commands.executeCommand('reftable.restoreBranch');
  expect(fake.messages.filter((m) => m.level === 'error').map((m) => m.text)).toEqual([]);
  expect(fake.messages.at(-1)!.text).toBe(`Restored refs/heads/a at ${hex(1).slice(0, 7)} with 1 reflog entry.`);

  for (const d of context.subscriptions.reverse()) d.dispose();
  deactivate();
  const leaked = [...fake.live.entries()].filter(([d]) => !liveBefore.has(d)).map(([, what]) => what);
  expect(leaked).toEqual([]);
  expect(fake.commands.size).toBe(0);
});

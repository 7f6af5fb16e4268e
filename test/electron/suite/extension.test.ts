/// <reference types="mocha" />
/**
 * Inside a real extension host, against the demo repository the launcher opened as the
 * workspace folder: the extension activates, registers what package.json promises, finds the
 * repository, and its editor opens tables.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'reftable-explorer.reftable-explorer';

interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  views?: Record<string, { id: string; name: string }[]>;
  viewsContainers?: { activitybar?: { id: string; title: string }[] };
  customEditors?: { viewType: string; selector: { filenamePattern: string }[] }[];
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

function contributes(): Contributes {
  return (extension().packageJSON as { contributes?: Contributes }).contributes ?? {};
}

function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the launcher opens the demo repository as the workspace folder');
  return f.uri.fsPath;
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Reftable Explorer in the extension host', () => {
  before(async function () {
    this.timeout(60_000);
    await extension().activate();
  });

  it('activates on a reftable repository', () => {
    assert.equal(extension().isActive, true);
    assert.ok(fs.existsSync(path.join(workspaceRoot(), '.git', 'reftable', 'tables.list')));
  });

  it('registers every command package.json contributes', async () => {
    const declared = (contributes().commands ?? []).map((c) => c.command);
    assert.ok(declared.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands declared but not registered: ${missing.join(', ')}`);
  });

  it('contributes the Reftable container with Refs, Reflog and Tables views', async () => {
    const c = contributes();
    assert.ok(c.viewsContainers?.activitybar?.some((v) => v.id === 'reftable'));
    assert.deepEqual((c.views?.reftable ?? []).map((v) => v.id).filter((id) => ['reftable.refs', 'reftable.reflog', 'reftable.tables'].includes(id)).sort(),
      ['reftable.reflog', 'reftable.refs', 'reftable.tables']);
    // Opening the container resolves every view; a throwing provider would reject here.
    await vscode.commands.executeCommand('workbench.view.extension.reftable');
  });

  it('opens a .ref table in the inspector custom editor', async () => {
    const root = workspaceRoot();
    const list = fs.readFileSync(path.join(root, '.git', 'reftable', 'tables.list'), 'utf8').split('\n').filter(Boolean);
    const uri = vscode.Uri.file(path.join(root, '.git', 'reftable', list[0]));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'reftable.inspector');
    const tab = await until('an inspector tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) =>
      t.input instanceof vscode.TabInputCustom && t.input.viewType === 'reftable.inspector' && t.input.uri.fsPath === uri.fsPath));
    assert.equal(tab.label, list[0]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

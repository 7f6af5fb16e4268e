/** Entry point: builds the model, registers the views, commands and the inspector. Nothing else. */
import * as vscode from 'vscode';
import { Commands } from './commands/index.js';
import { GitObjects } from './commands/git.js';
import { createLog, log } from './log.js';
import { RepositoryModel } from './model/model.js';
import { setAutoCompactSetting, storeBackend } from './model/store-adapter.js';
import { StatusBar } from './status.js';
import { Views } from './views/index.js';
import * as editor from './editor/index.js';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const sub = <T extends vscode.Disposable | { dispose(): unknown }>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  sub(createLog());
  // Read on every write, so a changed setting applies at once.
  const autoCompact = () => vscode.workspace.getConfiguration('reftable').get<boolean>('autoCompact', true) !== false;
  setAutoCompactSetting(autoCompact);

  const model = sub(new RepositoryModel(storeBackend));
  const views = sub(new Views(model));
  sub(new StatusBar(model));
  const diagnostics = sub(vscode.languages.createDiagnosticCollection('reftable'));

  let inspector = false;
  try {
    sub(editor.registerInspector(context));
    inspector = true;
    sub(editor.registerCompactionView(context, {
      resolveRepository: (arg?: unknown) => {
        if (typeof arg === 'object' && arg !== null && 'repo' in arg) return (arg as { repo: ReturnType<typeof model.get> }).repo;
        const uri = vscode.window.activeTextEditor?.document.uri;
        return (uri?.scheme === 'file' ? model.repositoryFor(uri.fsPath) : undefined) ?? model.repositories[0];
      },
    }));
  } catch (e) {
    log.error(`the table inspector could not be registered: ${(e as Error).message}`);
  }
  sub(new Commands({ model, views, diagnostics, objects: new GitObjects(), inspectorAvailable: () => inspector }));

  // Backup for platforms where fs.watch misses renames: VS Code's own watcher, same debounce.
  const backup = sub(vscode.workspace.createFileSystemWatcher('**/reftable/tables.list'));
  const onList = (uri: vscode.Uri) => model.onTablesListChanged(uri.fsPath);
  sub(backup.onDidChange(onList));
  sub(backup.onDidCreate(onList));
  sub(backup.onDidDelete(onList));

  const scan = () => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return model.scan(folders).catch((e) => log.error(`repository scan failed: ${(e as Error).message}`));
  };
  sub(vscode.workspace.onDidChangeWorkspaceFolders(() => void scan()));
  await scan();
  log.info(`activated: ${model.repositories.length} reftable repositor${model.repositories.length === 1 ? 'y' : 'ies'}`);
}

export function deactivate(): void {}

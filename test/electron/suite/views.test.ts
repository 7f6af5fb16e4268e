/// <reference types="mocha" />
/**
 * The extension's own model and tree providers, built inside the extension host over the demo
 * repository the launcher made with the engine ($REFTABLE_DEMO_REFS holds its expected refs):
 * groups, folders, ids, symref targets, reflog messages, and a write seen by the watcher.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { RepositoryModel } from '../../../src/model/model.js';
import { storeBackend } from '../../../src/model/store-adapter.js';
import type { TreeNode } from '../../../src/views/node.js';
import { ReflogTreeProvider } from '../../../src/views/reflog.js';
import { RefsTreeProvider } from '../../../src/views/refs.js';

function demoRefs(): Record<string, string> {
  const file = process.env.REFTABLE_DEMO_REFS;
  assert.ok(file && fs.existsSync(file), 'the launcher sets REFTABLE_DEMO_REFS to the demo repository\'s refs');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

async function children(p: vscode.TreeDataProvider<TreeNode>, node?: TreeNode): Promise<{ node: TreeNode; label: string; description: string }[]> {
  const kids = (await p.getChildren(node)) ?? [];
  return Promise.all(kids.map(async (n) => {
    const item = await p.getTreeItem(n);
    return { node: n, label: label(item), description: typeof item.description === 'string' ? item.description : '' };
  }));
}

async function child(p: vscode.TreeDataProvider<TreeNode>, parent: TreeNode | undefined, name: string) {
  const all = await children(p, parent);
  const c = all.find((k) => k.label === name);
  assert.ok(c, `no "${name}" among ${JSON.stringify(all.map((k) => k.label))}`);
  return c;
}

describe('Refs and Reflog providers over the demo repository', () => {
  let model: RepositoryModel;
  let refs: RefsTreeProvider;
  let reflog: ReflogTreeProvider;
  const expected = demoRefs();

  before(async () => {
    model = new RepositoryModel(storeBackend);
    refs = new RefsTreeProvider(model);
    reflog = new ReflogTreeProvider(model);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root);
    await model.scan([root]);
  });

  after(() => {
    reflog?.dispose();
    refs?.dispose();
    model?.dispose();
  });

  it('finds exactly one reftable repository', () => {
    assert.equal(model.repositories.length, 1);
    assert.equal(model.repositories[0].info.refStorage, 'reftable');
  });

  it('lists the ref groups at the top', async () => {
    const top = (await children(refs)).map((k) => k.label);
    for (const g of ['HEAD and root refs', 'Branches', 'Remotes', 'Tags']) assert.ok(top.includes(g), `${g} missing from ${JSON.stringify(top)}`);
  });

  it('shows branches with short ids and folders for names with slashes', async () => {
    const branches = await child(refs, undefined, 'Branches');
    const main = await child(refs, branches.node, 'main');
    assert.equal(main.description, expected['refs/heads/main'].slice(0, 7));
    const feature = await child(refs, branches.node, 'feature');
    const inspector = await child(refs, feature.node, 'inspector');
    assert.equal(inspector.description, expected['refs/heads/feature/inspector'].slice(0, 7));
    // The branch deleted before the base table was compacted is gone.
    assert.ok(!(await children(refs, branches.node)).some((k) => k.label === 'old-experiment'));
  });

  it('shows the annotated tag with its peeled id and the remote symref with its target', async () => {
    const tags = await child(refs, undefined, 'Tags');
    const v1 = await child(refs, tags.node, 'v1.0');
    assert.match(v1.description, new RegExp(`^${expected['refs/tags/v1.0'].slice(0, 7)}\\b.*\\b[0-9a-f]{7}$`));
    const remotes = await child(refs, undefined, 'Remotes');
    const origin = await child(refs, remotes.node, 'origin');
    const head = await child(refs, origin.node, 'HEAD');
    assert.ok(head.description.includes('refs/remotes/origin/main'), head.description);
  });

  it('lists the reflog of the followed branch, newest first, with messages', async () => {
    reflog.follow({ repo: model.repositories[0], name: 'refs/heads/main' });
    const entries = (await children(reflog)).map((k) => k.label).filter((l) => l.startsWith('commit'));
    assert.deepEqual(entries, ['commit: Compact the stack', 'commit: Write tables', 'commit: Add parser notes', 'commit (initial): Initial commit']);
  });

  it('sees a ref written through the store without a refresh', async () => {
    const repo = model.repositories[0];
    const changed = new Promise<void>((resolve) => {
      const d = refs.onDidChangeTreeData(() => {
        d.dispose();
        resolve();
      });
    });
    repo.writer.transaction([{ op: 'create', name: 'refs/heads/from-electron', oid: expected['refs/heads/main'] }], { message: 'branch: Created from main' });
    await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('no tree change within 5 s')), 5000))]);
    const branches = await child(refs, undefined, 'Branches');
    const made = await child(refs, branches.node, 'from-electron');
    assert.equal(made.description, expected['refs/heads/main'].slice(0, 7));
  });
});

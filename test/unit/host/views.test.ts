import { beforeEach, describe, expect, it } from 'vitest';
import * as vscode from 'vscode';
import { RepositoryModel } from '../../../src/model/model.js';
import { TreeNode } from '../../../src/views/node.js';
import { ReflogTreeProvider } from '../../../src/views/reflog.js';
import { RefsTreeProvider } from '../../../src/views/refs.js';
import { TablesTreeProvider } from '../../../src/views/tables.js';
import { fake } from './vscode-fake.js';
import { FakeBackend, FakeRepo, oid, table } from './fake-store.js';

async function setup(fill: (r: FakeRepo) => void, more: FakeRepo[] = []) {
  const backend = new FakeBackend();
  const repo = backend.add(new FakeRepo(FakeRepo.info('/w/a')));
  fill(repo);
  for (const m of more) backend.add(m);
  const model = new RepositoryModel(backend, { watch: () => ({ dispose() {} }) });
  await model.scan(['/w/a', ...more.map((m) => m.info.workTree!)]);
  return { model, repo };
}

const items = async (p: vscode.TreeDataProvider<TreeNode>, n?: TreeNode) => {
  const kids = (await p.getChildren(n)) ?? [];
  return kids.map((k) => ({ node: k, item: k.getTreeItem() }));
};
const labels = (xs: { item: vscode.TreeItem }[]) => xs.map((x) => x.item.label as string);
const find = (xs: { node: TreeNode; item: vscode.TreeItem }[], label: string) => {
  const hit = xs.find((x) => x.item.label === label);
  if (!hit) throw new Error(`no item ${label} in ${labels(xs).join(', ')}`);
  return hit;
};

beforeEach(() => fake.reset());

describe('Refs view', () => {
  it('groups refs, splits folders on "/", and renders symrefs and peeled tags', async () => {
    const { model } = await setup((r) => {
      r.set('HEAD', { target: 'refs/heads/main' });
      r.set('ORIG_HEAD', { oid: oid(5) });
      r.set('refs/heads/main', { oid: oid(1) });
      r.set('refs/heads/feature/login', { oid: oid(2) });
      r.set('refs/remotes/origin/HEAD', { target: 'refs/remotes/origin/main' });
      r.set('refs/remotes/origin/main', { oid: oid(1) });
      r.set('refs/tags/v1.0', { oid: oid(7), peeled: oid(1) });
      r.set('refs/notes/commits', { oid: oid(8) });
      r.set('refs/stash', { oid: oid(9) });
    });
    const p = new RefsTreeProvider(model);
    const groups = await items(p);
    expect(labels(groups)).toEqual(['HEAD and root refs', 'Branches', 'Remotes', 'Tags', 'Other namespaces']);

    const root = await items(p, find(groups, 'HEAD and root refs').node);
    expect(labels(root)).toEqual(['HEAD', 'ORIG_HEAD']);
    expect(find(root, 'HEAD').item.description).toBe('→ refs/heads/main');
    expect(find(root, 'HEAD').item.contextValue).toBe('ref:symref');

    const heads = await items(p, find(groups, 'Branches').node);
    expect(labels(heads)).toEqual(['feature', 'main']);
    expect(find(heads, 'main').item.description).toBe(oid(1).slice(0, 7));
    expect(find(heads, 'main').item.id).toBe('/w/a/.git|ref|refs/heads/main');
    expect((find(heads, 'main').item.iconPath as vscode.ThemeIcon).id).toBe('git-branch');
    const tip = find(heads, 'main').item.tooltip as vscode.MarkdownString;
    expect(tip.value).toContain(oid(1));
    expect(tip.value).toContain('table-1.ref');
    const feature = await items(p, find(heads, 'feature').node);
    expect(labels(feature)).toEqual(['login']);
    expect(find(feature, 'login').node.parent).toBe(find(heads, 'feature').node);

    const tags = await items(p, find(groups, 'Tags').node);
    expect(find(tags, 'v1.0').item.description).toBe(`${oid(7).slice(0, 7)} ^{} ${oid(1).slice(0, 7)}`);
    expect((find(tags, 'v1.0').item.tooltip as vscode.MarkdownString).value).toContain(oid(1));

    const other = await items(p, find(groups, 'Other namespaces').node);
    expect(labels(other)).toEqual(['notes', 'stash']);
    expect(find(other, 'stash').item.contextValue).toBe('ref:other');
    expect((find(other, 'stash').item.iconPath as vscode.ThemeIcon).id).toBe('archive');

    const remotes = await items(p, find(groups, 'Remotes').node);
    const origin = await items(p, find(remotes, 'origin').node);
    expect(find(origin, 'HEAD').item.description).toBe('→ refs/remotes/origin/main');
  });

  it('pages a big namespace with "Show more…" and reads only one page', async () => {
    fake.config.set('reftable.pageSize', 100);
    const { model, repo } = await setup((r) => {
      for (let i = 0; i < 20_000; i++) r.set(`refs/tags/t${String(i).padStart(6, '0')}`, { oid: oid(i + 1) });
    });
    const p = new RefsTreeProvider(model);
    const groups = await items(p);
    // The fake sorts its names once on first use; keep that out of the timing.
    for (const _ of repo.scan('refs/tags/')) break;
    repo.scanned = 0;
    const t0 = Date.now();
    const page1 = await items(p, find(groups, 'Tags').node);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(page1).toHaveLength(101);
    expect(repo.scanned).toBeLessThan(150);
    const more = page1[100];
    expect(more.item.label).toBe('Show more…');
    expect(more.item.command?.command).toBe('reftable.showMore');
    await (more.node as any).owner.loadMore();
    const page2 = await items(p, find(groups, 'Tags').node);
    expect(page2).toHaveLength(201);
    expect(page2[199].item.label).toBe('t000199');
    // A reload keeps the number of loaded items (no collapse back to one page).
    repo.dirty = true;
    model.repositories[0].refresh();
    const again = await items(p, find(groups, 'Tags').node);
    expect(again).toHaveLength(201);
  });

  it('shows each linked worktree HEAD in the root group', async () => {
    const { model } = await setup((r) => {
      r.set('HEAD', { target: 'refs/heads/main' });
      r.set('refs/heads/main', { oid: oid(1) });
      r.worktreeList = [{ id: 'wt', gitDir: '/w/a/.git/worktrees/wt', workTree: '/w/wt', head: { name: 'HEAD', type: 'symref', target: 'refs/heads/wtbranch', updateIndex: 3, stack: 'wt', table: 'x.ref' } }];
    });
    const p = new RefsTreeProvider(model);
    const root = await items(p, (await p.getChildren())![0]);
    expect(labels(root)).toEqual(['HEAD', 'HEAD (wt)']);
    expect(find(root, 'HEAD (wt)').item.description).toBe('→ refs/heads/wtbranch');
    expect(find(root, 'HEAD (wt)').item.contextValue).toBe('ref:worktreeHead');
  });

  it('lists one node per repository when several are open', async () => {
    const b = new FakeRepo(FakeRepo.info('/w/b'));
    b.set('refs/heads/x', { oid: oid(1) });
    const { model } = await setup((r) => r.set('refs/heads/main', { oid: oid(1) }), [b]);
    const p = new RefsTreeProvider(model);
    const roots = await items(p);
    expect(labels(roots)).toEqual(['a', 'b']);
    expect(roots[0].item.contextValue).toBe('repository');
    expect(labels(await items(p, roots[1].node))).toContain('Branches');
  });

  it('finds the node of a ref beyond the loaded pages (for reveal)', async () => {
    fake.config.set('reftable.pageSize', 10);
    const { model, repo } = await setup((r) => {
      for (let i = 0; i < 50; i++) r.set(`refs/heads/dir/b${String(i).padStart(2, '0')}`, { oid: oid(i + 1) });
    });
    const p = new RefsTreeProvider(model);
    const target = repo.ref('refs/heads/dir/b42')!;
    const node = await p.nodeFor(model.repositories[0], target);
    expect(node).toBeDefined();
    const folder = node!.parent!;
    expect(labels(await items(p, folder))).toContain('b42');
    expect(p.getParent(folder)?.getTreeItem().label).toBe('Branches');
  });
});

describe('Reflog view', () => {
  it('follows HEAD by default and the selected ref after, newest first, with recoverable refs', async () => {
    const { model, repo } = await setup((r) => {
      r.set('HEAD', { target: 'refs/heads/main' });
      r.set('refs/heads/main', { oid: oid(2) });
      const c = { name: 'C O Mitter', email: 'c@e', time: 1_700_000_000, tz: '+0000' };
      r.logs.set('HEAD', [
        { name: 'HEAD', updateIndex: 2, type: 'update', old: oid(1), new: oid(2), committer: c, message: 'commit: two\n', table: 't2.ref' },
        { name: 'HEAD', updateIndex: 1, type: 'update', old: '0'.repeat(40), new: oid(1), committer: c, message: 'commit (initial): one\n', table: 't1.ref' },
      ]);
      r.logs.set('refs/heads/main', [{ name: 'refs/heads/main', updateIndex: 2, type: 'update', old: oid(1), new: oid(2), committer: c, message: 'x\n', table: 't2.ref' }]);
      r.shadowed = [{ name: 'refs/heads/gone', oid: oid(4), table: 't1.ref', stack: 'main', updateIndex: 1 }];
    });
    fake.config.set('reftable.dateFormat', 'iso');
    const p = new ReflogTreeProvider(model);
    const head = await items(p);
    expect(labels(head)).toEqual(['commit: two', 'commit (initial): one', 'Recoverable']);
    expect(head[0].item.description).toBe(`2023-11-14 22:13:20 +0000 · C O Mitter · ${oid(1).slice(0, 7)} → ${oid(2).slice(0, 7)}`);
    expect(head[1].item.description).toContain(`∅ → ${oid(1).slice(0, 7)}`);
    const rec = await items(p, head[2].node);
    expect(labels(rec)).toEqual(['gone']);
    expect(rec[0].item.contextValue).toBe('recoverable');
    p.follow({ repo: model.repositories[0], name: 'refs/heads/main' });
    expect(labels(await items(p))).toEqual(['x', 'Recoverable']);
    void repo;
  });
});

describe('Tables view', () => {
  it('lists layers newest first and says which tables auto-compaction would merge', async () => {
    const { model } = await setup((r) => {
      // policy sizes (size − 91): 2000, 400, 500 → the newest two break the geometric rule.
      r.tableList = [table('0x1-0x5-a.ref', 2091, 1, 5), table('0x6-0x6-b.ref', 491, 6, 6), table('0x7-0x7-c.ref', 591, 7, 7)];
    });
    const p = new TablesTreeProvider(model);
    const top = await items(p);
    expect(labels(top)).toEqual(['Auto-compaction would merge 2 of 3 tables', '0x7-0x7-c.ref', '0x6-0x6-b.ref', '0x1-0x5-a.ref']);
    expect(top[0].item.contextValue).toBe('compactionHint:needed');
    expect(top[1].item.description).toContain('#7');
    expect(top[3].item.description).toContain('#1–5');
    expect(top[1].item.command?.command).toBe('reftable.openTableInspector');
    expect((top[1].item.resourceUri as vscode.Uri).fsPath).toBe('/w/a/.git/reftable/0x7-0x7-c.ref');
  });

  it('says when the stack is already geometric', async () => {
    const { model } = await setup((r) => {
      r.tableList = [table('a.ref', 4091, 1, 5), table('b.ref', 1091, 6, 6)];
    });
    const top = await items(new TablesTreeProvider(model));
    expect(top[0].item.label).toBe('2 tables: auto-compaction has nothing to merge');
    expect(top[0].item.contextValue).toBe('compactionHint');
  });
});

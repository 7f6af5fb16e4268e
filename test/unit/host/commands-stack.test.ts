/** Stack commands, the status bar and the command wrapper on real repositories. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as vscode from 'vscode';
import { COMMANDS, Commands, run } from '../../../src/commands/index.js';
import { StatusBar, statusText } from '../../../src/status.js';
import { TablesTreeProvider } from '../../../src/views/tables.js';
import { RealRepo, errors, git, gitScratchRepo, hex, realRepo } from './real-repo.js';
import { fake, workspace as fakeWorkspace } from './vscode-fake.js';

let r: RealRepo | undefined;
beforeEach(() => fake.reset());
afterEach(() => {
  r?.dispose();
  r = undefined;
  (vscode.workspace as { workspaceFolders?: unknown }).workspaceFolders = undefined;
});

/** Five one-ref tables of about the same size: not geometric, so auto-compaction has work. */
async function layered(n = 5): Promise<RealRepo> {
  return realRepo({
    fill: ({ write }) => {
      for (let i = 0; i < n; i++) write([{ op: 'create', name: `refs/heads/b${i}`, oid: hex(i + 1) }], `b${i}`);
    },
  });
}
const tableCount = (x: RealRepo) => x.repo.source.stackSummaries()[0].tableNames.length;

describe('Verify Stack', () => {
  it('puts findings into Problems on the damaged table, naming table and offset; a clean run clears them', async () => {
    r = await layered(2);
    const dir = path.join(r.info.commonDir, 'reftable');
    const names = r.repo.source.stackSummaries()[0].tableNames;
    const victim = path.join(dir, names[1]);
    const good = fs.readFileSync(victim);
    const bad = Buffer.from(good);
    bad[28] ^= 0xff; // the first ref record's prefix length
    fs.writeFileSync(victim, bad);
    fake.messageAnswers.push('Show Problems');
    await r.cmd('reftable.verifyStack');
    expect(errors()).toEqual([]);
    const problems = fake.diagnostics.get('reftable')!;
    expect([...problems.keys()]).toEqual([victim]);
    const [d] = problems.get(victim)!;
    expect(d.severity).toBe(vscode.DiagnosticSeverity.Error);
    expect(d.source).toBe('reftable');
    expect(d.message).toMatch(new RegExp(`^${names[1].replace(/\./g, '\\.')} at offset 28 \\(0x1c\\): ref block at 0: `));
    expect(d.code).toBe('format');
    expect(fake.messages.at(-1)!.text).toMatch(/^Verify Stack: [1-9]\d* errors? and \d+ warnings? in r\.$/);
    expect(fake.executed.map((e) => e.command)).toContain('workbench.actions.view.problems');

    fs.writeFileSync(victim, good);
    await r.cmd('reftable.verifyStack');
    expect(problems.size).toBe(0);
    expect(fake.messages.at(-1)!.text).toBe('Verify Stack: 3 tables of r checked, no problems found.');
  });

  it('a table missing from disk is reported on tables.list', async () => {
    r = await layered(2);
    const dir = path.join(r.info.commonDir, 'reftable');
    fs.rmSync(path.join(dir, r.repo.source.stackSummaries()[0].tableNames[0]));
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.verifyStack');
    const keys = [...fake.diagnostics.get('reftable')!.keys()].map((k) => path.basename(k));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k === 'tables.list' || k.endsWith('.ref'))).toBe(true);
  });
});

describe('Compact If Needed / Pack Refs', () => {
  it('merges what auto-compaction would merge, then reports the stack as geometric', async () => {
    r = await layered(5);
    expect(tableCount(r)).toBe(6);
    await r.cmd('reftable.compactIfNeeded');
    expect(errors()).toEqual([]);
    expect(fake.messages.at(-1)!.text).toMatch(/^Merged \d+ tables: 6 → \d tables, /);
    expect(tableCount(r)).toBeLessThan(6);
    for (let i = 0; i < 5; i++) expect(r.repo.source.ref(`refs/heads/b${i}`)?.oid).toBe(hex(i + 1));
    await r.cmd('reftable.compactIfNeeded');
    expect(fake.messages.at(-1)!.text).toMatch(/^The stack is already geometric: nothing to compact \(\d tables\)\.$/);
  });

  it('Pack Refs merges everything into one table', async () => {
    r = await layered(3);
    await r.cmd('reftable.packRefs');
    expect(errors()).toEqual([]);
    expect(tableCount(r)).toBe(1);
    expect(fake.messages.at(-1)!.text).toMatch(/^Packed refs of r: 4 tables → 1, /);
  });
});

describe('Refresh', () => {
  it('re-reads the stacks (changes git made without a watcher event) and finds new repositories', async () => {
    r = await layered(1);
    r.write([{ op: 'create', name: 'refs/heads/by-git', oid: hex(7) }]);
    expect(r.repo.source.ref('refs/heads/by-git')).toBeUndefined();
    let changed = 0;
    r.model.onDidChange(() => changed++);
    (vscode.workspace as { workspaceFolders?: unknown }).workspaceFolders = [{ uri: vscode.Uri.file(r.dir), name: 'r', index: 0 }];
    await r.cmd('reftable.refresh');
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/heads/by-git')?.oid).toBe(hex(7));
    expect(changed).toBe(1);
    expect(r.model.repositories).toHaveLength(1);
  });
});

describe('status bar', () => {
  it('shows the branch HEAD names (from the stack) and the table count; clicking shows the Tables view', async () => {
    r = await layered(2);
    const bar = new StatusBar(r.model);
    const item = fake.statusBarItems.at(-1)!;
    expect(item.visible).toBe(true);
    expect(item.text).toBe('$(git-branch) main $(layers) 3');
    expect(item.command).toBe('reftable.showTables');
    r.write([{ op: 'update', name: 'HEAD', oid: hex(9), noDeref: true }]);
    r.repo.refresh();
    expect(item.text).toBe(`$(git-branch) ${hex(9).slice(0, 7)} (detached) $(layers) 4`);
    const cmds = new Commands(r.ctx, COMMANDS.filter((c) => c.id === 'reftable.showTables'));
    await vscode.commands.executeCommand('reftable.showTables');
    expect(fake.executed.map((e) => e.command)).toContain('reftable.tables.focus');
    cmds.dispose();
    bar.dispose();
    expect(statusText(r.repo).tooltip).toMatch(/4 tables/);
  });
});

describe('the command wrapper', () => {
  it('refuses every write command in an untrusted workspace, and writes nothing', async () => {
    r = await layered(1);
    fake.trusted = false;
    const before = r.repo.source.stackSummaries()[0].tableNames.join();
    const ref = { repo: r.repo, ref: r.repo.source.ref('refs/heads/b0') };
    const writes = COMMANDS.filter((c) => c.write);
    expect(writes.map((c) => c.id).sort()).toEqual([
      'reftable.compactIfNeeded', 'reftable.createBranch', 'reftable.createRef', 'reftable.createTag', 'reftable.deleteRef',
      'reftable.deleteReflogEntry', 'reftable.expireReflog', 'reftable.packRefs', 'reftable.renameRef', 'reftable.restoreBranch',
      'reftable.setSymbolicRef', 'reftable.updateRef',
    ]);
    for (const c of writes) {
      fake.inputAnswers.push('x', 'refs/heads/b0');
      fake.messageAnswers.push('Delete');
      await run(r.ctx, c, [ref]);
    }
    expect(fake.messages.filter((m) => /not trusted/.test(m.text))).toHaveLength(writes.length);
    expect(fake.inputPrompts).toEqual([]);
    r.repo.refresh();
    expect(r.repo.source.stackSummaries()[0].tableNames.join()).toBe(before);
  });

  it('turns any failure into one message and never rejects, even when the message cannot be shown', async () => {
    r = await layered(1);
    const boom = { id: 'reftable.test', write: false, handler: () => Promise.reject(new TypeError('x is not a function')) };
    await expect(run(r.ctx, boom, [])).resolves.toBeUndefined();
    expect(fake.messages.at(-1)).toMatchObject({ level: 'error', text: 'Unexpected error: x is not a function. See the "Reftable" output for details.', items: ['Show Log'] });
    const orig = vscode.window.showErrorMessage;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = () => Promise.reject(new Error('window closed'));
    try {
      await expect(run(r.ctx, boom, [])).resolves.toBeUndefined();
      await expect(run(r.ctx, { id: 'reftable.t2', write: false, handler: () => { throw 'a string'; } }, [])).resolves.toBeUndefined();
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = orig;
    }
  });
});

describe('settings are read live', () => {
  it('confirmDelete, autoCompact and geometricFactor apply without a reload', async () => {
    r = await layered(1);
    fake.messageAnswers.push('Delete');
    await r.cmd('reftable.deleteRef', { repo: r.repo, ref: r.repo.source.ref('refs/heads/b0') });
    expect(fake.messages.filter((m) => m.modal)).toHaveLength(1);
    fake.config.set('reftable.confirmDelete', false);
    r.write([{ op: 'create', name: 'refs/heads/c', oid: hex(3) }]);
    r.repo.refresh();
    await r.cmd('reftable.deleteRef', { repo: r.repo, ref: r.repo.source.ref('refs/heads/c') });
    expect(fake.messages.filter((m) => m.modal)).toHaveLength(1);
    expect(r.repo.source.ref('refs/heads/c')).toBeUndefined();

    const tables = new TablesTreeProvider(r.model);
    let fired = 0;
    tables.onDidChangeTreeData(() => fired++);
    fakeWorkspace.fireConfigurationChanged(['reftable.geometricFactor']);
    expect(fired).toBe(1);
    fakeWorkspace.fireConfigurationChanged(['reftable.somethingElse']);
    expect(fired).toBe(1);
    tables.dispose();

    let reflogFired = 0;
    r.views.reflog.onDidChangeTreeData(() => reflogFired++);
    fakeWorkspace.fireConfigurationChanged(['reftable.pageSize']);
    fakeWorkspace.fireConfigurationChanged(['reftable.dateFormat']);
    expect(reflogFired).toBe(2);
  });
});

describe('linked worktrees (git-made)', () => {
  it('opened from a linked worktree: the status bar shows its own branch, and writes land where git puts them', async () => {
    const { tmp, home, dir: main } = gitScratchRepo('reftable-wt-', 'main');
    try {
      const wt = path.join(tmp, 'wt');
      git(main, home, ['worktree', 'add', '-q', '-b', 'feature', wt]);
      const tip = git(main, home, ['rev-parse', 'main']);
      r = await realRepo({ dir: wt });
      const bar = new StatusBar(r.model);
      expect(fake.statusBarItems.at(-1)!.text).toMatch(/^\$\(git-branch\) feature \$\(layers\) \d+$/);
      bar.dispose();
      fake.inputAnswers.push('from-wt', 'HEAD');
      await r.cmd('reftable.createBranch');
      expect(errors()).toEqual([]);
      // Branches are shared: the main worktree's git sees it.
      expect(git(main, home, ['rev-parse', 'from-wt'])).toBe(tip);
      expect(git(main, home, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
      expect(git(wt, home, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/feature');
    } finally {
      r?.dispose();
      r = undefined;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

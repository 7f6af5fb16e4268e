/** Reflog commands on real repositories: Show Reflog, Delete Reflog Entry, Expire Reflog, Restore Deleted Branch. */
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TreeNode } from '../../../src/views/node.js';
import { RecoverableNode, ReflogEntryNode } from '../../../src/views/reflog.js';
import { RealRepo, T0, errors, git, gitScratchRepo, hex, realRepo } from './real-repo.js';
import { fake } from './vscode-fake.js';

let r: RealRepo | undefined;
beforeEach(() => fake.reset());
afterEach(() => {
  r?.dispose();
  r = undefined;
});

const NOW = Math.floor(Date.now() / 1000);

/** topic: created long ago, moved twice recently; main: one entry; HEAD → main. */
async function history(): Promise<RealRepo> {
  return realRepo({
    fill: ({ write }) => {
      write([{ op: 'create', name: 'refs/heads/main', oid: hex(1) }], 'init main', T0);
      write([{ op: 'symref-update', name: 'HEAD', target: 'refs/heads/main', noDeref: true }], 'point HEAD', T0);
      write([{ op: 'create', name: 'refs/heads/topic', oid: hex(2) }], 'topic: created', T0 - 400 * 86400);
      write([{ op: 'update', name: 'refs/heads/topic', oid: hex(3), old: hex(2) }], 'topic: second', NOW - 3600);
      write([{ op: 'update', name: 'refs/heads/topic', oid: hex(4), old: hex(3) }], 'topic: third', NOW - 60);
    },
  });
}

const reflogNodes = async (x: RealRepo): Promise<TreeNode[]> => x.views.reflog.getChildren();
const entries = (x: RealRepo, name: string) => [...x.repo.source.reflog(name)].map((e) => e.message.trim());

describe('Show Reflog', () => {
  it('makes the Reflog view follow the ref and focuses it', async () => {
    r = await history();
    const ref = r.repo.source.ref('refs/heads/topic')!;
    await r.cmd('reftable.showReflog', { repo: r.repo, ref });
    expect(errors()).toEqual([]);
    expect(r.views.reflog.followed?.name).toBe('refs/heads/topic');
    expect(fake.executed.map((e) => e.command)).toContain('reftable.reflog.focus');
    const nodes = (await reflogNodes(r)).filter((n): n is ReflogEntryNode => n instanceof ReflogEntryNode);
    expect(nodes.map((n) => n.getTreeItem().label)).toEqual(['topic: third', 'topic: second', 'topic: created']);
    expect(nodes.map((n) => n.position)).toEqual([0, 1, 2]);
  });

  it('without an argument asks for the ref in the Go to Ref picker', async () => {
    r = await history();
    const done = r.cmd('reftable.showReflog');
    const { quickPick } = await import('./real-repo.js');
    const qp = await quickPick();
    qp.accept('refs/heads/main');
    await done;
    expect(r.views.reflog.followed?.name).toBe('refs/heads/main');
  });
});

describe('Delete Reflog Entry', () => {
  it('deletes exactly the entry shown, addressed by its update index', async () => {
    r = await history();
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/topic' });
    const middle = (await reflogNodes(r)).find((n): n is ReflogEntryNode => n instanceof ReflogEntryNode && n.position === 1)!;
    fake.messageAnswers.push('Delete Entry');
    await r.cmd('reftable.deleteReflogEntry', middle);
    expect(errors()).toEqual([]);
    expect(fake.messages[0]).toMatchObject({ level: 'warning', modal: true });
    expect(fake.messages[0].text).toContain('refs/heads/topic@{1}');
    expect(entries(r, 'refs/heads/topic')).toEqual(['topic: third', 'topic: created']);
    // The ref itself is untouched.
    expect(r.repo.source.ref('refs/heads/topic')?.oid).toBe(hex(4));
  });

  it('declining the confirmation writes nothing', async () => {
    r = await history();
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/topic' });
    const first = (await reflogNodes(r))[0] as ReflogEntryNode;
    const tables = r.repo.source.stackSummaries()[0].tableNames.length;
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.deleteReflogEntry', first);
    expect(r.repo.source.stackSummaries()[0].tableNames.length).toBe(tables);
    expect(entries(r, 'refs/heads/topic')).toHaveLength(3);
  });

  it('an entry deleted meanwhile (by git) is reported, and no other entry is deleted in its place', async () => {
    r = await history();
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/topic' });
    const nodes = (await reflogNodes(r)).filter((n): n is ReflogEntryNode => n instanceof ReflogEntryNode);
    fake.messageAnswers.push('Delete Entry');
    await r.cmd('reftable.deleteReflogEntry', nodes[0]);
    // The tree still shows the old node; deleting it again must not take topic@{0} (now "second").
    fake.messageAnswers.push('Delete Entry', 'Retry', undefined);
    await r.cmd('reftable.deleteReflogEntry', nodes[0]);
    expect(errors().at(-1)).toMatch(/no longer|any more|already/);
    expect(entries(r, 'refs/heads/topic')).toEqual(['topic: second', 'topic: created']);
  });

  it('refuses without an entry', async () => {
    r = await history();
    await r.cmd('reftable.deleteReflogEntry');
    expect(errors()).toEqual(['Choose a reflog entry in the Reflog view to delete it.']);
  });
});

describe('Expire Reflog', () => {
  it('a preset expires entries older than it from the chosen ref only', async () => {
    r = await history();
    const mainBefore = entries(r, 'refs/heads/main');
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'Older than 30 days'));
    fake.messageAnswers.push('Expire');
    await r.cmd('reftable.expireReflog', { repo: r.repo, ref: r.repo.source.ref('refs/heads/topic') });
    expect(errors()).toEqual([]);
    expect(entries(r, 'refs/heads/topic')).toEqual(['topic: third', 'topic: second']);
    // main's entries are older than 30 days too, but main was not chosen.
    expect(entries(r, 'refs/heads/main')).toEqual(mainBefore);
    expect(mainBefore.length).toBeGreaterThan(0);
    expect(fake.messages.at(-1)!.text).toBe('Expired 1 reflog entry.');
  });

  it('a custom date typed by the user is validated, then used as the cut-off', async () => {
    r = await history();
    const mainBefore = entries(r, 'refs/heads/main');
    // Which reflogs? (the followed ref, or every reflog) → every reflog.
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/topic' });
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label.startsWith('Every reflog')));
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'Custom date…'));
    fake.inputAnswers.push('not a date at all');
    await r.cmd('reftable.expireReflog');
    expect(fake.inputPrompts.at(-1)!.validationMessage).toMatch(/invalid expiry date/);
    expect(entries(r, 'refs/heads/topic')).toHaveLength(3);

    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label.startsWith('Every reflog')));
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'Custom date…'));
    // T0 is 2023-11-14: entries at T0 survive, the one 400 days before goes; "2 days ago" would take more.
    fake.inputAnswers.push('2023-01-01');
    fake.messageAnswers.push('Expire');
    await r.cmd('reftable.expireReflog');
    expect(errors()).toEqual([]);
    expect(fake.messages.find((m) => m.modal)!.text).toMatch(/^Expire entries older than 2023-01-01 00:00:00 \+0000 from every reflog\?$/);
    expect(entries(r, 'refs/heads/topic')).toEqual(['topic: third', 'topic: second']);
    expect(entries(r, 'refs/heads/main')).toEqual(mainBefore);
  });

  it('"All entries" empties the reflog but keeps the ref', async () => {
    r = await history();
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'All entries'));
    fake.messageAnswers.push('Expire');
    await r.cmd('reftable.expireReflog', { repo: r.repo, ref: r.repo.source.ref('refs/heads/topic') });
    expect(entries(r, 'refs/heads/topic')).toEqual([]);
    expect(r.repo.source.ref('refs/heads/topic')?.oid).toBe(hex(4));
    expect(fake.messages.at(-1)!.text).toBe('Expired 3 reflog entries.');
  });

  it('dismissing the date picker writes nothing', async () => {
    r = await history();
    const before = r.repo.source.stackSummaries()[0].tableNames.join();
    fake.quickPickAnswers.push(() => undefined);
    await r.cmd('reftable.expireReflog', { repo: r.repo, ref: r.repo.source.ref('refs/heads/topic') });
    expect(r.repo.source.stackSummaries()[0].tableNames.join()).toBe(before);
    expect(fake.messages).toEqual([]);
  });
});

describe('Restore Deleted Branch', () => {
  async function deleted(): Promise<RealRepo> {
    const x = await history();
    x.write([{ op: 'delete', name: 'refs/heads/topic', old: hex(4) }], 'branch: deleted', NOW);
    x.repo.refresh();
    expect(x.repo.source.ref('refs/heads/topic')).toBeUndefined();
    return x;
  }

  it('restores a deleted branch picked from the shadowed records, with its reflog', async () => {
    r = await deleted();
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'refs/heads/topic'));
    fake.inputAnswers.push('refs/heads/topic');
    await r.cmd('reftable.restoreBranch');
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/heads/topic')?.oid).toBe(hex(4));
    const log = entries(r, 'refs/heads/topic');
    expect(log[0]).toMatch(/restore/);
    expect(log.slice(1)).toEqual(['topic: third', 'topic: second', 'topic: created']);
    expect(fake.messages.at(-1)!.text).toBe(`Restored refs/heads/topic at ${hex(4).slice(0, 7)} with 3 reflog entries.`);
  });

  it('entries expired before the deletion stay expired', async () => {
    r = await history();
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'Older than 30 days'));
    fake.messageAnswers.push('Expire');
    await r.cmd('reftable.expireReflog', { repo: r.repo, ref: r.repo.source.ref('refs/heads/topic') });
    r.write([{ op: 'delete', name: 'refs/heads/topic', old: hex(4) }], 'branch: deleted', NOW);
    r.repo.refresh();
    fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'refs/heads/topic'));
    fake.inputAnswers.push('refs/heads/topic');
    await r.cmd('reftable.restoreBranch');
    expect(errors()).toEqual([]);
    expect(entries(r, 'refs/heads/topic').slice(1)).toEqual(['topic: third', 'topic: second']);
  });

  it('restores from a Recoverable node under another name', async () => {
    r = await deleted();
    const group = (await reflogNodes(r)).at(-1)!;
    const rec = (await group.getChildren()).find((n): n is RecoverableNode => n instanceof RecoverableNode)!;
    expect(rec.shadowed.name).toBe('refs/heads/topic');
    fake.inputAnswers.push('refs/heads/topic-again');
    await r.cmd('reftable.restoreBranch', rec);
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/heads/topic-again')?.oid).toBe(hex(4));
    expect(entries(r, 'refs/heads/topic-again').slice(1)).toEqual(['topic: third', 'topic: second', 'topic: created']);
  });

  it('never overwrites a branch git recreated meanwhile ("must not exist")', async () => {
    r = await deleted();
    const group = (await reflogNodes(r)).at(-1)!;
    const rec = (await group.getChildren()).find((n): n is RecoverableNode => n instanceof RecoverableNode)!;
    // The validation ran against the view the user had; git recreates the branch before the write.
    fake.inputAnswers.push('refs/heads/topic');
    const origAsk = r.repo.source.ref.bind(r.repo.source);
    let calls = 0;
    r.repo.source.ref = (name: string) => {
      if (name === 'refs/heads/topic' && calls++ === 0) {
        r!.write([{ op: 'create', name: 'refs/heads/topic', oid: hex(9) }], 'recreated by git', NOW);
        return undefined;
      }
      return origAsk(name);
    };
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.restoreBranch', rec);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatch(/already exists|changed since/);
    r.repo.source.ref = origAsk;
    r.repo.refresh();
    expect(r.repo.source.ref('refs/heads/topic')?.oid).toBe(hex(9));
  });

  it('restores a branch git deleted (git branch -D); git then sees the branch and its reflog', async () => {
    const { tmp, home, dir } = gitScratchRepo('reftable-restore-git-', 'g', '1700000000 +0000');
    try {
      git(dir, home, ['branch', 'topic'], '1700000100 +0000');
      git(dir, home, ['checkout', '-q', 'topic'], '1700000200 +0000');
      git(dir, home, ['commit', '-q', '--allow-empty', '-m', 'two'], '1700000300 +0000');
      git(dir, home, ['checkout', '-q', 'main'], '1700000400 +0000');
      const tip = git(dir, home, ['rev-parse', 'topic']);
      const logBefore = git(dir, home, ['reflog', 'show', '--format=%H %gs', 'topic']);
      git(dir, home, ['branch', '-q', '-D', 'topic'], '1700000500 +0000');
      r = await realRepo({ dir });
      fake.quickPickAnswers.push((items) => items.find((i: { label: string }) => i.label === 'refs/heads/topic'));
      fake.inputAnswers.push('refs/heads/topic');
      await r.cmd('reftable.restoreBranch');
      expect(errors()).toEqual([]);
      expect(git(dir, home, ['rev-parse', 'topic'])).toBe(tip);
      const logAfter = git(dir, home, ['reflog', 'show', '--format=%H %gs', 'topic']).split('\n');
      expect(logAfter[0]).toMatch(new RegExp(`^${tip} reftable: restore refs/heads/topic from 0x[0-9a-f]{12}-0x[0-9a-f]{12}-[0-9a-f]{8}\\.ref$`));
      expect(logAfter.slice(1).join('\n')).toBe(logBefore);
      expect(git(dir, home, ['fsck', '--no-progress'])).toBe('');
    } finally {
      r?.dispose();
      r = undefined;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('says so when nothing is recoverable', async () => {
    r = await history();
    await r.cmd('reftable.restoreBranch');
    expect(errors()).toEqual(['No deleted refs are left in the tables (a full compaction drops them).']);
  });
});

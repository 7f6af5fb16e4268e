/** Ref commands on real repositories: Create Ref/Tag, symbolic refs, Go to Ref, Copy Name/Id. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitObjects, noObjects } from '../../../src/commands/git.js';
import { ReflogEntryNode } from '../../../src/views/reflog.js';
import { RealRepo, errors, git, gitBinary, gitScratchRepo, hex, quickPick, realRepo } from './real-repo.js';
import { fake } from './vscode-fake.js';

let r: RealRepo | undefined;
beforeEach(() => fake.reset());
afterEach(() => {
  r?.dispose();
  r = undefined;
});

async function basic(): Promise<RealRepo> {
  return realRepo({
    fill: ({ write }) => {
      write([{ op: 'create', name: 'refs/heads/main', oid: hex(1) }], 'init');
      write([{ op: 'create', name: 'refs/heads/other', oid: hex(2) }], 'other');
    },
  });
}

describe('Create Ref', () => {
  it('creates a full-named ref at a start point, with "must not exist" as its expectation', async () => {
    r = await basic();
    fake.inputAnswers.push('refs/custom/x', 'main');
    await r.cmd('reftable.createRef');
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/custom/x')?.oid).toBe(hex(1));
    expect(fake.inputPrompts[0].value).toBe('refs/');
    expect(fake.messages.at(-1)!.text).toBe(`Created refs/custom/x at ${hex(1).slice(0, 7)}.`);
  });

  it('rejects names git would reject and names that exist, before writing', async () => {
    r = await basic();
    const tables = r.repo.source.stackSummaries()[0].tableNames.length;
    for (const bad of ['refs/a..b', 'refs/x.lock', 'refs/heads/main', 'lowercase', 'refs/with space']) {
      fake.inputAnswers.push(bad);
      await r.cmd('reftable.createRef');
      expect(fake.inputPrompts.at(-1)!.validationMessage, bad).toBeTruthy();
    }
    expect(r.repo.source.stackSummaries()[0].tableNames.length).toBe(tables);
  });

  it('a ref created by git between the prompt and the write is never overwritten', async () => {
    r = await basic();
    fake.inputAnswers.push('refs/custom/race', hex(3));
    // git creates the same name after the prompts, just before our write.
    r.ctx.objects = {
      ...noObjects,
      peel: async () => {
        r!.write([{ op: 'create', name: 'refs/custom/race', oid: hex(9) }], 'git');
        return undefined;
      },
    };
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.createRef');
    expect(errors()[0]).toMatch(/changed since it was shown|already exists/);
    r.repo.refresh();
    expect(r.repo.source.ref('refs/custom/race')?.oid).toBe(hex(9));
  });

  it('from a reflog entry node, starts at that entry\'s new id', async () => {
    r = await basic();
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/main' });
    const entry = (await r.views.reflog.getChildren()).find((n): n is ReflogEntryNode => n instanceof ReflogEntryNode)!;
    fake.inputAnswers.push('from-log');
    await r.cmd('reftable.createBranch', entry);
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/heads/from-log')?.oid).toBe(hex(1));
  });
});

describe('Update Ref / Delete Ref', () => {
  it('updates expecting the value shown; a move by git in between fails with Retry, and Retry expects the new value', async () => {
    r = await basic();
    const shown = r.repo.source.ref('refs/heads/main')!;
    r.write([{ op: 'update', name: 'refs/heads/main', oid: hex(5), old: hex(1) }], 'moved by git');
    fake.inputAnswers.push('other', 'other');
    fake.messageAnswers.push('Retry');
    await r.cmd('reftable.updateRef', { repo: r.repo, ref: shown });
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatch(/^The ref changed since it was shown: .*Retry uses its current value\.$/);
    expect(fake.messages.find((m) => m.level === 'error')!.items).toEqual(['Retry', 'Show Log']);
    expect(r.repo.source.ref('refs/heads/main')?.oid).toBe(hex(2));
    // The reflog has git's move and then ours: nothing was lost.
    expect([...r.repo.source.reflog('refs/heads/main')].map((e) => [e.old, e.new])).toEqual([[hex(5), hex(2)], [hex(1), hex(5)], ['0'.repeat(40), hex(1)]]);
  });

  it('declining Retry leaves git\'s value in place', async () => {
    r = await basic();
    const shown = r.repo.source.ref('refs/heads/other')!;
    r.write([{ op: 'delete', name: 'refs/heads/other', old: hex(2) }], 'deleted by git');
    fake.config.set('reftable.confirmDelete', false);
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.deleteRef', { repo: r.repo, ref: shown });
    expect(errors()).toHaveLength(1);
    r.repo.refresh();
    expect(r.repo.source.ref('refs/heads/other')).toBeUndefined();
    expect(r.repo.source.shadowedRefs().map((x) => x.name)).toEqual(['refs/heads/other']);
  });
});

describe('Create Tag', () => {
  it('without git writes a lightweight tag and never asks for a message', async () => {
    r = await basic();
    fake.inputAnswers.push('v1', 'main');
    await r.cmd('reftable.createTag');
    expect(errors()).toEqual([]);
    const t = r.repo.source.ref('refs/tags/v1')!;
    expect(t).toMatchObject({ type: 'oid', oid: hex(1) });
    expect(fake.inputPrompts).toHaveLength(2);
  });

  describe('with git (reftable.gitPath)', () => {
    let tmp: string;
    let home: string;
    let dir: string;
    let commit: string;
    let tagObject: string;
    beforeEach(() => {
      ({ tmp, home, dir } = gitScratchRepo('reftable-tag-', 'g'));
      commit = git(dir, home, ['rev-parse', 'HEAD']);
      git(dir, home, ['tag', '-a', '-m', 'annotated', 'v0']);
      tagObject = git(dir, home, ['rev-parse', 'v0']);
      fake.config.set('reftable.gitPath', gitBinary());
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('a tag at an annotated tag object stores the peeled commit (value type 2)', async () => {
      r = await realRepo({ dir, objects: new GitObjects() });
      fake.inputAnswers.push('copy-of-v0', tagObject, '');
      await r.cmd('reftable.createTag');
      expect(errors()).toEqual([]);
      expect(r.repo.source.ref('refs/tags/copy-of-v0')).toMatchObject({ type: 'peeled', oid: tagObject, peeled: commit });
      expect(git(dir, home, ['show-ref', '-d', 'copy-of-v0'])).toBe(`${tagObject} refs/tags/copy-of-v0\n${commit} refs/tags/copy-of-v0^{}`);
    });

    it('a message makes an annotated tag: git writes the tag object, we write the peeled ref', async () => {
      r = await realRepo({ dir, objects: new GitObjects() });
      fake.inputAnswers.push('v1', 'main', 'Release 1');
      await r.cmd('reftable.createTag');
      expect(errors()).toEqual([]);
      const t = r.repo.source.ref('refs/tags/v1')!;
      expect(t.type).toBe('peeled');
      expect(t.peeled).toBe(commit);
      expect(git(dir, home, ['cat-file', '-t', t.oid!])).toBe('tag');
      expect(git(dir, home, ['for-each-ref', '--format=%(contents:subject) %(*objectname)', 'refs/tags/v1'])).toBe(`Release 1 ${commit}`);
      expect(git(dir, home, ['fsck', '--no-progress'])).toBe('');
    });

    it('an abbreviated id is expanded by git', async () => {
      r = await realRepo({ dir, objects: new GitObjects() });
      fake.inputAnswers.push('short', commit.slice(0, 8), '');
      await r.cmd('reftable.createTag');
      expect(errors()).toEqual([]);
      expect(r.repo.source.ref('refs/tags/short')).toMatchObject({ type: 'oid', oid: commit });
    });

    it('a changed reftable.gitPath applies at once, also after git was missing', async () => {
      fake.config.set('reftable.gitPath', path.join(tmp, 'no-such-git'));
      const objects = new GitObjects();
      r = await realRepo({ dir, objects });
      expect(await objects.peel(r.info, tagObject)).toBeUndefined();
      fake.config.set('reftable.gitPath', gitBinary());
      expect(await objects.peel(r.info, tagObject)).toBe(commit);
    });
  });
});

describe('Create or Retarget Symbolic Ref', () => {
  it('creates a new symref ("must not exist"), then retargets it expecting the shown target', async () => {
    r = await basic();
    fake.inputAnswers.push('refs/custom/sym', 'refs/heads/main');
    await r.cmd('reftable.setSymbolicRef');
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('refs/custom/sym')).toMatchObject({ type: 'symref', target: 'refs/heads/main' });

    const shown = r.repo.source.ref('refs/custom/sym')!;
    fake.inputAnswers.push('refs/heads/other');
    await r.cmd('reftable.setSymbolicRef', { repo: r.repo, ref: shown });
    expect(errors()).toEqual([]);
    expect(fake.inputPrompts.at(-1)!.value).toBe('refs/heads/main');
    expect(r.repo.source.ref('refs/custom/sym')?.target).toBe('refs/heads/other');
    expect(r.repo.source.resolve('refs/custom/sym')).toBe(hex(2));
  });

  it('a retarget by git after the tree showed the symref fails with Retry; Retry uses the current target', async () => {
    r = await basic();
    r.write([{ op: 'symref-create', name: 'refs/custom/sym', target: 'refs/heads/main' }]);
    r.repo.refresh();
    const shown = r.repo.source.ref('refs/custom/sym')!;
    r.write([{ op: 'symref-update', name: 'refs/custom/sym', target: 'refs/heads/other', noDeref: true }]);
    fake.inputAnswers.push('refs/heads/third', 'refs/heads/third');
    fake.messageAnswers.push('Retry');
    await r.cmd('reftable.setSymbolicRef', { repo: r.repo, ref: shown });
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatch(/changed since it was shown/);
    expect(r.repo.source.ref('refs/custom/sym')?.target).toBe('refs/heads/third');
    // The second prompt offered the target git had set, not the stale one.
    expect(fake.inputPrompts.at(-1)!.value).toBe('refs/heads/other');
  });

  it('HEAD can be retargeted; replacing a plain ref asks first', async () => {
    r = await basic();
    fake.inputAnswers.push('HEAD', 'refs/heads/other');
    await r.cmd('reftable.setSymbolicRef');
    expect(errors()).toEqual([]);
    expect(r.repo.source.ref('HEAD')?.target).toBe('refs/heads/other');
    // The branch HEAD pointed to is left alone (no dereference).
    expect(r.repo.source.ref('refs/heads/main')).toMatchObject({ type: 'oid', oid: hex(1) });

    fake.inputAnswers.push('refs/heads/main', 'refs/heads/other');
    fake.messageAnswers.push(undefined);
    await r.cmd('reftable.setSymbolicRef');
    expect(fake.messages.at(-1)!.modal).toBe(true);
    expect(r.repo.source.ref('refs/heads/main')?.type).toBe('oid');
  });
});

describe('Go to Ref', () => {
  it('streams every ref of a big repository into the picker in chunks, then reveals the chosen one', async () => {
    r = await realRepo({
      fill: ({ write }) => {
        const ups = [];
        for (let i = 0; i < 6000; i++) ups.push({ op: 'create' as const, name: `refs/heads/b/${String(i).padStart(5, '0')}`, oid: hex(i + 1) });
        write(ups, 'many');
      },
    });
    const done = r.cmd('reftable.goToRef');
    const qp = await quickPick();
    expect(qp.items).toHaveLength(6000 + 1); // + HEAD (dangling symref to main)
    // More than one publication: the first paint did not wait for the whole list.
    expect(fake.quickPickItemSets.length).toBeGreaterThan(1);
    expect(fake.quickPickItemSets[0]).toBeLessThan(6001);
    expect(qp.matchOnDescription).toBe(true);
    qp.accept('refs/heads/b/04321');
    await done;
    expect(errors()).toEqual([]);
    expect(qp.disposed).toBe(true);
    expect(r.views.reflog.followed?.name).toBe('refs/heads/b/04321');
    const rev = fake.revealed.at(-1) as { view: string; node: { ref: { name: string } } };
    expect(rev.view).toBe('reftable.refs');
    expect(rev.node.ref.name).toBe('refs/heads/b/04321');
  });

  it('a pasted object id (full, padded, upper case or abbreviated) lists the refs pointing at it first', async () => {
    const id = 'deadbeef'.padEnd(40, '7');
    r = await basic();
    r.write([{ op: 'create', name: 'refs/tags/t', oid: id }, { op: 'update', name: 'refs/heads/other', oid: id, old: hex(2) }]);
    r.repo.refresh();
    const done = r.cmd('reftable.goToRef');
    const qp = await quickPick();
    const pinned = () => qp.items.filter((i: { alwaysShow?: boolean }) => i.alwaysShow).map((i: { label: string }) => i.label);
    qp.type(id);
    expect(pinned()).toEqual(['refs/heads/other', 'refs/tags/t']);
    qp.type(`  ${id.toUpperCase()} `);
    expect(pinned()).toEqual(['refs/heads/other', 'refs/tags/t']);
    qp.type('deadbee');
    expect(pinned()).toEqual(['refs/heads/other', 'refs/tags/t']);
    // Short hex strings are ordinary name searches.
    qp.type('dead');
    expect(pinned()).toEqual([]);
    qp.type('');
    expect(pinned()).toEqual([]);
    qp.hide();
    await done;
    expect(errors()).toEqual([]);
  });

  it('with no repository open says so instead of showing an empty picker', async () => {
    r = await basic();
    r.model.dispose();
    await r.cmd('reftable.goToRef');
    expect(errors()[0]).toMatch(/^No reftable repository is open/);
    expect(fake.lastQuickPick).toBeUndefined();
  });

  it('dismissing the picker does nothing', async () => {
    r = await basic();
    const done = r.cmd('reftable.goToRef');
    (await quickPick()).hide();
    await done;
    expect(fake.revealed).toEqual([]);
    expect(fake.messages).toEqual([]);
  });
});

describe('Copy Name / Copy Id', () => {
  it('copies names, ids (through symrefs), reflog entry ids and recoverable ids; a dangling symref is explained', async () => {
    r = await basic();
    r.write([{ op: 'symref-update', name: 'HEAD', target: 'refs/heads/main', noDeref: true }]);
    r.write([{ op: 'symref-create', name: 'refs/custom/dangling', target: 'refs/heads/nothing' }]);
    r.write([{ op: 'delete', name: 'refs/heads/other', old: hex(2) }]);
    r.repo.refresh();
    await r.cmd('reftable.copyName', { repo: r.repo, ref: r.repo.source.ref('refs/heads/main') });
    expect(fake.clipboard).toBe('refs/heads/main');
    await r.cmd('reftable.copyId', { repo: r.repo, ref: r.repo.source.ref('HEAD') });
    expect(fake.clipboard).toBe(hex(1));
    r.views.reflog.follow({ repo: r.repo, name: 'refs/heads/main' });
    const entry = (await r.views.reflog.getChildren()).find((n): n is ReflogEntryNode => n instanceof ReflogEntryNode)!;
    fake.clipboard = '';
    await r.cmd('reftable.copyId', entry);
    expect(fake.clipboard).toBe(hex(1));
    await r.cmd('reftable.copyId', { repo: r.repo, shadowed: r.repo.source.shadowedRefs()[0] });
    expect(fake.clipboard).toBe(hex(2));
    await r.cmd('reftable.copyId', { repo: r.repo, ref: r.repo.source.ref('refs/custom/dangling') });
    expect(errors()).toEqual(['refs/custom/dangling points at refs/heads/nothing, which does not exist.']);
    expect(fake.clipboard).toBe(hex(2));
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepositoryModel } from '../../../src/model/model.js';
import { Repository } from '../../../src/model/repository.js';
import { debounce } from '../../../src/model/watch.js';
import { storeBackend } from '../../../src/model/store-adapter.js';
import { initRepository } from '../../../src/store/init.js';
import { applyTransaction } from '../../../src/store/transaction.js';
import { FakeBackend, FakeRepo, oid } from './fake-store.js';

const ENV = { GIT_COMMITTER_NAME: 'C O Mitter', GIT_COMMITTER_EMAIL: 'c@example.com', GIT_COMMITTER_DATE: '1700000000 +0000' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-host-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('debounce', () => {
  it('runs once after a burst, after the quiet period', async () => {
    let n = 0;
    const d = debounce(() => n++, 40);
    for (let i = 0; i < 10; i++) d();
    await sleep(15);
    d();
    expect(n).toBe(0);
    await sleep(80);
    expect(n).toBe(1);
  });
});

describe('RepositoryModel on real repositories', () => {
  it('finds a reftable repository and reloads after a change to tables.list, within a second', async () => {
    const dir = path.join(tmp, 'repo');
    const info = initRepository(dir);
    applyTransaction(info, [{ op: 'create', name: 'refs/heads/main', oid: oid(1) }], { message: 'init', committer: { name: 'a', email: 'a@b', time: 1, tz: '+0000' } });
    const model = new RepositoryModel(storeBackend);
    try {
      await model.scan([tmp]);
      expect(model.repositories).toHaveLength(1);
      const repo = model.repositories[0];
      expect(repo.source.ref('refs/heads/main')?.oid).toBe(oid(1));
      expect(repo.watchedDirs()).toEqual([path.join(dir, '.git', 'reftable')]);

      let changes = 0;
      repo.onDidChange(() => changes++);
      const t0 = Date.now();
      // Two commits in quick succession (like a git command that writes twice): one reload.
      applyTransaction(info, [{ op: 'create', name: 'refs/heads/topic', oid: oid(2) }], { message: 'x', autoCompact: false, env: { ...process.env, ...ENV } });
      applyTransaction(info, [{ op: 'create', name: 'refs/tags/v1', oid: oid(3) }], { message: 'y', autoCompact: false, env: { ...process.env, ...ENV } });
      await until(() => repo.source.ref('refs/tags/v1') !== undefined && changes > 0);
      expect(Date.now() - t0).toBeLessThan(1000);
      await sleep(300);
      expect(changes).toBe(1);
      expect(repo.source.ref('refs/heads/topic')?.oid).toBe(oid(2));
    } finally {
      model.dispose();
    }
  });

  it('reports files-backend repositories separately and does not open them', async () => {
    const dir = path.join(tmp, 'files');
    fs.mkdirSync(path.join(dir, '.git', 'objects'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git', 'refs', 'heads'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(dir, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n');
    const model = new RepositoryModel(storeBackend);
    try {
      await model.scan([dir]);
      expect(model.repositories).toHaveLength(0);
      expect(model.filesBackendRepositories).toHaveLength(1);
    } finally {
      model.dispose();
    }
  });

  it('watches the stack of every linked worktree and shows each worktree HEAD', async () => {
    const src = path.resolve('test/fixtures/worktree.git');
    const dst = path.join(tmp, 'worktree.git');
    fs.cpSync(src, dst, { recursive: true });
    const model = new RepositoryModel(storeBackend);
    try {
      await model.scan([dst]);
      expect(model.repositories).toHaveLength(1);
      const repo = model.repositories[0];
      const dirs = repo.watchedDirs().map((d) => path.relative(dst, d)).sort();
      expect(dirs).toEqual(['reftable', path.join('worktrees', 'wt', 'reftable')]);
      const wts = repo.source.worktrees();
      expect(wts.map((w) => w.id)).toEqual(['wt']);
      expect(wts[0].head).toBeDefined();
      let changed = 0;
      repo.onDidChange(() => changed++);
      // A change in the worktree's own stack alone must be noticed.
      const wtInfo = { ...repo.info, gitDir: path.join(dst, 'worktrees', 'wt'), worktreeId: 'wt' };
      applyTransaction(wtInfo, [{ op: 'create', name: 'refs/worktree/mark', oid: wts[0].head!.oid ?? oid(9) }], { message: 'm', autoCompact: false, env: { ...process.env, ...ENV } });
      await until(() => changed > 0);
      expect(repo.source.stackSummaries().find((s) => s.id === 'wt')!.tableNames.length).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });
});

describe('Repository with a fake store', () => {
  it('fires only when the reload found a change, and refresh() reloads at once', async () => {
    const fake = new FakeRepo(FakeRepo.info('/w/a'));
    const watchers: (() => void)[] = [];
    const repo = new Repository({ source: fake, writer: fake }, { debounceMs: 20, watch: (_d, cb) => (watchers.push(cb), { dispose() {} }) });
    let fired = 0;
    repo.onDidChange(() => fired++);
    expect(watchers).toHaveLength(1);
    watchers[0]();
    await sleep(60);
    expect(fake.reloads).toBe(1);
    expect(fired).toBe(0);
    fake.dirty = true;
    watchers[0]();
    watchers[0]();
    await sleep(60);
    expect(fake.reloads).toBe(2);
    expect(fired).toBe(1);
    const gen = repo.generation;
    repo.refresh();
    expect(fake.reloads).toBe(3);
    expect(repo.generation).toBe(gen + 1);
    repo.dispose();
    expect(fake.closed).toBe(true);
  });

  it('dedupes repositories by common dir and closes those no folder holds', async () => {
    const backend = new FakeBackend();
    const a = backend.add(new FakeRepo(FakeRepo.info('/w/a')));
    backend.add(new FakeRepo(FakeRepo.info('/w/a/nested')));
    const model = new RepositoryModel(backend, { watch: () => ({ dispose() {} }) });
    let events = 0;
    model.onDidChangeRepositories(() => events++);
    await model.scan(['/w/a', '/w/a']);
    expect(model.repositories.map((r) => r.info.workTree)).toEqual(['/w/a', '/w/a/nested']);
    expect(model.repositoryFor('/w/a/nested/file.txt')?.info.workTree).toBe('/w/a/nested');
    expect(model.repositoryFor('/w/a/src/x.ts')?.info.workTree).toBe('/w/a');
    await model.scan([]);
    expect(model.repositories).toHaveLength(0);
    expect(a.closed).toBe(true);
    expect(events).toBe(2);
    model.dispose();
  });
});

import { describe, expect, it } from 'vitest';
import { keyAfterFolder, listFolder } from '../../../src/model/listing.js';
import { FakeRepo, oid } from './fake-store.js';

function repoWith(names: string[]): FakeRepo {
  const r = new FakeRepo(FakeRepo.info('/w/a'));
  names.forEach((n, i) => r.set(n, { oid: oid(i + 1) }));
  return r;
}

describe('listFolder', () => {
  it('groups names into folders by "/" in byte order', async () => {
    const r = repoWith(['refs/heads/main', 'refs/heads/feature/a', 'refs/heads/feature/b/c', 'refs/heads/fix', 'refs/heads/feature.x', 'refs/tags/v1']);
    const page = await listFolder(r, 'refs/heads/', { limit: 100 });
    expect(page.items.map((i) => `${i.kind}:${i.label}`)).toEqual(['ref:feature.x', 'folder:feature', 'ref:fix', 'ref:main']);
    expect(page.next).toBeUndefined();
    const sub = await listFolder(r, 'refs/heads/feature/', { limit: 100 });
    expect(sub.items.map((i) => `${i.kind}:${i.label}`)).toEqual(['ref:a', 'folder:b']);
  });

  it('keyAfterFolder sorts right after everything in the folder', () => {
    expect(keyAfterFolder('refs/heads/a/')).toBe('refs/heads/a0');
    expect('refs/heads/a/zzz' < keyAfterFolder('refs/heads/a/')).toBe(true);
    expect('refs/heads/a0' >= keyAfterFolder('refs/heads/a/')).toBe(true);
  });

  it('skips a huge sub-folder by seeking, without reading its refs', async () => {
    const names = ['refs/heads/main'];
    for (let i = 0; i < 50_000; i++) names.push(`refs/heads/big/${String(i).padStart(6, '0')}`);
    const r = repoWith(names);
    const page = await listFolder(r, 'refs/heads/', { limit: 500 });
    expect(page.items.map((i) => i.label)).toEqual(['big', 'main']);
    expect(r.scanned).toBeLessThan(10);
  });

  it('pages a flat folder and resumes where the last page stopped', async () => {
    const names: string[] = [];
    for (let i = 0; i < 1234; i++) names.push(`refs/tags/t${String(i).padStart(5, '0')}`);
    const r = repoWith(names);
    const p1 = await listFolder(r, 'refs/tags/', { limit: 500 });
    expect(p1.items).toHaveLength(500);
    expect(p1.next).toBe('refs/tags/t00500');
    const p2 = await listFolder(r, 'refs/tags/', { limit: 500, from: p1.next });
    const p3 = await listFolder(r, 'refs/tags/', { limit: 500, from: p2.next });
    expect(p3.items).toHaveLength(234);
    expect(p3.next).toBeUndefined();
    const all = [...p1.items, ...p2.items, ...p3.items].map((i) => i.label);
    expect(new Set(all).size).toBe(1234);
  });

  it('yields to the event loop during long listings', async () => {
    const names: string[] = [];
    for (let i = 0; i < 5000; i++) names.push(`refs/tags/t${String(i).padStart(5, '0')}`);
    const r = repoWith(names);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const immediate = new Promise<void>((res) => setImmediate(() => { ticks++; res(); }));
    const page = await listFolder(r, 'refs/tags/', { limit: 5000, chunk: 100 });
    clearInterval(timer);
    await immediate;
    expect(page.items).toHaveLength(5000);
    expect(ticks).toBeGreaterThan(0);
    // Each chunk re-seeks, proving the generator was not held across the yield.
    expect(r.seeks).toBeGreaterThanOrEqual(50);
  });

  it('leaves out excluded folders', async () => {
    const r = repoWith(['refs/heads/main', 'refs/notes/commits', 'refs/stash', 'refs/tags/v1', 'refs/pull/1/head']);
    const page = await listFolder(r, 'refs/', { limit: 10, excludeFolder: (p) => ['refs/heads/', 'refs/tags/', 'refs/remotes/'].includes(p) });
    expect(page.items.map((i) => `${i.kind}:${i.label}`)).toEqual(['folder:notes', 'folder:pull', 'ref:stash']);
  });
});

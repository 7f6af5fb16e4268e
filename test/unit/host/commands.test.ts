import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import * as vscode from 'vscode';
import { ErrorCode, ReftableError } from '../../../src/engine/errors.js';
import { COMMANDS, Commands, run } from '../../../src/commands/index.js';
import type { CommandContext } from '../../../src/commands/context.js';
import { describeError } from '../../../src/commands/errors.js';
import { noObjects } from '../../../src/commands/git.js';
import { findingsToDiagnostics } from '../../../src/commands/stack.js';
import { RepositoryModel } from '../../../src/model/model.js';
import { setAutoCompactSetting, storeBackend } from '../../../src/model/store-adapter.js';
import { initRepository } from '../../../src/store/init.js';
import { applyTransaction } from '../../../src/store/transaction.js';
import { FakeBackend, FakeRepo, oid } from './fake-store.js';
import { fake } from './vscode-fake.js';

async function context(fill: (r: FakeRepo) => void): Promise<{ ctx: CommandContext; repo: FakeRepo; model: RepositoryModel }> {
  const backend = new FakeBackend();
  const repo = backend.add(new FakeRepo(FakeRepo.info('/w/a')));
  fill(repo);
  const model = new RepositoryModel(backend, { watch: () => ({ dispose() {} }) });
  await model.scan(['/w/a']);
  const ctx: CommandContext = { model, diagnostics: vscode.languages.createDiagnosticCollection('t'), objects: noObjects, inspectorAvailable: () => false };
  return { ctx, repo, model };
}
const spec = (id: string) => COMMANDS.find((c) => c.id === id)!;
const node = (model: RepositoryModel, r: FakeRepo, name: string) => ({ repo: model.repositories[0], ref: { ...r.ref(name)! } });

beforeEach(() => fake.reset());

describe('command table', () => {
  it('registers every command under a reftable.* id that package.json declares', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    const d = new Commands({} as CommandContext);
    for (const c of COMMANDS) {
      expect(c.id).toMatch(/^reftable\.[a-z]+[A-Za-z]*$/);
      expect(declared.has(c.id)).toBe(true);
      expect(fake.commands.has(c.id)).toBe(true);
    }
    d.dispose();
    expect(fake.commands.size).toBe(0);
  });
});

describe('writes carry the value the user saw', () => {
  it('deletes with the shown value as expectation, after confirmation', async () => {
    const { ctx, repo, model } = await context((r) => r.set('refs/heads/topic', { oid: oid(1) }));
    fake.messageAnswers.push('Delete');
    await run(ctx, spec('reftable.deleteRef'), [node(model, repo, 'refs/heads/topic')]);
    expect(fake.messages[0].text).toContain('Delete refs/heads/topic');
    expect(fake.messages[0].modal).toBe(true);
    expect(repo.transactions).toHaveLength(1);
    expect(repo.transactions[0].updates).toEqual([{ op: 'delete', name: 'refs/heads/topic', old: oid(1), noDeref: true }]);
    expect(repo.ref('refs/heads/topic')).toBeUndefined();
    expect(fake.executed.some((e) => e.command === 'git.refresh')).toBe(true);
  });

  it('a concurrent change fails with a Retry message; Retry re-reads and succeeds without losing the update', async () => {
    const { ctx, repo, model } = await context((r) => r.set('refs/heads/topic', { oid: oid(1) }));
    const shown = node(model, repo, 'refs/heads/topic');
    // git moves the branch after the tree showed it
    repo.set('refs/heads/topic', { oid: oid(2) });
    fake.config.set('reftable.confirmDelete', false);
    fake.messageAnswers.push('Retry');
    await run(ctx, spec('reftable.deleteRef'), [shown]);
    const err = fake.messages.find((m) => m.level === 'error')!;
    expect(err.text).toMatch(/changed since it was shown/);
    expect(err.items).toContain('Retry');
    // First attempt expected the stale value and wrote nothing; the retry expected the current one.
    expect(repo.transactions).toHaveLength(1);
    expect(repo.transactions[0].updates[0]).toMatchObject({ op: 'delete', old: oid(2) });
  });

  it('a held lock is reported with Retry and nothing is written when the user declines', async () => {
    const { ctx, repo, model } = await context((r) => r.set('refs/heads/topic', { oid: oid(1) }));
    repo.failNext = new ReftableError(ErrorCode.Lock, 'cannot lock references', { file: 'tables.list.lock' });
    fake.inputAnswers.push(oid(3));
    fake.messageAnswers.push(undefined);
    await run(ctx, spec('reftable.updateRef'), [node(model, repo, 'refs/heads/topic')]);
    const err = fake.messages.find((m) => m.level === 'error')!;
    expect(err.text).toMatch(/Another process \(probably git\)/);
    expect(err.items).toEqual(['Retry', 'Show Log']);
    expect(repo.ref('refs/heads/topic')!.oid).toBe(oid(1));
  });

  it('creates a branch at a ref and refuses invalid or existing names', async () => {
    const { ctx, repo } = await context((r) => {
      r.set('HEAD', { target: 'refs/heads/main' });
      r.set('refs/heads/main', { oid: oid(1) });
    });
    fake.inputAnswers.push('feature/x', 'main');
    await run(ctx, spec('reftable.createBranch'), []);
    expect(repo.transactions[0].updates).toEqual([{ op: 'create', name: 'refs/heads/feature/x', oid: oid(1), peeled: undefined }]);
    expect(repo.transactions[0].opts.message).toBe('branch: Created from refs/heads/main');
    fake.inputAnswers.push('bad..name');
    await run(ctx, spec('reftable.createBranch'), []);
    expect(fake.inputPrompts.at(-1)!.validationMessage).toMatch(/not a valid ref name/);
    fake.inputAnswers.push('main');
    await run(ctx, spec('reftable.createBranch'), []);
    expect(fake.inputPrompts.at(-1)!.validationMessage).toBe('refs/heads/main already exists');
    expect(repo.transactions).toHaveLength(1);
  });

  it('refuses writes in an untrusted workspace', async () => {
    const { ctx, repo, model } = await context((r) => r.set('refs/heads/topic', { oid: oid(1) }));
    fake.trusted = false;
    fake.messageAnswers.push('Delete');
    await run(ctx, spec('reftable.deleteRef'), [node(model, repo, 'refs/heads/topic')]);
    expect(repo.transactions).toHaveLength(0);
    expect(fake.messages[0].text).toMatch(/not trusted/);
  });

  it('copies names and ids, following symrefs', async () => {
    const { ctx, repo, model } = await context((r) => {
      r.set('HEAD', { target: 'refs/heads/main' });
      r.set('refs/heads/main', { oid: oid(1) });
    });
    await run(ctx, spec('reftable.copyId'), [node(model, repo, 'HEAD')]);
    expect(fake.clipboard).toBe(oid(1));
    await run(ctx, spec('reftable.copyName'), [node(model, repo, 'refs/heads/main')]);
    expect(fake.clipboard).toBe('refs/heads/main');
  });

  it('reports the full-compaction summary', async () => {
    const { ctx, repo } = await context((r) => {
      r.tableList = [
        { name: 'a', size: 3000, minUpdateIndex: 1, maxUpdateIndex: 1, refCount: 1, logCount: 0, objCount: 0, refTombstones: 0, logTombstones: 0, blocks: { ref: 1, obj: 0, log: 0, index: 0 } },
        { name: 'b', size: 1000, minUpdateIndex: 2, maxUpdateIndex: 2, refCount: 1, logCount: 0, objCount: 0, refTombstones: 0, logTombstones: 0, blocks: { ref: 1, obj: 0, log: 0, index: 0 } },
      ];
    });
    await run(ctx, spec('reftable.packRefs'), []);
    expect(repo.compactions).toEqual(['full']);
    expect(fake.messages.at(-1)!.text).toBe('Packed refs of a: 2 tables → 1, 3.9 KiB → 2.3 KiB.');
  });
});

describe('error mapping', () => {
  it('maps each conflict code to a retryable message and the rest to plain ones', () => {
    for (const code of [ErrorCode.Lock, ErrorCode.Expectation, ErrorCode.Outdated]) {
      expect(describeError(new ReftableError(code, 'x')).retry).toBe(true);
    }
    const damaged = describeError(new ReftableError(ErrorCode.Checksum, 'footer CRC mismatch', { file: '0x1-0x2-abc.ref', offset: 4096 }));
    expect(damaged).toEqual({ text: 'A reftable file is damaged (0x1-0x2-abc.ref at offset 4096): footer CRC mismatch. Run "Reftable: Verify Stack" for details.', retry: false });
    expect(describeError(new ReftableError(ErrorCode.RefName, "refs/heads/a..b: contains '..'")).text).toMatch(/^Invalid ref name/);
    expect(describeError(Object.assign(new Error('x'), { code: 'EACCES', path: '/r/.git/reftable' })).text).toBe('Permission denied: /r/.git/reftable. Nothing was changed.');
    expect(describeError(new Error('boom')).text).toMatch(/^Unexpected error: boom/);
  });

  it('verify findings become Problems keyed on each table file with its offset', () => {
    const d = findingsToDiagnostics([
      { severity: 'error', file: '0x1-0x1-a.ref', offset: 100, code: 'crc', message: 'bad CRC', dir: '/r/.git/reftable' },
      { severity: 'warning', file: 'tables.list', code: 'stale-lock', message: 'old lock', dir: '/r/.git/reftable' },
    ]);
    expect([...d.keys()]).toEqual(['/r/.git/reftable/0x1-0x1-a.ref', '/r/.git/reftable/tables.list']);
    const [e] = d.get('/r/.git/reftable/0x1-0x1-a.ref')!;
    expect(e.message).toBe('0x1-0x1-a.ref at offset 100 (0x64): bad CRC');
    expect(e.code).toBe('crc');
    expect(e.severity).toBe(vscode.DiagnosticSeverity.Error);
  });
});

describe('on a real repository', () => {
  it('renames in one atomic table and refuses when the ref moved', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-cmd-'));
    try {
      const info = initRepository(path.join(tmp, 'r'));
      const who = { name: 'C', email: 'c@e', time: 1_700_000_000, tz: '+0000' };
      applyTransaction(info, [{ op: 'create', name: 'refs/heads/old', oid: oid(1) }], { message: 'a', committer: who, autoCompact: false });
      const model = new RepositoryModel(storeBackend);
      await model.scan([path.join(tmp, 'r')]);
      const repo = model.repositories[0];
      const ctx: CommandContext = { model, diagnostics: vscode.languages.createDiagnosticCollection('t'), objects: noObjects, inspectorAvailable: () => false };
      // Without auto-compaction every write shows up as exactly the tables it added.
      setAutoCompactSetting(() => false);
      const before = repo.source.stackSummaries()[0].tableNames.length;
      fake.inputAnswers.push('refs/heads/new');
      await run(ctx, spec('reftable.renameRef'), [{ repo, ref: repo.source.ref('refs/heads/old') }]);
      expect(fake.messages.filter((m) => m.level === 'error')).toEqual([]);
      expect(repo.source.ref('refs/heads/old')).toBeUndefined();
      expect(repo.source.ref('refs/heads/new')?.oid).toBe(oid(1));
      expect(repo.source.stackSummaries()[0].tableNames.length).toBe(before + 1);
      expect([...repo.source.reflog('refs/heads/new')].length).toBeGreaterThan(0);

      // Shown at oid(1), moved by someone else to oid(2): the rename must not happen.
      const shown = repo.source.ref('refs/heads/new')!;
      applyTransaction(info, [{ op: 'update', name: 'refs/heads/new', oid: oid(2) }], { message: 'b', committer: who, autoCompact: false });
      fake.inputAnswers.push('refs/heads/newer');
      fake.messageAnswers.push(undefined);
      await run(ctx, spec('reftable.renameRef'), [{ repo, ref: shown }]);
      expect(fake.messages.at(-1)!.items).toContain('Retry');
      repo.refresh();
      expect(repo.source.ref('refs/heads/newer')).toBeUndefined();
      expect(repo.source.ref('refs/heads/new')?.oid).toBe(oid(2));

      // Delete through the real store, with the value shown, and find it as recoverable.
      fake.config.set('reftable.confirmDelete', false);
      await run(ctx, spec('reftable.deleteRef'), [{ repo, ref: repo.source.ref('refs/heads/new') }]);
      repo.refresh();
      expect(repo.source.ref('refs/heads/new')).toBeUndefined();
      expect(repo.source.shadowedRefs().map((s) => [s.name, s.oid])).toContainEqual(['refs/heads/new', oid(2)]);
      model.dispose();
    } finally {
      setAutoCompactSetting(() => true);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

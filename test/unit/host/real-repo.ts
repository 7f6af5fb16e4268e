/**
 * Real temporary repositories for host tests: made by the store (`initRepository` +
 * `applyTransaction`) and opened through the real store adapter, with the views and a command
 * context wired as `activate()` wires them (minus the file watchers, so tests decide when a
 * reload happens).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { vi } from 'vitest';
import type { CommandContext } from '../../../src/commands/context.js';
import { COMMANDS, run } from '../../../src/commands/index.js';
import { noObjects, type ObjectInfo } from '../../../src/commands/git.js';
import { RepositoryModel } from '../../../src/model/model.js';
import type { Repository } from '../../../src/model/repository.js';
import type { StoreUpdate } from '../../../src/store/transaction.js';
import { setAutoCompactSetting, storeBackend } from '../../../src/model/store-adapter.js';
import { initRepository } from '../../../src/store/init.js';
import type { RepositoryInfo } from '../../../src/store/api.js';
import { applyTransaction } from '../../../src/store/transaction.js';
import { Views } from '../../../src/views/index.js';
import { fake } from './vscode-fake.js';
// @ts-expect-error plain ESM helper without types
import { WRAPPER, gitEnv } from '../../../scripts/git-path.mjs';

export const T0 = 1_700_000_000;
export const who = (time = T0) => ({ name: 'C O Mitter', email: 'c@example.com', time, tz: '+0000' });

export interface RealRepo {
  tmp: string;
  dir: string;
  info: RepositoryInfo;
  model: RepositoryModel;
  views: Views;
  ctx: CommandContext;
  repo: Repository;
  /** A transaction by "someone else" (git), bypassing the extension. */
  write(updates: StoreUpdate[], message?: string, time?: number): void;
  /** Run a command by id through the one wrapper, as the command palette would. */
  cmd(id: string, ...args: unknown[]): Promise<unknown>;
  dispose(): void;
}

/** The committer our own writes record: fixed, and no user/system git config is read. */
function isolateEnv(home: string): void {
  vi.stubEnv('HOME', home);
  vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
  vi.stubEnv('GIT_CONFIG_GLOBAL', path.join(home, '.gitconfig'));
  vi.stubEnv('GIT_COMMITTER_NAME', 'Ext Ension');
  vi.stubEnv('GIT_COMMITTER_EMAIL', 'ext@example.com');
}

export async function realRepo(opts: { objects?: ObjectInfo; dir?: string; fill?: (r: { info: RepositoryInfo; write: RealRepo['write'] }) => void } = {}): Promise<RealRepo> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reftable-host-'));
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  isolateEnv(home);
  // Without auto-compaction every write shows up as exactly the tables it added.
  setAutoCompactSetting(() => false);
  const dir = opts.dir ?? path.join(tmp, 'r');
  const info = fs.existsSync(path.join(dir, '.git')) ? storeBackend.discover(dir)! : initRepository(dir);
  const write = (updates: StoreUpdate[], message = 'test', time = T0) => {
    applyTransaction(info, updates, { message, committer: who(time), autoCompact: false });
  };
  opts.fill?.({ info, write });
  const model = new RepositoryModel(storeBackend, { watch: () => ({ dispose() {} }) });
  await model.scan([dir]);
  if (model.repositories.length !== 1) throw new Error(`expected one repository in ${dir}, found ${model.repositories.length}`);
  const views = new Views(model);
  const ctx: CommandContext = {
    model, views, diagnostics: vscode.languages.createDiagnosticCollection('reftable'), objects: opts.objects ?? noObjects, inspectorAvailable: () => true,
  };
  const repo = model.repositories[0];
  return {
    tmp, dir, info, model, views, ctx, repo, write,
    cmd: (id, ...args) => {
      const spec = COMMANDS.find((c) => c.id === id);
      if (!spec) throw new Error(`no command ${id}`);
      return run(ctx, spec, args);
    },
    dispose() {
      views.dispose();
      ctx.diagnostics.dispose();
      model.dispose();
      setAutoCompactSetting(() => true);
      vi.unstubAllEnvs();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The reftable-capable git provisioned for the project; a test needing it fails loudly without it. */
export function gitBinary(): string {
  if (!fs.existsSync(WRAPPER)) throw new Error(`no reftable-capable git at ${WRAPPER} (run scripts/provision-git.sh)`);
  return WRAPPER;
}

export function git(dir: string, home: string, args: string[], date?: string, input?: string): string {
  return execFileSync(gitBinary(), args, { cwd: dir, env: gitEnv(home, date), encoding: 'utf8', input }).trim();
}

/**
 * A scratch directory with a git HOME and a repository `name` made by git
 * (`init --ref-format=reftable -b main` and one empty commit, at `date` when given).
 * The caller removes `tmp`.
 */
export function gitScratchRepo(prefix: string, name: string, date?: string): { tmp: string; home: string; dir: string } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const dir = path.join(tmp, name);
  git(tmp, home, ['init', '-q', '--ref-format=reftable', '-b', 'main', dir]);
  git(dir, home, ['commit', '-q', '--allow-empty', '-m', 'one'], date);
  return { tmp, home, dir };
}

/** The errors the wrapper showed (none expected on a happy path). */
export function errors(): string[] {
  return fake.messages.filter((m) => m.level === 'error').map((m) => m.text);
}

/** Wait until the fake's current QuickPick has finished loading, then return it. */
export async function quickPick(timeoutMs = 10_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const qp = fake.lastQuickPick;
    if (qp && !qp.busy) return qp;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no QuickPick finished loading');
}

export const hex = (n: number, len = 40) => n.toString(16).padStart(len, '0');

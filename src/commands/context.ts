/** What handlers get, and the argument helpers they share (which repository, which ref, which target). */
import * as vscode from 'vscode';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { RefEntry } from '../model/source.js';
import { dwimNames, isPseudoRef, isRootRefSyntax, refnameProblem } from '../store/refname.js';
import type { Views } from '../views/index.js';
import { Cancelled, UserError } from './errors.js';
import type { ObjectInfo } from './git.js';
import { pickRef } from './pick-ref.js';

export interface CommandContext {
  model: RepositoryModel;
  views?: Views;
  diagnostics: vscode.DiagnosticCollection;
  objects: ObjectInfo;
  /** Whether the inspector's custom editor is registered (otherwise tables open read-only as text). */
  inspectorAvailable: () => boolean;
}

/** One run of a command; `attempt` > 0 after the user chose Retry. */
export interface Invocation {
  attempt: number;
}

export interface RefTarget {
  repo: Repository;
  ref: RefEntry;
}

function hasRepo(a: unknown): a is { repo: Repository } {
  return typeof a === 'object' && a !== null && 'repo' in a && typeof (a as { repo: unknown }).repo === 'object';
}

/** The repository an argument belongs to; otherwise the only one, or one the user picks. */
export async function repoArg(ctx: CommandContext, arg: unknown): Promise<Repository> {
  if (hasRepo(arg)) return arg.repo;
  const repos = ctx.model.repositories;
  if (repos.length === 0) throw new UserError('No reftable repository is open. Open a folder with a repository created by "git init --ref-format=reftable".');
  if (repos.length === 1) return repos[0];
  const pick = await vscode.window.showQuickPick(
    repos.map((r) => ({ label: r.label, description: r.info.workTree ?? r.info.commonDir, repo: r })),
    { placeHolder: 'Choose a repository' },
  );
  if (!pick) throw new Cancelled();
  return pick.repo;
}

/** A ref from a tree node (`{repo, ref}`), else one the user picks. */
export async function refArg(ctx: CommandContext, arg: unknown, title: string): Promise<RefTarget> {
  if (hasRepo(arg) && 'ref' in arg) return { repo: arg.repo, ref: (arg as unknown as RefTarget).ref };
  const picked = await pickRef(ctx.model, { title, repo: hasRepo(arg) ? arg.repo : undefined });
  if (!picked) throw new Cancelled();
  return picked;
}

/**
 * The value to expect when writing: on the first attempt what the user saw; after a Retry
 * (the ref moved meanwhile) what the stack holds now.
 */
export function expectedValue(t: RefTarget, inv: Invocation): RefEntry | undefined {
  if (inv.attempt === 0) return t.ref;
  return t.repo.source.ref(t.ref.name);
}

export async function ask(opts: vscode.InputBoxOptions): Promise<string> {
  const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...opts });
  if (v === undefined) throw new Cancelled();
  return v.trim();
}

export async function confirm(message: string, action: string, detail?: string): Promise<void> {
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
  if (choice !== action) throw new Cancelled();
}

/** check-ref-format for a full name; also refuses names that already exist when `mustBeNew`. */
export function validateNewName(repo: Repository, full: string, mustBeNew: boolean): string | undefined {
  const problem = refnameProblem(full, { allowOneLevel: true });
  if (problem) return `"${full}" is not a valid ref name: ${problem}`;
  // One-level names are root refs (HEAD, ORIG_HEAD…): upper case, and never the pseudo-refs git keeps as files.
  if (!full.includes('/') && !isRootRefSyntax(full)) return 'Ref names start with "refs/" (or are root refs like HEAD)';
  if (full.includes('/') && !full.startsWith('refs/') && !/^(worktrees\/[^/]+|main-worktree)\//.test(full)) return 'Ref names start with "refs/"';
  if (isPseudoRef(full)) return `${full} is kept as a file by git, not in the reftable stack`;
  if (mustBeNew && repo.source.ref(full)) return `${full} already exists`;
  return undefined;
}

const HEX = /^[0-9a-f]+$/i;

/** A start point typed by the user: a full object id, a ref (short or full), or an abbreviated id when git can expand it. */
export async function resolveStartPoint(ctx: CommandContext, repo: Repository, input: string): Promise<{ oid: string; from: string }> {
  const s = input.trim();
  const hexLen = repo.info.hash.size * 2;
  if (s.length === hexLen && HEX.test(s)) return { oid: s.toLowerCase(), from: s.toLowerCase() };
  for (const name of dwimNames(s)) {
    const entry = repo.source.ref(name);
    if (!entry) continue;
    const oid = repo.source.resolve(name);
    if (!oid) throw new UserError(`${name} does not point at an object (its symbolic ref target does not exist).`);
    return { oid, from: name };
  }
  if (s.length >= 4 && HEX.test(s)) {
    const full = await ctx.objects.expand(repo.info, s);
    if (full && full.length === hexLen) return { oid: full, from: s };
    throw new UserError(`"${s}" is neither a ref nor a full ${hexLen}-digit object id${full === undefined ? ' (abbreviated ids need a git binary)' : ''}.`);
  }
  throw new UserError(`"${s}" is neither a ref nor an object id.`);
}

/** Refresh what we wrote at once, and let the git extension catch up (it may be absent). */
export async function afterWrite(repo: Repository): Promise<void> {
  repo.refresh();
  try {
    await vscode.commands.executeCommand('git.refresh');
  } catch {
    // No git extension, or it has no repository here: nothing to refresh.
  }
}

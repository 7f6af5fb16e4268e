/** Ref commands. Every write is one transaction carrying the value the user saw as its expectation. */
import * as vscode from 'vscode';
import type { RefEntry, RefUpdate, ShadowedRef } from '../model/source.js';
import { shortId } from '../views/format.js';
import {
  CommandContext, Invocation, RefTarget, afterWrite, ask, confirm, expectedValue, refArg, repoArg, resolveStartPoint, validateNewName,
} from './context.js';
import { Cancelled, UserError, inform } from './errors.js';
import { pickRef } from './pick-ref.js';
import type { Repository } from '../model/repository.js';

type Kind = 'branch' | 'tag' | 'ref';
const PREFIX: Record<Kind, string> = { branch: 'refs/heads/', tag: 'refs/tags/', ref: '' };

/** A start point carried by the argument: a ref node, a reflog entry, or a recoverable ref. */
function startFromArg(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { ref?: RefEntry; entry?: { new: string }; shadowed?: { oid: string } };
  if (a.ref) return a.ref.name;
  if (a.entry) return a.entry.new;
  if (a.shadowed) return a.shadowed.oid;
  return undefined;
}

async function create(ctx: CommandContext, kind: Kind, arg: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const prefix = PREFIX[kind];
  const short = await ask({
    title: `Create ${kind === 'ref' ? 'Ref' : kind === 'branch' ? 'Branch' : 'Tag'}`,
    prompt: kind === 'ref' ? 'Full ref name (e.g. refs/custom/name)' : `New ${kind} name`,
    value: kind === 'ref' ? 'refs/' : undefined,
    validateInput: (v) => validateNewName(repo, prefix + v.trim(), true),
  });
  const name = prefix + short;
  const given = startFromArg(arg);
  const start = given ?? (await ask({ title: `Start point for ${name}`, prompt: 'A ref name or an object id', value: 'HEAD' }));
  const target = await resolveStartPoint(ctx, repo, start);
  let oid = target.oid;
  let annotated = false;
  // Annotated tags need a tag object, which only git can write; without git a tag is lightweight.
  if (kind === 'tag' && (await ctx.objects.canWriteObjects(repo.info))) {
    const text = await vscode.window.showInputBox({
      title: `Message of ${name}`,
      prompt: 'Tag message for an annotated tag; leave empty for a lightweight tag',
      ignoreFocusOut: true,
    });
    if (text === undefined) throw new Cancelled();
    if (text.trim() !== '') {
      const tagObject = await ctx.objects.createTagObject(repo.info, short, oid, text);
      if (!tagObject) throw new UserError(`git could not write the tag object for ${name} (see the "Reftable" output).`);
      oid = tagObject;
      annotated = true;
    }
  }
  // An annotated tag object stores its peeled target alongside (ref value type 2).
  const peeled = await ctx.objects.peel(repo.info, oid);
  const message = kind === 'branch' ? `branch: Created from ${target.from}` : `reftable: create ${name} at ${target.from}`;
  repo.writer.transaction([{ op: 'create', name, oid, peeled }], { message });
  await afterWrite(repo);
  inform(`Created ${annotated ? 'annotated tag ' : ''}${name} at ${shortId(annotated ? target.oid : oid)}.`);
}

export const createBranch = (ctx: CommandContext, _inv: Invocation, arg?: unknown) => create(ctx, 'branch', arg);
export const createTag = (ctx: CommandContext, _inv: Invocation, arg?: unknown) => create(ctx, 'tag', arg);
export const createRef = (ctx: CommandContext, _inv: Invocation, arg?: unknown) => create(ctx, 'ref', arg);

export async function deleteRef(ctx: CommandContext, inv: Invocation, arg?: unknown): Promise<void> {
  const t = await refArg(ctx, arg, 'Delete Ref');
  const cur = expectedValue(t, inv);
  if (!cur) throw new UserError(`${t.ref.name} no longer exists.`);
  if (vscode.workspace.getConfiguration('reftable').get<boolean>('confirmDelete', true)) {
    const what = cur.type === 'symref' ? `→ ${cur.target}` : shortId(cur.oid);
    await confirm(
      `Delete ${cur.name} (${what})?`,
      'Delete',
      'Its value and reflog stay recoverable from the older tables (Reflog view → Recoverable) until the next full compaction (Pack Refs).',
    );
  }
  // noDeref: the ref shown is the one deleted, even if git turned it into a symref meanwhile.
  const update: RefUpdate & { noDeref: true } = cur.type === 'symref'
    ? { op: 'symref-delete', name: cur.name, oldTarget: cur.target, noDeref: true }
    : { op: 'delete', name: cur.name, old: cur.oid, noDeref: true };
  t.repo.writer.transaction([update], { message: `reftable: delete ${cur.name}` });
  await afterWrite(t.repo);
}

export async function renameRef(ctx: CommandContext, inv: Invocation, arg?: unknown): Promise<void> {
  const t = await refArg(ctx, arg, 'Rename Ref');
  const cur = expectedValue(t, inv);
  if (!cur) throw new UserError(`${t.ref.name} no longer exists.`);
  if (cur.type === 'symref') throw new UserError('Symbolic refs are retargeted, not renamed: use "Create or Retarget Symbolic Ref".');
  const newName = await ask({
    title: `Rename ${cur.name}`,
    prompt: 'New full ref name',
    value: cur.name,
    valueSelection: [cur.name.lastIndexOf('/') + 1, cur.name.length],
    validateInput: (v) => (v.trim() === cur.name ? 'Enter a different name' : validateNewName(t.repo, v.trim(), true)),
  });
  const message = cur.name.startsWith('refs/heads/') && newName.startsWith('refs/heads/')
    ? `Branch: renamed ${cur.name} to ${newName}`
    : `reftable: rename ${cur.name} to ${newName}`;
  t.repo.writer.rename(cur.name, newName, cur.oid, { message });
  await afterWrite(t.repo);
}

export async function updateRef(ctx: CommandContext, inv: Invocation, arg?: unknown): Promise<void> {
  const t = await refArg(ctx, arg, 'Update Ref');
  const cur = expectedValue(t, inv);
  if (!cur) throw new UserError(`${t.ref.name} no longer exists.`);
  if (cur.type === 'symref') throw new UserError(`${cur.name} is a symbolic ref: retarget it, or update ${cur.target} instead.`);
  const input = await ask({ title: `Update ${cur.name} (now ${shortId(cur.oid)})`, prompt: 'New value: a ref name or an object id' });
  const { oid, from } = await resolveStartPoint(ctx, t.repo, input);
  const peeled = await ctx.objects.peel(t.repo.info, oid);
  const update: RefUpdate & { noDeref: true } = { op: 'update', name: cur.name, oid, peeled, old: cur.oid, noDeref: true };
  t.repo.writer.transaction([update], { message: `reftable: update to ${from}` });
  await afterWrite(t.repo);
}

export async function setSymbolicRef(ctx: CommandContext, inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const given = typeof arg === 'object' && arg !== null && 'ref' in arg ? (arg as RefTarget) : undefined;
  const name = given
    ? given.ref.name
    : await ask({ title: 'Create or Retarget Symbolic Ref', prompt: 'Symbolic ref name', value: 'HEAD', validateInput: (v) => validateNewName(repo, v.trim(), false) });
  const cur = given ? expectedValue(given, inv) : repo.source.ref(name);
  const target = await ask({
    title: `Target of ${name}`,
    prompt: 'The ref it points to (need not exist yet)',
    value: cur?.type === 'symref' ? cur.target : 'refs/heads/',
    validateInput: (v) => validateNewName(repo, v.trim(), false),
  });
  if (target === name) throw new UserError('A symbolic ref cannot point at itself.');
  if (cur && cur.type !== 'symref') {
    await confirm(`${name} holds ${shortId(cur.oid)}. Replace it with a symbolic ref to ${target}?`, 'Replace');
  }
  // noDeref: the symref itself changes, never the ref it points to (git symbolic-ref semantics;
  // update-ref --stdin would otherwise turn HEAD's branch into a symref).
  const update: RefUpdate & { noDeref: true } = !cur
    ? { op: 'symref-create', name, target, noDeref: true }
    : cur.type === 'symref'
      ? { op: 'symref-update', name, target, oldTarget: cur.target, noDeref: true }
      : { op: 'symref-update', name, target, old: cur.oid, noDeref: true };
  repo.writer.transaction([update], { message: `reftable: point ${name} at ${target}` });
  await afterWrite(repo);
}

export async function restoreBranch(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  let shadowed = (arg as { shadowed?: ShadowedRef } | undefined)?.shadowed;
  if (!shadowed) {
    const list = repo.source.shadowedRefs();
    if (list.length === 0) throw new UserError('No deleted refs are left in the tables (a full compaction drops them).');
    const pick = await vscode.window.showQuickPick(
      list.map((s) => ({ label: s.name, description: `${shortId(s.oid)} · in ${s.table}`, s })),
      { placeHolder: 'Deleted ref to restore', matchOnDescription: true },
    );
    if (!pick) throw new Cancelled();
    shadowed = pick.s;
  }
  const s = shadowed;
  const name = await ask({
    title: `Restore ${s.name} at ${shortId(s.oid)}`,
    prompt: 'Name to restore it under',
    value: s.name,
    validateInput: (v) => validateNewName(repo, v.trim(), true),
  });
  const message = `reftable: restore ${name} from ${s.table}`;
  // One table: the ref ("must not exist", and the deleted value must still be the one shown) and its reflog.
  const logs = repo.writer.restoreRef(s, name, { message }).restoredLogs;
  await afterWrite(repo);
  const withLog = logs > 0 ? ` with ${logs} reflog entr${logs === 1 ? 'y' : 'ies'}` : '';
  inform(`Restored ${name} at ${shortId(s.oid)}${withLog}.`);
}

export async function goToRef(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  // From a view title there is no argument; with several repositories all are searched.
  const repo = repoOf(arg);
  if (!repo && ctx.model.repositories.length === 0) await repoArg(ctx, undefined);
  const picked = await pickRef(ctx.model, { title: 'Go to Ref', repo });
  if (!picked) return;
  await ctx.views?.revealRef(picked.repo, picked.ref);
}

export async function copyName(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const t = await refArg(ctx, arg, 'Copy Ref Name');
  await vscode.env.clipboard.writeText(t.ref.name);
}

export async function copyId(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const a = arg as { entry?: { new: string }; shadowed?: { oid: string } } | undefined;
  if (a?.entry) return vscode.env.clipboard.writeText(a.entry.new);
  if (a?.shadowed) return vscode.env.clipboard.writeText(a.shadowed.oid);
  const t = await refArg(ctx, arg, 'Copy Object Id');
  const id = t.ref.type === 'symref' ? t.repo.source.resolve(t.ref.name) : t.ref.oid;
  if (!id) throw new UserError(`${t.ref.name} points at ${t.ref.target}, which does not exist.`);
  await vscode.env.clipboard.writeText(id);
}

export async function showReflog(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const t = await refArg(ctx, arg, 'Show Reflog');
  ctx.views?.reflog.follow({ repo: t.repo, name: t.ref.name });
  await vscode.commands.executeCommand('reftable.reflog.focus');
}

export function repoOf(arg: unknown): Repository | undefined {
  return typeof arg === 'object' && arg !== null && 'repo' in arg ? (arg as { repo: Repository }).repo : undefined;
}

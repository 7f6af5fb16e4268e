/** Reflog maintenance: delete one entry, expire old ones. Both write tombstones, as git does. */
import * as vscode from 'vscode';
import type { LogEntry } from '../model/source.js';
import type { Repository } from '../model/repository.js';
import { isoTime } from '../views/format.js';
import { parseExpiryDate } from '../store/reflog-policy.js';
import { CommandContext, Invocation, afterWrite, ask, confirm, repoArg } from './context.js';
import { Cancelled, UserError, inform } from './errors.js';

export async function deleteReflogEntry(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const a = arg as { repo?: Repository; refName?: string; entry?: LogEntry; position?: number } | undefined;
  if (!a?.repo || !a.refName || !a.entry) throw new UserError('Choose a reflog entry in the Reflog view to delete it.');
  const { repo, refName, entry } = a;
  if (!stillThere(repo, refName, entry)) {
    throw new UserError(`${refName} no longer has the entry "${entry.message.trim() || '(no message)'}" (update index ${entry.updateIndex}): it was deleted or expired meanwhile.`);
  }
  await confirm(
    `Delete ${refName}@{${a.position ?? '?'}} "${entry.message.trim() || '(no message)'}"?`,
    'Delete Entry',
    'A tombstone hides the entry; it disappears from the files at the next full compaction.',
  );
  // Addressed by update index, not position: a concurrent write cannot make us delete another entry.
  repo.writer.deleteReflogEntry(refName, entry.updateIndex);
  await afterWrite(repo);
}

/** The tree may be older than the stack: look the entry up again (the watcher may not have fired yet). */
function stillThere(repo: Repository, refName: string, entry: LogEntry): boolean {
  repo.refresh();
  for (const e of repo.source.reflog(refName)) if (e.updateIndex === entry.updateIndex) return true;
  return false;
}

interface Preset extends vscode.QuickPickItem {
  seconds?: number;
  all?: boolean;
  custom?: boolean;
}

const DAY = 24 * 3600;
export const EXPIRY_PRESETS: Preset[] = [
  { label: 'Older than 90 days', description: "git's default (gc.reflogExpire)", seconds: 90 * DAY },
  { label: 'Older than 30 days', description: "git's default for unreachable entries", seconds: 30 * DAY },
  { label: 'Older than 7 days', seconds: 7 * DAY },
  { label: 'Older than 1 day', seconds: DAY },
  { label: 'All entries', description: 'empty the reflog', all: true },
  { label: 'Custom date…', description: 'e.g. 2024-01-31, "2 weeks ago"', custom: true },
];

/** The cut-off (seconds since the epoch) the user chose; entries older than it go. */
export async function pickExpiry(now = Date.now()): Promise<number> {
  const p = await vscode.window.showQuickPick(EXPIRY_PRESETS, { placeHolder: 'Expire reflog entries…' });
  if (!p) throw new Cancelled();
  if (p.all) return Number.MAX_SAFE_INTEGER;
  if (p.seconds !== undefined) return Math.floor(now / 1000) - p.seconds;
  const text = await ask({
    title: 'Expire entries older than',
    prompt: 'A date (2024-01-31, 2024-01-31 12:00) or an age ("2 weeks ago")',
    validateInput: (v) => {
      try {
        parseExpiryDate(v.trim(), now);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return parseExpiryDate(text, now);
}

export async function expireReflog(ctx: CommandContext, _inv: Invocation, arg?: unknown): Promise<void> {
  const repo = await repoArg(ctx, arg);
  const a = arg as { ref?: { name: string } } | undefined;
  let names: string[] | 'all';
  if (a?.ref) names = [a.ref.name];
  else {
    const followed = ctx.views?.reflog.followed;
    const choices = [
      ...(followed && followed.repo === repo ? [{ label: `Reflog of ${followed.name}`, names: [followed.name] as string[] | 'all' }] : []),
      { label: 'Every reflog of the repository', names: 'all' as const },
    ];
    const pick = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { placeHolder: 'Which reflogs?' });
    if (!pick) throw new Cancelled();
    names = pick.names;
  }
  const before = await pickExpiry();
  const when = before === Number.MAX_SAFE_INTEGER ? 'every entry' : `entries older than ${isoTime(before, '+0000')}`;
  await confirm(`Expire ${when} from ${names === 'all' ? 'every reflog' : names.join(', ')}?`, 'Expire');
  const n = repo.writer.expireReflog(names, before);
  await afterWrite(repo);
  inform(n === 0 ? 'No reflog entries were old enough to expire.' : `Expired ${n} reflog entr${n === 1 ? 'y' : 'ies'}.`);
}

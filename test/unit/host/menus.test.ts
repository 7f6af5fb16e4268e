/** package.json `contributes`: menus on every node kind, title buttons, and write commands hidden when untrusted. */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/commands/index.js';
import { ContextValue } from '../../../src/views/contextValues.js';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const menus: Record<string, MenuEntry[]> = pkg.contributes.menus;

/** A tiny evaluator for the `when` clauses we write: `a == b`, `a =~ /re/`, bare keys, `!key`, `&&`. */
function holds(when: string | undefined, ctx: Record<string, string | boolean>): boolean {
  if (when === undefined) return true;
  return when.split('&&').map((s) => s.trim()).every((term) => {
    let m = /^(\S+) == (\S+)$/.exec(term);
    if (m) return ctx[m[1]] === m[2];
    m = /^(\S+) =~ \/(.*)\/$/.exec(term);
    if (m) return typeof ctx[m[1]] === 'string' && new RegExp(m[2]).test(ctx[m[1]] as string);
    if (term === 'true') return true;
    if (term === 'false') return false;
    if (term.startsWith('!')) return !ctx[term.slice(1)];
    return !!ctx[term];
  });
}

function itemCommands(view: string, viewItem: string, trusted = true): string[] {
  return menus['view/item/context'].filter((e) => holds(e.when, { view, viewItem, isWorkspaceTrusted: trusted })).map((e) => e.command);
}
function titleButtons(view: string, trusted = true): MenuEntry[] {
  return menus['view/title'].filter((e) => holds(e.when, { view, isWorkspaceTrusted: trusted }));
}

describe('package.json contributes', () => {
  it('keeps the fixed order', () => {
    expect(Object.keys(pkg.contributes)).toEqual(['viewsContainers', 'views', 'viewsWelcome', 'customEditors', 'commands', 'menus', 'configuration']);
  });

  it('ref nodes offer copy, delete, rename, update, show reflog and create branch here', () => {
    const branch = itemCommands('reftable.refs', ContextValue.Branch);
    for (const c of ['copyName', 'copyId', 'deleteRef', 'renameRef', 'updateRef', 'showReflog', 'createBranch', 'createTag', 'expireReflog']) {
      expect(branch, c).toContain(`reftable.${c}`);
    }
    const symref = itemCommands('reftable.refs', ContextValue.Symref);
    for (const c of ['copyName', 'copyId', 'deleteRef', 'setSymbolicRef', 'showReflog', 'createBranch']) expect(symref, c).toContain(`reftable.${c}`);
    expect(symref).not.toContain('reftable.renameRef');
    for (const v of [ContextValue.Tag, ContextValue.RemoteBranch, ContextValue.RootRef, ContextValue.OtherRef, ContextValue.WorktreeHead]) {
      expect(itemCommands('reftable.refs', v), v).toEqual(expect.arrayContaining(['reftable.copyName', 'reftable.showReflog', 'reftable.createBranch']));
    }
  });

  it('reflog entries can be deleted, recoverable refs restored, tables opened in the inspector', () => {
    expect(itemCommands('reftable.reflog', ContextValue.ReflogEntry)).toEqual(expect.arrayContaining(['reftable.deleteReflogEntry', 'reftable.copyId', 'reftable.createBranch']));
    expect(itemCommands('reftable.reflog', ContextValue.Recoverable)).toEqual(expect.arrayContaining(['reftable.restoreBranch', 'reftable.copyId']));
    const table = menus['view/item/context'].filter((e) => e.command === 'reftable.openTableInspector' && holds(e.when, { view: 'reftable.tables', viewItem: ContextValue.Table }));
    expect(table.map((e) => e.group!.split('@')[0]).sort()).toEqual(['1_open', 'inline']);
  });

  it('view titles carry refresh, pack and go-to-ref buttons', () => {
    const nav = (view: string) => titleButtons(view).filter((e) => e.group?.startsWith('navigation')).map((e) => e.command);
    expect(nav('reftable.refs')).toEqual(expect.arrayContaining(['reftable.goToRef', 'reftable.refresh']));
    expect(nav('reftable.tables')).toEqual(expect.arrayContaining(['reftable.packRefs', 'reftable.compactIfNeeded', 'reftable.verifyStack', 'reftable.refresh']));
    expect(nav('reftable.reflog')).toEqual(expect.arrayContaining(['reftable.refresh']));
  });

  it('hides every write command in untrusted workspaces, everywhere it appears', () => {
    const writes = new Set(COMMANDS.filter((c) => c.write).map((c) => c.id));
    for (const [where, entries] of Object.entries(menus)) {
      for (const e of entries) {
        if (!writes.has(e.command) || e.when === 'false') continue;
        expect(e.when ?? '', `${where} ${e.command}`).toMatch(/(^|&& )isWorkspaceTrusted( &&|$)/);
      }
    }
    // …and the read-only ones stay.
    expect(itemCommands('reftable.refs', ContextValue.Branch, false).sort()).toEqual(['reftable.copyId', 'reftable.copyName', 'reftable.copyName', 'reftable.showReflog']);
    expect(titleButtons('reftable.tables', false).map((e) => e.command)).not.toContain('reftable.packRefs');
  });

  it('every menu command is declared, and every declared reftable.* command is registered by the host or the inspector', () => {
    const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    for (const entries of Object.values(menus)) for (const e of entries) expect(declared.has(e.command), e.command).toBe(true);
    const registered = new Set([...COMMANDS.map((c) => c.id), 'reftable.openInspector', 'reftable.showCompaction']);
    for (const id of declared) expect(registered.has(id as string), id as string).toBe(true);
  });
});

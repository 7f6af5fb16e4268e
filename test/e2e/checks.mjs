// The end-to-end checks, in order. Each gets { page, wb, repo, pkg, state, ... } and throws on
// failure; `needs` names checks whose success it builds on. Labels (view names, command
// titles) are read from package.json so renaming one does not silently break a check.
import { join } from 'node:path';
import { sleep, waitFor } from './lib/workbench.mjs';

const short = (id) => id.slice(0, 7);

function container(pkg) {
  const c = (pkg.contributes?.viewsContainers?.activitybar ?? []).find((v) => v.id === 'reftable');
  if (!c) throw new Error('package.json contributes no activity-bar container "reftable"');
  return c;
}

function viewName(pkg, id) {
  const v = (pkg.contributes?.views?.reftable ?? []).find((x) => x.id === id);
  if (!v) throw new Error(`package.json contributes no view ${id}`);
  return v.name;
}

/** The palette title of a contributed command: "<category>: <title>". */
export function commandTitle(pkg, id) {
  const c = (pkg.contributes?.commands ?? []).find((x) => x.command === id);
  if (!c) throw new Error(`package.json contributes no command ${id}`);
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

const refsView = (pkg) => viewName(pkg, 'reftable.refs');
const reflogView = (pkg) => viewName(pkg, 'reftable.reflog');
const tablesView = (pkg) => viewName(pkg, 'reftable.tables');

/** Wait until the pane lists a row whose text contains every string in `parts`. */
async function expectRow(wb, pane, parts, timeoutMs = 10_000) {
  return waitFor(`a row in ${pane} with ${JSON.stringify(parts)}`, async () => {
    const rows = await wb.rows(pane);
    return rows.find((r) => parts.every((p) => r.text.includes(p) || r.aria.includes(p)));
  }, timeoutMs);
}

async function rowTexts(wb, pane) {
  return (await wb.rows(pane)).map((r) => r.text);
}

/** Answer whatever prompts a command shows: input boxes by prompt text, quick picks by label, modal dialogs by button. */
async function answerPrompts(page, answers, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  const used = new Set();
  let idle = 0;
  while (Date.now() < deadline) {
    const dialog = page.locator('.monaco-dialog-box');
    if (await dialog.isVisible().catch(() => false)) {
      const buttons = dialog.locator('.monaco-button');
      const n = await buttons.count();
      let clicked = false;
      for (let i = 0; i < n && !clicked; i++) {
        const label = ((await buttons.nth(i).textContent()) ?? '').trim();
        if (answers.some((a) => a.button && a.button.test(label))) {
          await buttons.nth(i).click();
          clicked = true;
        }
      }
      if (!clicked) throw new Error(`unexpected dialog: ${(await dialog.textContent())?.trim()}`);
      used.add('dialog');
      idle = 0;
      await sleep(300);
      continue;
    }
    const qi = page.locator('.quick-input-widget');
    if (await qi.isVisible().catch(() => false)) {
      const text = ((await qi.textContent()) ?? '').replace(/\s+/g, ' ');
      const placeholder = (await qi.locator('.quick-input-box input').getAttribute('placeholder').catch(() => '')) ?? '';
      const all = `${text} ${placeholder}`;
      const a = answers.find((x, i) => !used.has(i) && x.prompt && x.prompt.test(all));
      if (!a) throw new Error(`unexpected prompt: ${all.trim().slice(0, 200)}`);
      used.add(answers.indexOf(a));
      const input = qi.locator('.quick-input-box input');
      if (a.value !== undefined) await input.fill(a.value);
      if (a.pick) {
        const row = qi.locator('.quick-input-list .monaco-list-row', { hasText: a.pick }).first();
        await row.waitFor({ state: 'visible', timeout: 5000 });
        await row.click();
      } else {
        await sleep(200);
        await input.press('Enter');
      }
      idle = 0;
      await sleep(400);
      continue;
    }
    if (++idle >= 8 && used.size > 0) return;
    await sleep(250);
  }
}

/**
 * The README picture: the side bar widened so names and ids fit, Tables collapsed so Refs and
 * Reflog get the room, clipped to the activity bar plus side bar.
 */
async function viewsScreenshot(page, wb, pkg, file) {
  const sidebar = page.locator('.part.sidebar');
  const box = await sidebar.boundingBox();
  const sash = page.locator('.monaco-sash.vertical').filter({ visible: true });
  let target;
  for (let i = 0; i < (await sash.count()); i++) {
    const b = await sash.nth(i).boundingBox();
    if (b && box && Math.abs(b.x + b.width / 2 - (box.x + box.width)) < 6) target = b;
  }
  if (target) {
    await page.mouse.move(target.x + target.width / 2, target.y + 200);
    await page.mouse.down();
    await page.mouse.move(target.x + 200, target.y + 200, { steps: 8 });
    await page.mouse.up();
  }
  const tables = wb.pane(tablesView(pkg)).locator('.pane-header').first();
  if ((await tables.getAttribute('aria-expanded')) === 'true') await tables.click();
  await sleep(300);
  // Give Refs more height: drag the sash above Reflog down.
  const reflogPane = wb.pane(reflogView(pkg));
  let top = (await reflogPane.boundingBox())?.y;
  const hsash = page.locator('.part.sidebar .monaco-sash.horizontal').filter({ visible: true });
  for (let i = 0; top !== undefined && i < (await hsash.count()); i++) {
    const s = await hsash.nth(i).boundingBox();
    if (s && Math.abs(s.y + s.height / 2 - top) < 6) {
      await page.mouse.move(s.x + 100, s.y + s.height / 2);
      await page.mouse.down();
      await page.mouse.move(s.x + 100, s.y + s.height / 2 + 130, { steps: 8 });
      await page.mouse.up();
      break;
    }
  }
  // Park the pointer away from the sash so its hover highlight is not in the picture.
  await page.mouse.move(700, 700);
  await sleep(800);
  top = (await reflogPane.boundingBox())?.y ?? 400;
  const b = await sidebar.boundingBox();
  const height = Math.min(760, Math.round(top + 22 * 6 + 10)) - 30;
  await page.screenshot({ path: file, clip: { x: 0, y: 30, width: Math.round((b?.x ?? 48) + (b?.width ?? 500)), height } });
  return file;
}

export const CHECKS = [
  {
    name: 'activity-bar',
    title: 'the Reftable activity-bar entry opens its views',
    timeoutMs: 90_000,
    async run({ page, wb, pkg }) {
      const title = container(pkg).title;
      const item = page.locator(`.part.activitybar .action-item a[aria-label^="${title}"], .part.activitybar .action-item[aria-label^="${title}"]`).first();
      // The first check also waits out the extension host's start.
      await item.waitFor({ state: 'visible', timeout: 45_000 });
      await item.click();
      for (const v of [refsView(pkg), reflogView(pkg), tablesView(pkg)]) await wb.pane(v).waitFor({ state: 'visible', timeout: 15_000 });
    },
  },
  {
    name: 'refs-groups',
    title: 'Refs shows Branches, Tags and Remotes with names and short ids',
    needs: ['activity-bar'],
    async run({ wb, repo, pkg }) {
      const pane = refsView(pkg);
      await wb.expandPane(pane);
      // The first rows wait for activation and the repository scan: the slowest step on a busy machine.
      for (const g of ['Branches', 'Tags', 'Remotes']) await expectRow(wb, pane, [g], 30_000);
      await wb.expandRow(pane, 'Branches');
      await expectRow(wb, pane, ['main', short(repo.git('rev-parse', 'refs/heads/main'))]);
      await wb.expandRow(pane, 'Tags');
      await expectRow(wb, pane, ['v0.9', short(repo.git('rev-parse', 'refs/tags/v0.9'))]);
      // The annotated tag shows its tag object and what it peels to.
      await expectRow(wb, pane, ['v1.0', short(repo.git('rev-parse', 'refs/tags/v1.0')), short(repo.git('rev-parse', 'refs/tags/v1.0^{}'))]);
    },
  },
  {
    name: 'folders',
    title: 'expanding a ref folder lists the refs below it',
    needs: ['refs-groups'],
    async run({ wb, repo, pkg }) {
      const pane = refsView(pkg);
      await wb.expandRow(pane, 'feature');
      await expectRow(wb, pane, ['login', short(repo.git('rev-parse', 'refs/heads/feature/login'))]);
    },
  },
  {
    name: 'symref',
    title: 'a symref shows its target',
    needs: ['refs-groups'],
    async run({ wb, pkg }) {
      const pane = refsView(pkg);
      await wb.expandRow(pane, 'Remotes');
      await wb.expandRow(pane, 'origin');
      await expectRow(wb, pane, ['HEAD', 'refs/remotes/origin/main']);
    },
  },
  {
    name: 'reflog',
    title: 'selecting a branch shows its reflog entries with messages',
    needs: ['refs-groups'],
    async run({ page, wb, pkg, results, state }) {
      const refs = refsView(pkg);
      const reflog = reflogView(pkg);
      await wb.row(refs, 'main').click();
      await wb.expandPane(reflog);
      for (const m of ['Second note', 'Add notes', 'Initial commit']) await expectRow(wb, reflog, [m], 10_000);
      state.viewsScreenshot = await viewsScreenshot(page, wb, pkg, join(results, 'screenshot-views.png'));
    },
  },
  {
    name: 'live-update',
    title: 'a branch made by git outside VS Code appears without refresh',
    needs: ['refs-groups'],
    async run({ wb, repo, pkg }) {
      repo.git('branch', 'new-from-terminal');
      await expectRow(wb, refsView(pkg), ['new-from-terminal', short(repo.git('rev-parse', 'HEAD'))], 8_000);
    },
  },
  {
    name: 'pack-refs',
    title: '"Pack Refs" leaves one table and reports a summary',
    needs: ['activity-bar'],
    async run({ page, wb, repo, pkg }) {
      const before = repo.tables().length;
      if (before < 2) throw new Error(`expected several tables before packing, found ${before}`);
      await wb.runCommand(commandTitle(pkg, 'reftable.packRefs'));
      await answerPrompts(page, [{ button: /pack|compact|ok|yes/i }], 2_000).catch(() => {});
      await waitFor('tables.list to hold one table', () => repo.tables().length === 1, 10_000);
      const pane = tablesView(pkg);
      await wb.expandPane(pane);
      const name = repo.tables()[0].replace(/\.ref$/, '');
      await waitFor(`the ${pane} view to list only ${name}`, async () => {
        const tables = (await rowTexts(wb, pane)).filter((t) => /0x[0-9a-f]{12}-0x[0-9a-f]{12}/.test(t));
        return tables.length === 1 && tables[0].includes(name);
      }, 10_000);
      await waitFor('a notification summarising the packing', async () =>
        (await wb.notifications()).find((n) => /pack|compact|table/i.test(n) && /\d/.test(n)), 10_000);
    },
  },
  {
    name: 'create-branch',
    title: 'creating a branch through the UI is seen by git',
    needs: ['activity-bar'],
    async run({ page, wb, repo, pkg }) {
      await wb.runCommand(commandTitle(pkg, 'reftable.createBranch'));
      await answerPrompts(page, [
        { prompt: /start point/i, value: 'main' },
        { prompt: /branch name/i, value: 'from-ui' },
      ]);
      await waitFor('git for-each-ref to list refs/heads/from-ui', () =>
        repo.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/from-ui') === `refs/heads/from-ui ${repo.git('rev-parse', 'main')}`, 10_000);
      await expectRow(wb, refsView(pkg), ['from-ui'], 8_000);
    },
  },
  {
    name: 'delete-branch',
    title: 'deleting a branch through the UI is seen by git',
    needs: ['create-branch'],
    async run({ page, wb, repo, pkg }) {
      await wb.runCommand(commandTitle(pkg, 'reftable.deleteRef'));
      await answerPrompts(page, [
        { prompt: /delete/i, value: 'from-ui', pick: 'refs/heads/from-ui' },
        { button: /^delete$/i },
      ]);
      await waitFor('git for-each-ref to no longer list refs/heads/from-ui', () =>
        repo.git('for-each-ref', 'refs/heads/from-ui') === '', 10_000);
      await waitFor('the Refs view to drop from-ui', async () => !(await rowTexts(wb, refsView(pkg))).some((t) => /\bfrom-ui\b/.test(t)), 8_000);
    },
  },
  {
    name: 'inspector',
    title: 'opening a .ref file shows the inspector',
    needs: ['activity-bar'],
    async run({ page, wb, state }) {
      // Through the Explorer rather than Quick Open: file search is slow on a loaded machine.
      await wb.runCommand('View: Show Explorer');
      const explorer = page.locator('.explorer-folders-view');
      const folder = explorer.locator('.monaco-list-row[aria-label="tables"]');
      await folder.waitFor({ state: 'visible', timeout: 10_000 });
      if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
      const file = explorer.locator('.monaco-list-row[aria-label="sample.ref"]');
      await file.waitFor({ state: 'visible', timeout: 10_000 });
      await file.dblclick();
      state.inspector = await wb.webviewFrame(async (f) =>
        (await f.locator('.tree-pane .row').count()) > 0 && (await f.locator('.title .file').textContent({ timeout: 500 }))?.includes('sample.ref'),
      'the inspector webview with its structure tree', 20_000);
    },
  },
  {
    name: 'inspector-highlight',
    title: 'clicking a record highlights its bytes',
    needs: ['inspector'],
    async run({ state }) {
      const f = state.inspector;
      const tree = f.locator('.tree-pane');
      const record = tree.locator('.row', { hasText: 'refs/heads/main' }).first();
      // Records sit inside block nodes: open collapsed nodes until the record shows.
      await waitFor('the record refs/heads/main in the structure tree', async () => {
        if (await record.isVisible()) return true;
        const closed = tree.locator('.row[aria-expanded="false"] .twisty').first();
        if (await closed.count()) await closed.click();
        return false;
      }, 15_000, 300);
      await record.click();
      await waitFor('the record row to be selected', async () => /\bselected\b/.test((await record.getAttribute('class')) ?? ''), 5_000);
      const selected = f.locator('.hex .hb.sel');
      await waitFor('highlighted bytes in the hex view', async () => (await selected.count()) > 0, 5_000);
      // The ascii column of the highlighted range spells (part of) the ref name.
      const ascii = (await f.locator('.hex .hex-ascii .hb.sel').allTextContents()).join('');
      if (!/main/.test(ascii)) throw new Error(`highlighted bytes read ${JSON.stringify(ascii)}, expected them to hold the key "…main"`);
    },
  },
  {
    name: 'compaction',
    title: 'the compaction view renders',
    needs: ['activity-bar'],
    async run({ wb, pkg }) {
      await wb.runCommand(commandTitle(pkg, 'reftable.showCompaction'));
      const f = await wb.webviewFrame(async (f) => (await f.locator('.compaction section.stack').count()) > 0,
        'the compaction webview with a stack', 20_000);
      const layers = await f.locator('.compaction .layer').count();
      if (layers < 1) throw new Error('the compaction view shows no table');
      const verdict = (await f.locator('.compaction .verdict').first().textContent()) ?? '';
      if (!/geometric rule/.test(verdict)) throw new Error(`no verdict on the geometric rule: ${JSON.stringify(verdict)}`);
    },
  },
];

// Driving the VS Code workbench in Chromium through playwright-core: the command palette,
// quick inputs, view panes and tree rows, notifications, and webviews (nested iframes).
// Every wait is bounded; selectors are VS Code 1.100's DOM.
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    // Our own signal handlers stop Chromium and code-server together; Playwright's would exit
    // the process before code-server is stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value; throw `what` after `timeoutMs`. */
export async function waitFor(what, fn, timeoutMs = 10_000, every = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message.split('\n')[0]})` : ''}`);
    }
    await sleep(every);
  }
}

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  async waitReady(timeoutMs = 60_000) {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    // The activity bar and status bar render after the extension host connects.
    await this.page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    await waitFor('the explorer to show the folder', async () =>
      (await this.page.locator('.explorer-folders-view .monaco-list-row').count()) > 0
      || (await this.page.locator('.part.sidebar').count()) > 0, timeoutMs);
  }

  async closeQuickInput() {
    const qi = this.page.locator('.quick-input-widget');
    if (await qi.isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
  }

  /** Run a command through the command palette by its full title ("Reftable: Pack Refs"). */
  async runCommand(title, timeoutMs = 10_000) {
    await this.closeQuickInput();
    const qi = this.page.locator('.quick-input-widget');
    await waitFor('the command palette', async () => {
      await this.page.keyboard.press('F1');
      await qi.waitFor({ state: 'visible', timeout: 2000 });
      return true;
    }, timeoutMs, 500);
    const input = qi.locator('.quick-input-box input');
    await input.fill(`>${title}`);
    const row = qi.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    // The list filters as we type; the exact title must be the focused row before Enter.
    await waitFor(`"${title}" to be the first palette entry`, async () => {
      const first = qi.locator('.quick-input-list .monaco-list-row').first();
      const label = (await first.getAttribute('aria-label')) ?? (await first.textContent()) ?? '';
      return label.includes(title);
    }, timeoutMs);
    await input.press('Enter');
  }

  /** Answer the next quick input box (showInputBox / showQuickPick) with `value`. */
  async answerInput(value, { prompt, timeoutMs = 10_000 } = {}) {
    const qi = this.page.locator('.quick-input-widget');
    await qi.waitFor({ state: 'visible', timeout: timeoutMs });
    if (prompt) {
      await waitFor(`an input asking for "${prompt}"`, async () => ((await qi.textContent()) ?? '').toLowerCase().includes(prompt.toLowerCase()), timeoutMs);
    }
    const input = qi.locator('.quick-input-box input');
    await input.fill(value);
    await sleep(150);
    await input.press('Enter');
  }

  /** Pick the row of an open quick pick whose text contains `text`. */
  async pick(text, timeoutMs = 10_000) {
    const qi = this.page.locator('.quick-input-widget');
    await qi.waitFor({ state: 'visible', timeout: timeoutMs });
    const row = qi.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /** The pane (view) whose header title is `title` in the visible side bar. */
  pane(title) {
    return this.page.locator('.part.sidebar .pane').filter({
      has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`, 'i') }),
    }).first();
  }

  async expandPane(title, timeoutMs = 10_000) {
    const pane = this.pane(title);
    await pane.waitFor({ state: 'visible', timeout: timeoutMs });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane;
  }

  /** Tree rows of a pane as { text, aria, level, expanded } (text = label + description). */
  async rows(paneTitle) {
    const pane = this.pane(paneTitle);
    return pane.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => ({
      text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
      aria: e.getAttribute('aria-label') ?? '',
      level: Number(e.getAttribute('aria-level') ?? '0'),
      expanded: e.getAttribute('aria-expanded'),
    })));
  }

  /** The tree row in `paneTitle` whose label (first text) is exactly `label`. */
  row(paneTitle, label) {
    return this.pane(paneTitle).locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name, .monaco-highlighted-label', { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }),
    }).first();
  }

  async expandRow(paneTitle, label, timeoutMs = 10_000) {
    const row = this.row(paneTitle, label);
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.click();
      await waitFor(`"${label}" to expand`, async () => (await row.getAttribute('aria-expanded')) === 'true', timeoutMs);
    }
    return row;
  }

  /** Texts of visible notification toasts (and the notification center if open). */
  async notifications() {
    return this.page.locator('.notification-list-item').evaluateAll((els) =>
      els.map((e) => (e.getAttribute('aria-label') || e.textContent || '').replace(/\s+/g, ' ').trim()));
  }

  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => {});
    await this.closeQuickInput();
  }

  /**
   * The innermost frame of a webview whose document matches `predicate` (VS Code hosts each
   * webview in an iframe that contains another iframe with the extension's HTML).
   */
  async webviewFrame(predicate, what, timeoutMs = 15_000) {
    return waitFor(what, async () => {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        try {
          if (await predicate(f)) return f;
        } catch { /* frame navigating */ }
      }
      return undefined;
    }, timeoutMs, 300);
  }
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

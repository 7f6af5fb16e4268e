import { beforeEach, describe, expect, it } from 'vitest';
import * as vscode from 'vscode';
import { fake } from './vscode-fake';
import { CompactionPanel, type CompactionRepository } from '../../../src/editor/compactionPanel';
import type { CompactionResult } from '../../../src/store/api';

function repo(calls: string[]): CompactionRepository {
  const changed = new vscode.EventEmitter<unknown>();
  return {
    id: '/r/.git',
    label: 'r',
    info: { hash: { name: 'sha1' } },
    source: {
      stacks: () => [{
        id: 'main', dir: '/r/.git/reftable',
        tables: [
          { name: '0x000000000001-0x000000000004-00000001.ref', size: 2000, minUpdateIndex: 1, maxUpdateIndex: 4, refCount: 9, logCount: 9, objCount: 0, refTombstones: 0, logTombstones: 0, blocks: { ref: 1, obj: 0, log: 1, index: 0 } },
          { name: '0x000000000005-0x000000000005-00000002.ref', size: 1500, minUpdateIndex: 5, maxUpdateIndex: 5, refCount: 1, logCount: 1, objCount: 0, refTombstones: 0, logTombstones: 0, blocks: { ref: 1, obj: 0, log: 1, index: 0 } },
        ],
      }] as never,
    },
    writer: {
      compact(mode: 'auto' | 'full'): CompactionResult {
        calls.push(mode);
        return { tablesBefore: 2, tablesAfter: 1, bytesBefore: 3500, bytesAfter: 3000, merged: { start: 0, end: 1 } };
      },
    },
    onDidChange: changed.event,
  };
}

describe('compaction panel', () => {
  beforeEach(() => fake.reset());

  it('compacts when the webview asks in a trusted workspace, and re-renders', async () => {
    fake.trusted = true;
    const calls: string[] = [];
    const p = new CompactionPanel(vscode.Uri.file('/ext'), repo(calls), () => 2);
    const panel = fake.panels[0];
    expect(panel.webview.html).toMatch(/Content-Security-Policy/);
    await panel.receive({ type: 'ready' });
    const first = panel.posted.find((m: any) => m.type === 'state') as any;
    expect(first.state.readOnly).toBe(false);
    expect(first.state.stacks[0].satisfied).toBe(false); // 2000 < 2 × 1500: git would merge
    await panel.receive({ type: 'compact', mode: 'auto', stack: 'main' });
    expect(calls).toEqual(['auto']);
    const last = panel.posted.filter((m: any) => m.type === 'state').pop() as any;
    expect(last.state.lastAction).toMatchObject({ mode: 'auto', stack: 'main' });
    p.dispose();
  });

  it('refuses to compact in an untrusted workspace, whatever the webview sends', async () => {
    fake.trusted = false;
    const calls: string[] = [];
    const p = new CompactionPanel(vscode.Uri.file('/ext'), repo(calls), () => 2);
    const panel = fake.panels[0];
    await panel.receive({ type: 'ready' });
    expect((panel.posted.find((m: any) => m.type === 'state') as any).state.readOnly).toBe(true);
    await panel.receive({ type: 'compact', mode: 'full', stack: 'main' });
    expect(calls).toEqual([]);
    expect(fake.messages.some((m) => m.level === 'warning' && /trust/.test(m.text))).toBe(true);
    // Malformed messages are ignored, never executed.
    await panel.receive({ type: 'compact', mode: 'everything' });
    expect(calls).toEqual([]);
    p.dispose();
  });
});

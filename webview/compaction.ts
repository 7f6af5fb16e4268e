/**
 * Compaction panel: each stack's layers as bars on a log scale, the geometric rule and the
 * segment auto-compaction would merge next, tombstone shares, and the two compaction buttons.
 */
import type { CompactionHostMessage, CompactionStackState, CompactionState } from '../src/shared/protocol.js';
import { button, registerComponents, setDisabled, spinner } from './components/index.js';
import { bytesText, clear, h } from './dom.js';
import { post } from './vscode.js';

export function startCompaction(root: HTMLElement): void {
  registerComponents();
  const header = h('div', 'title');
  const body = h('div', 'compaction');
  const busy = h('div', 'busy hidden', spinner(), 'compacting…');
  root.append(header, busy, body);
  const buttons: HTMLElement[] = [];
  // Bars are keyed by table name so a re-render after compaction animates widths (CSS transition).
  const bars = new Map<string, HTMLElement>();

  let lastState: CompactionState | undefined;
  const render = (s: CompactionState) => {
    lastState = s;
    clear(header);
    header.append(h('span', 'file', `Compaction — ${s.repository}`), h('span', 'facts', ` ${s.hash} · geometric factor ${s.factor}`));
    clear(body);
    buttons.length = 0;
    if (s.lastAction) body.append(h('div', `last-action${s.lastAction.error ? ' bad' : ''}`, `${s.lastAction.mode === 'auto' ? 'Compact now' : 'Pack all'} (${s.lastAction.stack}): ${s.lastAction.summary}`));
    const seen = new Set<string>();
    for (const st of s.stacks) body.append(stackView(st, s.factor, bars, seen, buttons));
    if (s.readOnly) for (const b of buttons) setDisabled(b, true);
    for (const k of [...bars.keys()]) if (!seen.has(k)) bars.delete(k);
  };

  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as CompactionHostMessage;
    if (m.type === 'state') render(m.state);
    else if (m.type === 'busy') {
      busy.classList.toggle('hidden', !m.busy);
      for (const b of buttons) setDisabled(b, m.busy || lastState?.readOnly === true);
    }
  });
  post({ type: 'ready' });
}

function stackView(st: CompactionStackState, factor: number, bars: Map<string, HTMLElement>, seen: Set<string>, buttons: HTMLElement[]): HTMLElement {
  const sec = h('section', 'stack');
  const verdict = st.satisfied
    ? h('span', 'ok', `✓ satisfies the geometric rule (each table ≥ ${factor}× the next newer one)`)
    : h('span', 'warn', `✗ violates the geometric rule: auto-compaction would merge tables ${st.next!.start}–${st.next!.end}`);
  sec.append(h('h2', '', `Stack ${st.id}`, h('span', 'muted', ` · ${st.layers.length} table${st.layers.length === 1 ? '' : 's'} · ${st.dir}`)), h('div', 'verdict', verdict));
  const max = Math.max(2, ...st.layers.map((l) => l.size));
  const scale = (n: number) => (Math.log10(Math.max(1, n)) / Math.log10(max)) * 100;
  const list = h('div', 'layers');
  st.layers.forEach((l, i) => {
    seen.add(l.name);
    const bar = bars.get(l.name) ?? h('div', 'bar');
    bars.set(l.name, bar);
    bar.className = `bar${l.inNextSegment ? ' next' : ''}${l.geometricOk ? '' : ' violates'}`;
    bar.style.width = `${Math.max(1, scale(l.size))}%`;
    const tomb = h('div', 'tomb');
    tomb.style.width = `${Math.round(l.tombstoneShare * 100)}%`;
    bar.replaceChildren(tomb);
    const row = h('div', `layer${l.inNextSegment ? ' next' : ''}`,
      h('span', 'idx', `${i}`),
      h('div', 'track', bar),
      h('span', 'size', bytesText(l.size)),
      h('span', 'range', `ui ${l.minUpdateIndex}–${l.maxUpdateIndex}`),
      h('span', `tomb-share${l.tombstoneShare >= 0.5 ? ' warn' : ''}`, `${Math.round(l.tombstoneShare * 100)}% tombstones`),
      h('span', 'name muted', l.name));
    row.title = `${l.name}\n${l.size} bytes (policy size ${l.policySize})\nrefs ${l.refCount} (${l.refTombstones} deletions), logs ${l.logCount} (${l.logTombstones} deletions)`;
    list.append(row);
  });
  sec.append(h('div', 'axis muted', 'bar length: file size on a log scale · shaded: tombstone share · oldest first'), list);
  if (st.next) {
    sec.append(h('div', 'next-info', `Next auto-compaction: ${st.next.tables} tables (${st.next.start}–${st.next.end}) → one table of about ${bytesText(st.next.resultSizeEstimate)}` +
      `${st.next.dropsTombstones ? ', dropping tombstones (the segment starts at the oldest table)' : ', keeping tombstones (the segment does not start at the oldest table)'}.`));
  }
  for (const w of st.warnings) sec.append(h('div', 'warning', `⚠ ${w}`));
  const auto = button('Compact now (auto)', () => post({ type: 'compact', mode: 'auto', stack: st.id }), { title: 'Run git\'s geometric auto-compaction (pack-refs --auto)' });
  const full = button('Pack all', () => post({ type: 'compact', mode: 'full', stack: st.id }), { secondary: true, title: 'Merge every table into one, dropping tombstones (pack-refs)' });
  if (st.satisfied) auto.title += ' — nothing to do now';
  buttons.push(auto, full);
  sec.append(h('div', 'actions', auto, full));
  return sec;
}

/**
 * The table inspector: map strip, structure tree, hex pane linked both ways, and the seek /
 * object lookup / diagnostics panels. Blocks are fetched from the host when first expanded
 * or selected; the tree and hex pane are virtualized.
 */
import type { BlockLayout, ByteRange, ObjectLookup, SeekPath, SeekPathStep, TableLayout } from '../../src/engine/layout.js';
import { locateInBlock, locateInTable, selectionRange } from '../../src/engine/layout-map.js';
import type { Finding } from '../../src/store/api.js';
import type { BlockPayload, InspectorHostMessage, InspectorViewState } from '../../src/shared/protocol.js';
import { badge, button, registerComponents, tabs, textField } from '../components/index.js';
import { clear, h, offsetText } from '../dom.js';
import { post, request, settle, vscodeApi } from '../vscode.js';
import { VirtualList } from '../virtualList.js';
import { HexPane, HexSection, HexSpace } from './hex.js';
import { BlockMap } from './map.js';
import { Row, Sel, buildRows, sameSel } from './model.js';

export function startInspector(root: HTMLElement): void {
  registerComponents();
  new Inspector(root);
}

class Inspector {
  private layout?: TableLayout;
  private headerBytes = new Uint8Array(0);
  private footerBytes = new Uint8Array(0);
  private readonly blocks = new Map<number, BlockPayload>();
  private readonly loading = new Map<number, Promise<BlockPayload>>();
  private expanded = new Set<string>();
  private sel?: Sel;
  private rows: Row[] = [];
  private readonly state: InspectorViewState;

  private readonly banner = h('div', 'banner hidden');
  private readonly title = h('div', 'title');
  private readonly map: BlockMap;
  private readonly tree: VirtualList<Row>;
  private readonly hex: HexPane;
  private readonly status = h('div', 'status');
  private readonly seekField;
  private readonly lookupField;
  private readonly seekOut = h('div', 'result');
  private readonly lookupOut = h('div', 'result');
  private readonly diagOut = h('div', 'result');
  private readonly panels;

  constructor(private readonly root: HTMLElement) {
    this.state = vscodeApi<InspectorViewState>().getState() ?? {};
    this.expanded = new Set((this.state.expanded ?? []).map((b) => `b${b}`));
    this.map = new BlockMap((o) => this.selectOffset(o));
    this.tree = new VirtualList<Row>(22, (r, i) => this.renderRow(r, i), 'vlist tree');
    this.tree.el.tabIndex = 0;
    this.tree.el.setAttribute('role', 'tree');
    this.tree.el.setAttribute('aria-label', 'Structure');
    this.tree.el.addEventListener('keydown', (e) => this.onTreeKey(e));
    this.hex = new HexPane((space, a) => this.onHexPick(space, a));

    this.seekField = textField('Ref name, e.g. refs/heads/main', (v) => void this.seek(v, 'ref'), { label: 'Ref name to seek', size: 40 });
    this.lookupField = textField('Object id or prefix (hex)', (v) => void this.lookup(v), { label: 'Object id to look up', size: 40 });
    this.panels = tabs(['Seek path', 'Object lookup', 'Diagnostics'], (i) => {
      this.state.tab = (['seek', 'lookup', 'diagnostics'] as const)[i];
      this.save();
    });
    this.panels.views[0].append(h('div', 'finder', this.seekField.el, button('Seek ref', () => void this.seek(this.seekField.value, 'ref')),
      button('Seek reflog', () => void this.seek(this.seekField.value, 'log'), { secondary: true })), this.seekOut);
    this.panels.views[1].append(h('div', 'finder', this.lookupField.el, button('Look up', () => void this.lookup(this.lookupField.value))), this.lookupOut);
    this.panels.views[2].append(this.diagOut);

    const treePane = h('section', 'pane tree-pane', h('div', 'pane-title', 'Structure'), this.tree.el);
    const hexPane = h('section', 'pane hex-pane', h('div', 'pane-title', 'Bytes'), this.hex.el);
    root.append(this.banner, this.title, this.map.el, h('div', 'main', treePane, hexPane), h('div', 'bottom', this.panels.el), this.status);

    window.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        this.panels.select(0);
        this.seekField.focus();
      }
    });
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data as InspectorHostMessage));
    post({ type: 'ready' });
  }

  // ---- host messages ---------------------------------------------------------------------

  private onMessage(m: InspectorHostMessage): void {
    switch (m.type) {
      case 'init':
        this.init(m);
        return;
      case 'response':
        settle(m);
        return;
      case 'findings':
        this.renderDiagnostics(m.findings);
        if (m.findings.some((f) => f.severity === 'error')) this.panels.select(2);
        return;
      case 'tableGone':
        this.showGone(m.replacement);
        return;
      case 'reveal':
        this.selectOffset(m.offset);
        return;
    }
  }

  private init(m: Extract<InspectorHostMessage, { type: 'init' }>): void {
    clear(this.title);
    this.title.append(h('span', 'file', m.fileName));
    if (!m.layout) {
      this.title.append(h('span', 'bad', ` cannot open: ${m.error?.message ?? 'unknown error'}`));
      this.renderDiagnostics(m.findings ?? []);
      this.panels.select(2);
      return;
    }
    const l = m.layout;
    this.layout = l;
    this.headerBytes = new Uint8Array(m.headerBytes ?? new ArrayBuffer(0));
    this.footerBytes = new Uint8Array(m.footerBytes ?? new ArrayBuffer(0));
    const facts = [
      `${l.size.toLocaleString()} bytes`, `v${l.version}`, l.hash, `block size ${l.blockSize}`,
      `update index ${l.minUpdateIndex}–${l.maxUpdateIndex}`, `${l.blocks.length} blocks`,
    ];
    this.title.append(h('span', 'facts', facts.join(' · ')), badge(l.footer.crcOk ? 'CRC ok' : 'CRC mismatch'));
    this.map.setLayout(l);
    if (m.findings) this.renderDiagnostics(m.findings);
    else this.diagOut.replaceChildren(h('div', 'muted', 'verifying…'));
    if (this.state.seekText) this.seekField.value = this.state.seekText;
    if (this.state.lookupText) this.lookupField.value = this.state.lookupText;
    const tab = ['seek', 'lookup', 'diagnostics'].indexOf(this.state.tab ?? (m.findings?.some((f) => f.severity === 'error') ? 'diagnostics' : 'seek'));
    this.panels.select(Math.max(0, tab));
    for (const k of this.expanded) if (k.startsWith('b')) void this.loadBlock(Number(k.slice(1)));
    this.refreshTree();
    const restored = this.restoreSelection();
    if (restored) void this.select(restored, true);
    else void this.select({ area: 'header' }, false);
    if (this.state.treeScroll) this.tree.el.scrollTop = this.state.treeScroll;
    this.tree.el.addEventListener('scroll', () => {
      this.state.treeScroll = this.tree.el.scrollTop;
      this.saveSoon();
    });
  }

  private restoreSelection(): Sel | undefined {
    const s = this.state;
    if (s.area === 'header' || s.area === 'footer') return { area: s.area, field: s.selectedField };
    if (s.area === 'block' && s.selectedBlock !== undefined && this.layout && s.selectedBlock < this.layout.blocks.length) {
      return { area: 'block', block: s.selectedBlock, record: s.selectedRecord, field: s.selectedField };
    }
    return undefined;
  }

  private showGone(r?: { name: string; minUpdateIndex: number; maxUpdateIndex: number }): void {
    clear(this.banner);
    this.banner.classList.remove('hidden');
    this.banner.append(h('span', '', 'This table was deleted from disk (a compaction merged it away). What is shown is the copy read before.'));
    if (r) {
      this.banner.append(h('span', '', ` Its update indexes ${r.minUpdateIndex}–${r.maxUpdateIndex} are now in ${r.name}. `));
      this.banner.append(button('Open the replacement', () => post({ type: 'openReplacement' })));
    } else {
      this.banner.append(h('span', '', ' No table in the stack covers its update indexes any more.'));
    }
  }

  // ---- blocks ----------------------------------------------------------------------------

  private loadBlock(index: number): Promise<BlockPayload> {
    const have = this.blocks.get(index);
    if (have) return Promise.resolve(have);
    let p = this.loading.get(index);
    if (!p) {
      p = request('block', { index }).then((payload) => {
        this.blocks.set(index, payload);
        this.loading.delete(index);
        // Keep memory bounded on huge tables: forget far-away blocks that are not expanded.
        if (this.blocks.size > 256) {
          for (const k of this.blocks.keys()) {
            if (this.blocks.size <= 200) break;
            if (!this.expanded.has(`b${k}`) && !(this.sel && 'block' in this.sel && this.sel.block === k)) this.blocks.delete(k);
          }
        }
        this.refreshTree();
        return payload;
      }, (e: Error) => {
        this.loading.delete(index);
        this.status.textContent = `Block ${index}: ${e.message}`;
        throw e;
      });
      this.loading.set(index, p);
    }
    return p;
  }

  // ---- tree ------------------------------------------------------------------------------

  private refreshTree(): void {
    if (!this.layout) return;
    this.rows = buildRows({ layout: this.layout, blocks: this.blocks, expanded: this.expanded });
    this.tree.setItems(this.rows);
  }

  private renderRow(r: Row, i: number): HTMLElement {
    const el = h('div', `row ${r.cls}${sameSel(r.sel, this.sel) ? ' selected' : ''}`);
    el.setAttribute('role', 'treeitem');
    el.setAttribute('aria-level', String(r.depth + 1));
    if (r.expandable) el.setAttribute('aria-expanded', String(r.expanded));
    el.style.paddingLeft = `${6 + r.depth * 16}px`;
    const twisty = h('span', 'twisty', r.expandable ? (r.expanded ? '▾' : '▸') : '');
    twisty.addEventListener('click', (e) => {
      e.stopPropagation();
      this.toggle(r);
    });
    el.append(twisty);
    if (r.keyParts) {
      el.append(h('span', 'label key', h('span', 'key-prefix', r.keyParts.prefix), h('span', 'key-suffix', r.keyParts.suffix)));
    } else {
      el.append(h('span', 'label', r.label));
    }
    el.append(h('span', 'detail', r.detail));
    if (r.target !== undefined) {
      const follow = h('span', 'follow', '↪');
      follow.title = `Follow to ${offsetText(r.target)} (Enter)`;
      follow.addEventListener('click', (e) => {
        e.stopPropagation();
        this.follow(r.target!);
      });
      el.append(follow);
    }
    el.addEventListener('click', () => {
      this.cursor = i;
      void this.select(r.sel, false);
    });
    el.addEventListener('dblclick', () => this.toggle(r));
    return el;
  }

  private cursor = 0;

  private toggle(r: Row): void {
    if (!r.expandable) return;
    if (this.expanded.has(r.key)) this.expanded.delete(r.key);
    else {
      this.expanded.add(r.key);
      if (/^b\d+$/.test(r.key)) void this.loadBlock(Number(r.key.slice(1)));
    }
    this.refreshTree();
    this.save();
  }

  private onTreeKey(e: KeyboardEvent): void {
    const cur = this.rows.findIndex((r) => sameSel(r.sel, this.sel));
    const i = cur >= 0 ? cur : this.cursor;
    const r = this.rows[i];
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const j = Math.max(0, Math.min(this.rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
        this.cursor = j;
        void this.select(this.rows[j].sel, true);
        break;
      }
      case 'ArrowRight':
        if (r?.expandable && !r.expanded) this.toggle(r);
        break;
      case 'ArrowLeft':
        if (r?.expandable && r.expanded) this.toggle(r);
        else if (r && r.depth > 0) {
          for (let j = i - 1; j >= 0; j--) {
            if (this.rows[j].depth < r.depth) {
              void this.select(this.rows[j].sel, true);
              break;
            }
          }
        }
        break;
      case 'Enter':
        if (r?.target !== undefined) this.follow(r.target);
        else if (r) this.toggle(r);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /** Jump to the block starting at a file offset (index records, obj positions, footer positions). */
  private follow(offset: number): void {
    const l = this.layout;
    if (!l) return;
    const b = l.blocks.findIndex((x) => x.offset === offset);
    if (b < 0) {
      this.selectOffset(offset);
      return;
    }
    this.expanded.add(`b${b}`);
    void this.loadBlock(b);
    void this.select({ area: 'block', block: b }, true);
  }

  // ---- selection -------------------------------------------------------------------------

  private async select(sel: Sel, reveal: boolean): Promise<void> {
    this.sel = sel;
    this.state.area = sel.area === 'header' || sel.area === 'footer' || sel.area === 'block' ? sel.area : undefined;
    this.state.selectedBlock = 'block' in sel ? sel.block : undefined;
    this.state.selectedRecord = sel.area === 'block' ? sel.record : undefined;
    this.state.selectedField = 'field' in sel ? sel.field : undefined;
    this.save();
    const l = this.layout;
    if (!l) return;
    if (sel.area === 'block' && sel.record !== undefined) {
      // Make the record visible: expand its block (and the record itself when a field is picked).
      this.expanded.add(`b${sel.block}`);
      if (sel.field !== undefined) this.expanded.add(`b${sel.block}r${sel.record}`);
    }
    if (sel.area === 'block' && sel.restarts) this.expanded.add(`b${sel.block}rt`);
    this.refreshTree();
    if (reveal) {
      const i = this.rows.findIndex((r) => sameSel(r.sel, sel));
      if (i >= 0) this.tree.reveal(i);
    }
    if (sel.area === 'header') {
      const f = sel.field !== undefined ? l.header.fields[sel.field] : l.header;
      this.hex.show([{ title: 'Header (file bytes)', space: 'file', base: 0, bytes: this.headerBytes, roles: rolesFor(l.header.fields, 0, this.headerBytes.length) }]);
      this.hex.highlight({ space: 'file', offset: f.offset, length: f.length });
      this.map.select(l.header);
      this.status.textContent = describeRange('Header', f);
      return;
    }
    if (sel.area === 'footer') {
      const f = sel.field !== undefined ? l.footer.fields[sel.field] : l.footer;
      this.hex.show([{ title: 'Footer (file bytes)', space: 'file', base: l.footer.offset, bytes: this.footerBytes, roles: rolesFor(l.footer.fields, l.footer.offset, this.footerBytes.length) }]);
      this.hex.highlight({ space: 'file', offset: f.offset, length: f.length });
      this.map.select(l.footer);
      this.status.textContent = describeRange('Footer', f);
      return;
    }
    if (sel.area === 'unparsed' && l.unparsed) {
      this.hex.show([]);
      this.map.select(l.unparsed);
      this.status.textContent = `Unparsed: ${l.unparsed.reason}`;
      return;
    }
    if (sel.area !== 'block' && sel.area !== 'padding') return;
    const s = l.blocks[sel.block];
    this.map.select({ offset: s.offset, length: s.paddedLength });
    let p: BlockPayload;
    try {
      p = await this.loadBlock(sel.block);
    } catch {
      return;
    }
    if (this.sel !== sel) return;
    this.showBlock(p, sel);
  }

  private showBlock(p: BlockPayload, sel: Sel): void {
    const bl = p.layout;
    const s = bl.summary;
    const disk = new Uint8Array(p.bytes);
    const sections: HexSection[] = [];
    if (bl.space === 'file') {
      const roles = blockRoles(bl, s.offset, disk.length);
      // The first block starts at offset 0: tint the file header it contains too.
      if (s.offset === 0 && this.layout) rolesFor(this.layout.header.fields, 0, s.start).forEach((r, i) => (roles[i] = r));
      sections.push({ title: `Block #${s.index} (${s.type}) at ${offsetText(s.offset)} — file bytes`, space: 'file', base: s.offset, bytes: disk, roles });
    } else {
      const roles: (string | undefined)[] = new Array(disk.length).fill(undefined);
      for (let i = s.start - s.offset + 4; i < disk.length; i++) roles[i] = 'role-zlib';
      for (let i = s.start - s.offset; i < s.start - s.offset + 4 && i < disk.length; i++) roles[i] = 'role-block-type';
      sections.push({ title: `Log block #${s.index} at ${offsetText(s.offset)} — on disk (zlib stream ${s.compressedLength} bytes)`, space: 'compressed', base: s.offset, bytes: disk, roles });
      const inflated = new Uint8Array(p.inflated ?? new ArrayBuffer(0));
      sections.push({ title: `Inflated (${inflated.length} bytes; addresses relative to the block start)`, space: 'inflated', base: 0, bytes: inflated, roles: blockRoles(bl, 0, inflated.length) });
    }
    this.hex.show(sections);
    const bs = sel.area === 'block' ? { record: sel.record, field: sel.field, area: 'field' as const } : { area: 'padding' as const };
    let range: ByteRange | undefined = sel.area === 'padding' ? bl.padding : selectionRange(bl, bs);
    if (sel.area === 'block' && sel.restarts && bl.fields.length > 2) {
      const first = bl.fields[2];
      const last = bl.fields[bl.fields.length - 1];
      range = { offset: first.offset, length: last.offset + last.length - first.offset };
    }
    if (!range && sel.area === 'block') range = { offset: bl.space === 'file' ? s.start : s.start - s.offset, length: (bl.space === 'file' ? s.offset + s.diskLength : s.blockLen) - (s.start - (bl.space === 'file' ? 0 : s.offset)) };
    const space: HexSpace = bl.space === 'file' ? 'file' : sel.area === 'padding' ? 'compressed' : 'inflated';
    const mapped = bl.space === 'inflated' && bl.compressed && range && range.offset >= s.start - s.offset + 4 ? { space: 'compressed' as const, ...bl.compressed } : undefined;
    this.hex.highlight(range && { space, ...range }, mapped);
    const what = sel.area === 'block' && sel.record !== undefined ? bl.records[sel.record] : undefined;
    const field = what && sel.area === 'block' && sel.field !== undefined ? what.fields[sel.field] : sel.area === 'block' && sel.record === undefined && sel.field !== undefined ? bl.fields[sel.field] : undefined;
    const where = range ? ` ${bl.space === 'inflated' ? 'inflated +' : ''}${offsetText(range.offset)}, ${range.length} bytes` : '';
    this.status.textContent = `Block #${s.index} ${s.type}${what ? ` › record ${what.index} ${what.key}` : ''}${field ? ` › ${field.name} = ${field.value}` : ''} —${where}${mapped ? ` (inside the zlib stream at ${offsetText(mapped.offset)})` : ''}${bl.error ? ` — error: ${bl.error.message}` : ''}`;
  }

  private onHexPick(space: HexSpace, a: number): void {
    const sel = this.sel;
    const l = this.layout;
    if (!l || !sel) return;
    if (sel.area === 'header' || sel.area === 'footer') {
      const loc = locateInTable(l, a);
      if (loc && (loc.area === 'header' || loc.area === 'footer')) void this.select({ area: loc.area, field: loc.field }, true);
      return;
    }
    if (sel.area !== 'block' && sel.area !== 'padding') return;
    const p = this.blocks.get(sel.block);
    if (!p) return;
    if (space === 'compressed') {
      void this.select({ area: 'block', block: sel.block }, true);
      return;
    }
    if (space === 'file' && p.layout.space === 'file' && sel.block === 0 && a < l.header.length) {
      void this.select({ area: 'header', field: locateInTable(l, a)?.field }, true);
      return;
    }
    const b = locateInBlock(p.layout, a);
    if (b.area === 'padding') void this.select({ area: 'padding', block: sel.block }, true);
    else if (b.record !== undefined) void this.select({ area: 'block', block: sel.block, record: b.record, field: b.field }, true);
    else if (b.field !== undefined) void this.select(b.field >= 2 ? { area: 'block', block: sel.block, field: b.field, restarts: undefined } : { area: 'block', block: sel.block, field: b.field }, true);
  }

  /** Select whatever owns a file offset: header/footer field, block record/field, padding. */
  private selectOffset(offset: number): void {
    const l = this.layout;
    if (!l) return;
    const loc = locateInTable(l, offset);
    if (!loc) return;
    if (loc.area === 'header' || loc.area === 'footer') {
      void this.select({ area: loc.area, field: loc.field }, true);
      return;
    }
    if (loc.area === 'unparsed') {
      void this.select({ area: 'unparsed' }, true);
      return;
    }
    const block = loc.block!;
    if (loc.area === 'padding') {
      void this.select({ area: 'padding', block }, true);
      return;
    }
    void this.loadBlock(block).then((p) => {
      if (p.layout.space === 'file') {
        const b = locateInBlock(p.layout, offset);
        if (b.record !== undefined || b.field !== undefined) {
          void this.select({ area: 'block', block, record: b.record, field: b.field }, true);
          return;
        }
      }
      void this.select({ area: 'block', block }, true);
    }, () => undefined);
  }

  private selectBlockAt(offset: number, record?: number): void {
    const l = this.layout;
    if (!l) return;
    const b = l.blocks.findIndex((x) => x.offset === offset);
    if (b < 0) return this.selectOffset(offset);
    this.expanded.add(`b${b}`);
    void this.loadBlock(b).then(() => this.select({ area: 'block', block: b, record }, true), () => undefined);
  }

  // ---- seek / lookup / diagnostics ----------------------------------------------------------

  private async seek(name: string, section: 'ref' | 'log'): Promise<void> {
    this.state.seekText = name;
    this.save();
    if (!name) return;
    clear(this.seekOut);
    this.seekOut.append(h('div', 'muted', 'seeking…'));
    let p: SeekPath;
    try {
      p = await request('seek', { name, section });
    } catch (e) {
      clear(this.seekOut);
      this.seekOut.append(h('div', 'bad', (e as Error).message));
      return;
    }
    clear(this.seekOut);
    const ol = h('ol', 'steps');
    for (const s of p.steps) ol.append(this.stepItem(s));
    this.seekOut.append(ol);
    if (p.found) {
      const f = p.found;
      const link = h('a', 'link', `Found ${f.key} in block @${offsetText(f.block)}, record ${f.record}`);
      link.addEventListener('click', () => this.selectBlockAt(f.block, f.record));
      this.seekOut.append(h('div', 'outcome ok', link));
      this.selectBlockAt(f.block, f.record);
    } else if (p.absent) {
      const b = p.absent.before ? JSON.stringify(p.absent.before) : 'the start of the section';
      const a = p.absent.after ? JSON.stringify(p.absent.after) : 'the end of the section';
      this.seekOut.append(h('div', 'outcome', `${JSON.stringify(name)} is absent; it would sit between ${b} and ${a}.`));
    }
  }

  private stepItem(s: SeekPathStep): HTMLElement {
    const li = h('li', 'step');
    const blockLink = (offset: number, text: string) => {
      const a = h('a', 'link', text);
      a.addEventListener('click', () => this.selectBlockAt(offset));
      return a;
    };
    switch (s.kind) {
      case 'index-block':
        li.append(h('div', '', `Index, ${s.level === 0 ? 'top level' : `${s.level} level${s.level > 1 ? 's' : ''} below the top`}: `, blockLink(s.offset, `index block @${offsetText(s.offset)}`)));
        li.append(probeList(s.probes));
        li.append(h('div', 'sub', s.chosen ? `first index key ≥ wanted: ${JSON.stringify(s.chosen.lastKey)} → ` : 'no index key ≥ wanted (past the end)', s.chosen ? blockLink(s.chosen.position, `block @${offsetText(s.chosen.position)}`) : ''));
        break;
      case 'scan-blocks':
        li.append(h('div', '', `No index: compared the first key of ${s.offsets.length} block(s); chose `, blockLink(s.chosen, `block @${offsetText(s.chosen)}`)));
        break;
      case 'data-block': {
        li.append(h('div', '', 'Data block ', blockLink(s.offset, `@${offsetText(s.offset)}`), `: binary search over restarts, then a scan from ${offsetText(s.scanFrom)}`));
        li.append(probeList(s.probes));
        const scanned = h('div', 'sub', `Scanned ${s.scanned.length} record(s): `);
        s.scanned.slice(0, 40).forEach((x, i) => scanned.append(h('code', '', x.key), i < Math.min(s.scanned.length, 40) - 1 ? ' → ' : ''));
        if (s.scanned.length > 40) scanned.append(` … ${s.scanned.length - 40} more`);
        li.append(scanned);
        break;
      }
    }
    return li;
  }

  private async lookup(prefix: string): Promise<void> {
    this.state.lookupText = prefix;
    this.save();
    clear(this.lookupOut);
    if (!/^[0-9a-fA-F]+$/.test(prefix)) {
      this.lookupOut.append(h('div', 'bad', 'Type a hexadecimal object id or prefix.'));
      return;
    }
    let r: ObjectLookup;
    try {
      r = await request('lookupObject', { prefix });
    } catch (e) {
      this.lookupOut.append(h('div', 'bad', (e as Error).message));
      return;
    }
    this.lookupOut.append(h('div', '', r.method === 'obj-index' ? 'Answered by the obj section.' : `Scanned every ref block${r.reason ? ` (${r.reason})` : ''}.`));
    if (r.steps.length) {
      const ol = h('ol', 'steps');
      for (const s of r.steps) ol.append(this.stepItem(s));
      this.lookupOut.append(ol);
    }
    if (r.objRecord) this.lookupOut.append(h('div', 'sub', `obj record ${r.objRecord.prefix} → ${r.objRecord.positions.length ? r.objRecord.positions.map((p) => offsetText(p)).join(', ') : 'count 0 (scan)'}`));
    this.lookupOut.append(h('div', 'sub', `${r.blocksVisited.length} ref block(s) visited, ${r.matches.length} match(es)`));
    const ul = h('ul', 'matches');
    for (const m of r.matches) {
      const a = h('a', 'link', m.name);
      a.addEventListener('click', () => this.selectOffset(m.offset));
      ul.append(h('li', '', a, h('span', 'muted', ` ${m.via === 'peeled' ? 'peeled ' : ''}${m.via === 'peeled' ? m.peeled : m.value} @${offsetText(m.offset)}`)));
    }
    this.lookupOut.append(ul);
  }

  private renderDiagnostics(findings: Finding[]): void {
    clear(this.diagOut);
    if (findings.length === 0) {
      this.diagOut.append(h('div', 'ok', 'No findings: the table follows every rule checked.'));
      return;
    }
    const ul = h('ul', 'findings');
    for (const f of findings) {
      const li = h('li', `finding sev-${f.severity}`, h('span', 'sev', f.severity), h('code', '', f.code), ` ${f.message}`);
      if (f.offset !== undefined) {
        const a = h('a', 'link', ` @${offsetText(f.offset)}`);
        a.addEventListener('click', () => this.selectOffset(f.offset!));
        li.append(a);
      }
      ul.append(li);
    }
    this.diagOut.append(ul);
  }

  // ---- state -----------------------------------------------------------------------------

  private saveTimer = 0;
  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = 0;
      this.save();
    }, 200);
  }

  private save(): void {
    this.state.expanded = [...this.expanded].filter((k) => /^b\d+$/.test(k)).map((k) => Number(k.slice(1)));
    vscodeApi<InspectorViewState>().setState(this.state);
  }
}

function probeList(probes: { restart: number; key: string; cmp: number }[]): HTMLElement {
  const d = h('div', 'sub probes', `Binary search over restart points (${probes.length} probe${probes.length === 1 ? '' : 's'}): `);
  probes.forEach((p, i) => {
    d.append(h('span', `probe cmp${p.cmp}`, `restart ${p.restart} ${JSON.stringify(p.key)} ${p.cmp > 0 ? '>' : p.cmp < 0 ? '<' : '='}`), i < probes.length - 1 ? ', ' : '');
  });
  return d;
}

function describeRange(what: string, r: ByteRange & { name?: string; value?: string }): string {
  return `${what}${r.name ? ` › ${r.name} = ${r.value}` : ''} — ${offsetText(r.offset)}, ${r.length} bytes`;
}

function rolesFor(fields: { offset: number; length: number; role: string }[], base: number, n: number): (string | undefined)[] {
  const roles: (string | undefined)[] = new Array(n).fill(undefined);
  for (const f of fields) for (let i = f.offset; i < f.offset + f.length; i++) if (i - base >= 0 && i - base < n) roles[i - base] = `role-${f.role}`;
  return roles;
}

function blockRoles(bl: BlockLayout, base: number, n: number): (string | undefined)[] {
  const roles = rolesFor(bl.fields, base, n);
  for (const r of bl.records) {
    for (const f of r.fields) for (let i = f.offset; i < f.offset + f.length; i++) if (i - base >= 0 && i - base < n) roles[i - base] = `role-${f.role}`;
  }
  if (bl.padding && bl.space === 'file') for (let i = bl.padding.offset; i < bl.padding.offset + bl.padding.length; i++) if (i - base < n) roles[i - base] = 'role-padding';
  return roles;
}

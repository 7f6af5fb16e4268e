/**
 * Hex pane: one or two byte sections (a block's disk bytes; for log blocks also the inflated
 * block), 16 bytes a row, virtualized. Bytes are tinted by the role of the field that owns
 * them; the selection is highlighted; clicking a byte reports (space, address).
 */
import { h } from '../dom.js';
import { VirtualList } from '../virtualList.js';

export type HexSpace = 'file' | 'inflated' | 'compressed';

export interface HexSection {
  title: string;
  space: HexSpace;
  /** Address of bytes[0] in its space. */
  base: number;
  bytes: Uint8Array;
  /** Per-byte CSS class (role of the owning field), '' for none. */
  roles?: (string | undefined)[];
}

interface HexRow {
  section: number;
  /** Row start, relative to bytes[0]; -1 for a section title row. */
  at: number;
}

export class HexPane {
  readonly el: HTMLElement;
  private readonly list: VirtualList<HexRow>;
  private sections: HexSection[] = [];
  private selected?: { space: HexSpace; offset: number; length: number };
  private mapped?: { space: HexSpace; offset: number; length: number };

  constructor(private readonly onPick: (space: HexSpace, address: number) => void) {
    this.list = new VirtualList<HexRow>(18, (r) => this.renderRow(r), 'vlist hex');
    this.el = this.list.el;
    this.el.setAttribute('aria-label', 'Bytes');
    this.el.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest('[data-a]') as HTMLElement | null;
      if (!t) return;
      this.onPick(t.dataset.s as HexSpace, Number(t.dataset.a));
    });
  }

  show(sections: HexSection[]): void {
    this.sections = sections;
    const rows: HexRow[] = [];
    sections.forEach((s, si) => {
      rows.push({ section: si, at: -1 });
      for (let at = 0; at < s.bytes.length; at += 16) rows.push({ section: si, at });
    });
    this.list.setItems(rows);
  }

  /** Highlight a range; `mapped` is a secondary range (compressed bytes holding an inflated field). */
  highlight(sel?: { space: HexSpace; offset: number; length: number }, mapped?: { space: HexSpace; offset: number; length: number }): void {
    this.selected = sel;
    this.mapped = mapped;
    if (sel) {
      const si = this.sections.findIndex((s) => s.space === sel.space && sel.offset >= s.base && sel.offset < s.base + s.bytes.length);
      if (si >= 0) {
        let row = 0;
        for (let i = 0; i < si; i++) row += 1 + Math.ceil(this.sections[i].bytes.length / 16);
        row += 1 + Math.floor((sel.offset - this.sections[si].base) / 16);
        this.list.reveal(row);
        return;
      }
    }
    this.list.refresh();
  }

  private inRange(r: { space: HexSpace; offset: number; length: number } | undefined, space: HexSpace, a: number): boolean {
    return !!r && r.space === space && a >= r.offset && a < r.offset + r.length;
  }

  private renderRow(r: HexRow): HTMLElement {
    const s = this.sections[r.section];
    if (r.at < 0) return h('div', 'hex-row hex-title', s.title);
    const row = h('div', 'hex-row');
    const addr = s.base + r.at;
    const prefix = s.space === 'inflated' ? '+' : '';
    row.append(h('span', 'hex-addr', `${prefix}${addr.toString(16).padStart(8, '0')}`), h('span', 'hex-dec', `${prefix}${addr}`));
    const hexCells = h('span', 'hex-bytes');
    const ascii = h('span', 'hex-ascii');
    for (let i = 0; i < 16; i++) {
      const j = r.at + i;
      if (j >= s.bytes.length) {
        hexCells.append(h('span', 'hb empty', '  '));
        continue;
      }
      const a = s.base + j;
      const v = s.bytes[j];
      let cls = `hb ${s.roles?.[j] ?? ''}`;
      if (this.inRange(this.selected, s.space, a)) cls += ' sel';
      else if (this.inRange(this.mapped, s.space, a)) cls += ' mapped';
      const cell = h('span', cls, v.toString(16).padStart(2, '0'));
      cell.dataset.a = String(a);
      cell.dataset.s = s.space;
      hexCells.append(cell);
      const ch = h('span', cls, v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '·');
      ch.dataset.a = String(a);
      ch.dataset.s = s.space;
      ascii.append(ch);
    }
    row.append(hexCells, ascii);
    return row;
  }
}

/**
 * The file as a strip of blocks drawn to scale on a canvas (thousands of blocks would be
 * thousands of sub-pixel elements), coloured by type with theme chart colours.
 */
import type { TableLayout } from '../../src/engine/layout.js';
import { locateInTable } from '../../src/engine/layout-map.js';
import { cssVar, h, offsetText } from '../dom.js';

export type MapKind = 'header' | 'ref' | 'obj' | 'log' | 'index' | 'padding' | 'footer' | 'unparsed';

export function mapColour(kind: MapKind): string {
  switch (kind) {
    case 'header':
    case 'footer': return cssVar('--vscode-charts-purple', '#b180d7');
    case 'ref': return cssVar('--vscode-charts-blue', '#3794ff');
    case 'index': return cssVar('--vscode-charts-orange', '#d18616');
    case 'obj': return cssVar('--vscode-charts-yellow', '#cca700');
    case 'log': return cssVar('--vscode-charts-green', '#89d185');
    case 'padding': return cssVar('--vscode-charts-lines', '#808080');
    case 'unparsed': return cssVar('--vscode-charts-red', '#f14c4c');
  }
}

export class BlockMap {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private layout?: TableLayout;
  private selected?: { offset: number; length: number };

  constructor(private readonly onPick: (offset: number) => void) {
    this.canvas = h('canvas', 'map-canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Blocks of the table drawn to scale; click to select');
    const legend = h('div', 'map-legend');
    for (const k of ['header', 'ref', 'index', 'obj', 'log', 'padding', 'footer'] as MapKind[]) {
      const sw = h('span', 'swatch');
      sw.style.background = mapColour(k);
      legend.append(h('span', 'legend-item', sw, k));
    }
    this.el = h('div', 'map', this.canvas, legend);
    this.canvas.addEventListener('click', (e) => {
      const o = this.offsetAt(e);
      if (o !== undefined) this.onPick(o);
    });
    this.canvas.addEventListener('mousemove', (e) => {
      const o = this.offsetAt(e);
      if (o === undefined || !this.layout) return;
      const loc = locateInTable(this.layout, o);
      const b = loc?.block !== undefined ? this.layout.blocks[loc.block] : undefined;
      this.canvas.title = b ? `#${b.index} ${b.type} block at ${offsetText(b.offset)}, ${b.paddedLength} bytes` : `${loc?.area ?? ''} at ${offsetText(o)}`;
    });
    new ResizeObserver(() => this.draw()).observe(this.el);
  }

  setLayout(l: TableLayout): void {
    this.layout = l;
    this.draw();
  }

  select(range: { offset: number; length: number } | undefined): void {
    this.selected = range;
    this.draw();
  }

  private offsetAt(e: MouseEvent): number | undefined {
    if (!this.layout) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) / r.width;
    return Math.max(0, Math.min(this.layout.size - 1, Math.floor(x * this.layout.size)));
  }

  private draw(): void {
    const l = this.layout;
    if (!l) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(100, this.canvas.clientWidth);
    const hgt = 26;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(hgt * dpr);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    const sx = w / l.size;
    const rect = (offset: number, length: number, kind: MapKind) => {
      ctx.fillStyle = mapColour(kind);
      // Keep tiny blocks visible: at least one device pixel wide.
      ctx.fillRect(offset * sx, 2, Math.max(length * sx, 1 / dpr), hgt - 4);
    };
    rect(0, l.header.length, 'header');
    const sep = cssVar('--vscode-editor-background', '#1e1e1e');
    for (const b of l.blocks) {
      rect(b.start, b.offset + b.diskLength - b.start, b.type);
      if (b.paddedLength > b.diskLength) {
        ctx.globalAlpha = 0.35;
        rect(b.offset + b.diskLength, b.paddedLength - b.diskLength, 'padding');
        ctx.globalAlpha = 1;
      }
      // Block boundaries, when there is room to see them.
      if (sx * b.paddedLength > 4) {
        ctx.fillStyle = sep;
        ctx.fillRect(b.offset * sx, 2, 1, hgt - 4);
      }
    }
    if (l.unparsed) rect(l.unparsed.offset, l.unparsed.length, 'unparsed');
    rect(l.footer.offset, l.footer.length, 'footer');
    if (this.selected) {
      ctx.strokeStyle = cssVar('--vscode-focusBorder', '#007fd4');
      ctx.lineWidth = 2;
      const x = this.selected.offset * sx;
      ctx.strokeRect(x, 1, Math.max(this.selected.length * sx, 3), hgt - 2);
    }
  }
}

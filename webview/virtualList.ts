/**
 * A virtualized list with fixed row height: only the rows in view (plus a margin) exist in the
 * DOM, so a million records cost no more than fifty.
 */
import { h } from './dom.js';

export class VirtualList<T> {
  readonly el: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private items: readonly T[] = [];
  private frame = 0;

  constructor(
    private readonly rowHeight: number,
    private readonly renderRow: (item: T, index: number) => HTMLElement,
    cls = 'vlist',
  ) {
    this.spacer = h('div', 'vlist-spacer');
    this.layer = h('div', 'vlist-layer');
    this.el = h('div', cls, this.spacer, this.layer);
    this.el.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    this.spacer.style.height = `${items.length * this.rowHeight}px`;
    this.render();
  }

  get length(): number {
    return this.items.length;
  }

  /** Scroll so row `i` is visible (centred when it was far away). */
  reveal(i: number): void {
    const top = i * this.rowHeight;
    const view = this.el.clientHeight || 300;
    if (top < this.el.scrollTop || top + this.rowHeight > this.el.scrollTop + view) {
      this.el.scrollTop = Math.max(0, top - view / 2);
    }
    this.render();
  }

  refresh(): void {
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const view = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.el.scrollTop / this.rowHeight) - 10);
    const last = Math.min(this.items.length, Math.ceil((this.el.scrollTop + view) / this.rowHeight) + 10);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = this.renderRow(this.items[i], i);
      row.style.top = `${i * this.rowHeight}px`;
      row.style.height = `${this.rowHeight}px`;
      frag.appendChild(row);
    }
    this.layer.replaceChildren(frag);
  }
}

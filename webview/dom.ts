/** Tiny DOM helpers (no framework): element creation with classes, text and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, cls?: string, ...children: (Node | string | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function hex(n: number, width = 0): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** Offsets shown both ways, as the brief asks: hex and decimal. */
export function offsetText(n: number): string {
  return `${hex(n)} (${n})`;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

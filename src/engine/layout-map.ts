/**
 * Selection mapping over a layout (byte offset → owning field and back). Kept apart from
 * layout.ts, importing only its types, so the webview can use it without bundling the reader.
 */
import type { BlockLayout, ByteRange, TableLayout } from './layout.js';

/** The file range holding an inflated log-block range: exact for the header, else the zlib stream. */
export function toFileRange(layout: BlockLayout, r: ByteRange): ByteRange {
  if (layout.space === 'file') return r;
  const s = layout.summary;
  const plain = s.start - s.offset + 4;
  if (r.offset + r.length <= plain) return { offset: s.offset + r.offset, length: r.length };
  return layout.compressed ?? { offset: s.start, length: s.diskLength };
}

export type LayoutArea = 'header' | 'block' | 'padding' | 'footer' | 'unparsed';

/** Which top-level part of the file owns `offset`: binary search over the block list. */
export function locateInTable(layout: TableLayout, offset: number): { area: LayoutArea; block?: number; field?: number } | undefined {
  if (offset < 0 || offset >= layout.size) return undefined;
  if (offset < layout.header.offset + layout.header.length) {
    return { area: 'header', field: fieldIndexAt(layout.header.fields, offset) };
  }
  if (offset >= layout.footer.offset) return { area: 'footer', field: fieldIndexAt(layout.footer.fields, offset) };
  const bs = layout.blocks;
  let lo = 0;
  let hi = bs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = bs[mid];
    if (offset < b.offset) hi = mid - 1;
    else if (offset >= b.offset + b.paddedLength) lo = mid + 1;
    else return { area: offset < b.offset + b.diskLength ? 'block' : 'padding', block: mid };
  }
  if (layout.unparsed && offset >= layout.unparsed.offset) return { area: 'unparsed' };
  return undefined;
}

function fieldIndexAt(fields: readonly ByteRange[], offset: number): number | undefined {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (offset >= f.offset && offset < f.offset + f.length) return i;
  }
  return undefined;
}

/** What inside a decoded block owns `pos` (in the block's coordinate space). */
export interface BlockSelection {
  /** Record number, when the byte belongs to a record. */
  record?: number;
  /** Field number within the record's fields (or the block's fields when `record` is unset). */
  field?: number;
  area: 'field' | 'record' | 'padding' | 'none';
}

export function locateInBlock(layout: BlockLayout, pos: number): BlockSelection {
  const rs = layout.records;
  let lo = 0;
  let hi = rs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = rs[mid];
    if (pos < r.offset) hi = mid - 1;
    else if (pos >= r.offset + r.length) lo = mid + 1;
    else {
      const f = fieldIndexAt(r.fields, pos);
      return f === undefined ? { record: mid, area: 'record' } : { record: mid, field: f, area: 'field' };
    }
  }
  const f = fieldIndexAt(layout.fields, pos);
  if (f !== undefined) return { field: f, area: 'field' };
  if (layout.padding && layout.space === 'file' && pos >= layout.padding.offset && pos < layout.padding.offset + layout.padding.length) return { area: 'padding' };
  return { area: 'none' };
}

/** The byte range a block selection stands for (inverse of locateInBlock). */
export function selectionRange(layout: BlockLayout, sel: BlockSelection): ByteRange | undefined {
  if (sel.record !== undefined) {
    const r = layout.records[sel.record];
    if (!r) return undefined;
    if (sel.field === undefined) return { offset: r.offset, length: r.length };
    const f = r.fields[sel.field];
    return f && { offset: f.offset, length: f.length };
  }
  if (sel.field !== undefined) {
    const f = layout.fields[sel.field];
    return f && { offset: f.offset, length: f.length };
  }
  if (sel.area === 'padding') return layout.padding;
  return undefined;
}

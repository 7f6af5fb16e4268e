/** Selection and tree-row model of the inspector (no DOM). */
import type { BlockLayout, DecodedRecord, LayoutField, RecordLayout, TableLayout } from '../../src/engine/layout.js';
import type { BlockPayload } from '../../src/shared/protocol.js';

export type Sel =
  | { area: 'header' | 'footer'; field?: number }
  | { area: 'block'; block: number; record?: number; field?: number; restarts?: boolean }
  | { area: 'padding'; block: number }
  | { area: 'unparsed' };

export interface Row {
  key: string;
  depth: number;
  label: string;
  detail: string;
  cls: string;
  expandable: boolean;
  expanded: boolean;
  sel: Sel;
  /** File offset of a block this row points at (Enter follows it). */
  target?: number;
  /** Key split into the shared prefix (not stored in this record) and the stored suffix. */
  keyParts?: { prefix: string; suffix: string };
}

export function sameSel(a: Sel | undefined, b: Sel | undefined): boolean {
  return !!a && !!b && JSON.stringify(a) === JSON.stringify(b);
}

export function formatTime(time: number, tz: string): string {
  const sign = tz.startsWith('-') ? -1 : 1;
  const hh = Number(tz.slice(1, 3));
  const mm = Number(tz.slice(3, 5));
  const local = new Date((time + sign * (hh * 3600 + mm * 60)) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${local} ${tz}`;
}

export function describeRecord(d: DecodedRecord): string {
  switch (d.kind) {
    case 'ref':
      switch (d.valueType) {
        case 0: return `deletion · ui ${d.updateIndex}`;
        case 1: return `${d.value} · ui ${d.updateIndex}`;
        case 2: return `tag ${d.value} ^ ${d.peeled} · ui ${d.updateIndex}`;
        case 3: return `→ ${d.target} · ui ${d.updateIndex}`;
        default: return `type ${d.valueType}`;
      }
    case 'log':
      if (d.valueType === 0) return 'deletion (log tombstone)';
      return `${d.old?.slice(0, 10)}…→${d.new?.slice(0, 10)}… · ${d.committer} <${d.email}> · ${formatTime(d.time ?? 0, d.tz ?? '+0000')} · ${JSON.stringify(d.message ?? '')}`;
    case 'index':
      return `→ block @0x${d.position.toString(16)} (${d.position})`;
    case 'obj':
      return d.positions.length ? `→ ${d.positions.map((p) => `@0x${p.toString(16)}`).join(', ')}` : 'count 0: scan all ref blocks';
  }
}

function keyParts(r: RecordLayout): { prefix: string; suffix: string } {
  // The shared prefix length counts bytes; keys are shown as text, so split on the bytes.
  const bytes = new Uint8Array(r.keyHex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(r.keyHex.substr(i * 2, 2), 16);
  const dec = new TextDecoder();
  const isLog = r.decoded.kind === 'log';
  const nameLen = isLog ? Math.max(0, bytes.length - 9) : bytes.length;
  if (r.decoded.kind === 'obj') return { prefix: r.keyHex.slice(0, r.prefixLength * 2), suffix: r.keyHex.slice(r.prefixLength * 2) };
  const p = Math.min(r.prefixLength, nameLen);
  const prefix = dec.decode(bytes.subarray(0, p));
  const suffix = dec.decode(bytes.subarray(p, nameLen)) + (isLog ? ` @ ${(r.decoded as { updateIndex: number }).updateIndex}` : '');
  return { prefix, suffix };
}

export interface TreeInput {
  layout: TableLayout;
  blocks: ReadonlyMap<number, BlockPayload>;
  expanded: ReadonlySet<string>;
}

function fieldRows(fields: LayoutField[], depth: number, keyBase: string, sel: (i: number) => Sel): Row[] {
  return fields.map((f, i) => ({
    key: `${keyBase}f${i}`, depth, label: f.name, detail: f.value, cls: `field role-${f.role}${f.ok === false ? ' bad' : ''}`,
    expandable: false, expanded: false, sel: sel(i), target: f.target,
  }));
}

/** Flatten the tree: only expanded nodes contribute children. */
export function buildRows(t: TreeInput): Row[] {
  const { layout, blocks, expanded } = t;
  const rows: Row[] = [];
  const ex = (k: string) => expanded.has(k);
  rows.push({ key: 'h', depth: 0, label: 'Header', detail: `@0x0 · ${layout.header.length} bytes · v${layout.version} · ${layout.hash}`, cls: 'node header', expandable: true, expanded: ex('h'), sel: { area: 'header' } });
  if (ex('h')) rows.push(...fieldRows(layout.header.fields, 1, 'h', (i) => ({ area: 'header', field: i })));
  for (const b of layout.blocks) {
    const k = `b${b.index}`;
    const lvl = b.type === 'index' ? ` ${b.section} L${b.level}` : '';
    const comp = b.compressedLength !== undefined ? ` · zlib ${b.compressedLength}` : '';
    rows.push({
      key: k, depth: 0, label: `#${b.index} ${b.type}${lvl}`, cls: `node block t-${b.type}`, expandable: true, expanded: ex(k), sel: { area: 'block', block: b.index },
      detail: `@0x${b.offset.toString(16)} (${b.offset}) · len ${b.blockLen} · disk ${b.diskLength}${b.paddedLength > b.diskLength ? ` · padded ${b.paddedLength}` : ''}${comp} · ${b.restartCount} restarts`,
    });
    if (!ex(k)) continue;
    const p = blocks.get(b.index);
    if (!p) {
      rows.push({ key: `${k}-loading`, depth: 1, label: 'decoding…', detail: '', cls: 'muted', expandable: false, expanded: false, sel: { area: 'block', block: b.index } });
      continue;
    }
    rows.push(...blockRows(p.layout, b.index, expanded));
  }
  if (layout.unparsed) {
    rows.push({ key: 'u', depth: 0, label: 'Unparsed bytes', detail: `@0x${layout.unparsed.offset.toString(16)} · ${layout.unparsed.length} bytes · ${layout.unparsed.reason}`, cls: 'node unparsed bad', expandable: false, expanded: false, sel: { area: 'unparsed' } });
  }
  rows.push({
    key: 'f', depth: 0, label: 'Footer', detail: `@0x${layout.footer.offset.toString(16)} · ${layout.footer.length} bytes · CRC ${layout.footer.crcOk ? 'ok' : 'MISMATCH'}`,
    cls: `node footer${layout.footer.crcOk ? '' : ' bad'}`, expandable: true, expanded: ex('f'), sel: { area: 'footer' },
  });
  if (ex('f')) rows.push(...fieldRows(layout.footer.fields, 1, 'f', (i) => ({ area: 'footer', field: i })));
  return rows;
}

function blockRows(bl: BlockLayout, bi: number, expanded: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const k = `b${bi}`;
  rows.push(...fieldRows(bl.fields.slice(0, 2), 1, k, (i) => ({ area: 'block', block: bi, field: i })));
  for (const r of bl.records) {
    const rk = `${k}r${r.index}`;
    rows.push({
      key: rk, depth: 1, label: r.key, detail: describeRecord(r.decoded), cls: `record${r.restart ? ' restart' : ''}${r.decoded.kind === 'ref' && r.decoded.valueType === 0 ? ' tombstone' : ''}`,
      expandable: true, expanded: expanded.has(rk), sel: { area: 'block', block: bi, record: r.index }, keyParts: keyParts(r),
      target: r.decoded.kind === 'index' ? r.decoded.position : undefined,
    });
    if (expanded.has(rk)) rows.push(...fieldRows(r.fields, 2, rk, (i) => ({ area: 'block', block: bi, record: r.index, field: i })));
  }
  if (bl.error) rows.push({ key: `${k}err`, depth: 1, label: 'error', detail: bl.error.message, cls: 'bad', expandable: false, expanded: false, sel: { area: 'block', block: bi } });
  const rt = `${k}rt`;
  const restartFields = bl.fields.slice(2);
  if (restartFields.length > 0) {
    rows.push({ key: rt, depth: 1, label: 'restart table', detail: `${bl.restarts.length} restart points`, cls: 'node restarts', expandable: true, expanded: expanded.has(rt), sel: { area: 'block', block: bi, restarts: true } });
    if (expanded.has(rt)) rows.push(...fieldRows(restartFields, 2, rt, (i) => ({ area: 'block', block: bi, field: i + 2 })));
  }
  if (bl.padding) {
    rows.push({ key: `${k}pad`, depth: 1, label: 'padding', detail: `@0x${bl.padding.offset.toString(16)} · ${bl.padding.length} NUL bytes`, cls: 'padding', expandable: false, expanded: false, sel: { area: 'padding', block: bi } });
  }
  return rows;
}

/**
 * One inspected table file: opened once (positioned reads for big files), its lazy layout
 * computed once, blocks decoded on request and cached by the Table. Plain Node, no vscode, so
 * the request handling is unit-testable.
 */
import { BlockLayout, TableLayout, blockLayoutAt, lookupObject, seekPath, tableLayout } from '../engine/layout.js';
import { ReftableError, isReftableError } from '../engine/errors.js';
import { hashByName } from '../engine/format.js';
import { Table } from '../engine/table.js';
import { verifyTable } from '../engine/verify.js';
import type { Finding } from '../store/api.js';
import { FileSource, openFileSource } from '../store/fs-source.js';
import type { BlockPayload, ErrorInfo, InspectorHostMessage, RequestMessage, ResponseMessage } from '../shared/protocol.js';

export function errorInfo(e: unknown): ErrorInfo {
  if (isReftableError(e)) return { message: e.reason, code: e.code, offset: e.offset };
  return { message: e instanceof Error ? e.message : String(e) };
}

/** Tables above this size are verified on demand only (verification reads every byte). */
export const VERIFY_LIMIT = 64 * 1024 * 1024;

export class TableDocumentModel {
  readonly table?: Table;
  readonly layout?: TableLayout;
  readonly openError?: ErrorInfo;
  private source?: FileSource;
  private findingsCache?: Finding[];

  constructor(readonly file: string, readonly fileName: string, private readonly repoHash?: 'sha1' | 'sha256', source?: FileSource) {
    try {
      this.source = source ?? openFileSource(file);
      this.table = Table.open(this.source, { name: fileName, cacheBlocks: 64 });
      this.layout = tableLayout(this.table);
    } catch (e) {
      this.openError = errorInfo(e);
    }
  }

  findings(): Finding[] {
    if (this.findingsCache) return this.findingsCache;
    const hash = this.repoHash ? hashByName(this.repoHash) : undefined;
    if (!this.table) {
      this.findingsCache = [{ severity: 'error', file: this.fileName, code: this.openError?.code?.toLowerCase() ?? 'open', message: this.openError?.message ?? 'cannot open', offset: this.openError?.offset }];
    } else if (this.table.size > VERIFY_LIMIT) {
      this.findingsCache = [{ severity: 'info', file: this.fileName, code: 'not-verified', message: `not verified automatically: the table is larger than ${VERIFY_LIMIT >> 20} MiB` }];
    } else {
      this.findingsCache = verifyTable(this.table, { name: this.fileName, hash });
    }
    return this.findingsCache;
  }

  /** Tables up to this size are verified before the first paint; bigger ones right after it. */
  static EAGER_VERIFY = 1024 * 1024;

  get verifyDeferred(): boolean {
    return !this.findingsCache && !!this.table && this.table.size > TableDocumentModel.EAGER_VERIFY;
  }

  initMessage(): InspectorHostMessage {
    const findings = this.verifyDeferred ? undefined : this.findings();
    const m: InspectorHostMessage = { type: 'init', file: this.file, fileName: this.fileName, layout: this.layout, findings, error: this.openError };
    if (this.table && this.layout) {
      m.headerBytes = copy(this.table.source.read(0, this.layout.header.length));
      m.footerBytes = copy(this.table.source.read(this.layout.footer.offset, this.layout.footer.length));
    }
    return m;
  }

  blockPayload(index: number): BlockPayload {
    const { table, layout } = this.ready();
    const bl: BlockLayout = blockLayoutAt(table, layout, index);
    const s = bl.summary;
    const bytes = copy(table.source.read(s.offset, s.paddedLength));
    const payload: BlockPayload = { layout: bl, bytes };
    if (s.type === 'log' && !bl.error) {
      const b = table.block(s.offset);
      if (b) payload.inflated = copy(b.data);
    }
    return payload;
  }

  handle(req: RequestMessage): ResponseMessage {
    try {
      switch (req.method) {
        case 'block':
          return { type: 'response', id: req.id, ok: true, result: this.blockPayload(req.params.index) };
        case 'seek':
          return { type: 'response', id: req.id, ok: true, result: seekPath(this.ready().table, req.params.name, req.params.section) };
        case 'lookupObject':
          return { type: 'response', id: req.id, ok: true, result: lookupObject(this.ready().table, req.params.prefix) };
      }
    } catch (e) {
      return { type: 'response', id: req.id, ok: false, error: errorInfo(e) };
    }
  }

  private ready(): { table: Table; layout: TableLayout } {
    if (!this.table || !this.layout) throw new ReftableError('FORMAT', this.openError?.message ?? 'table is not open');
    return { table: this.table, layout: this.layout };
  }

  dispose(): void {
    this.source?.close();
    this.source = undefined;
  }
}

/** A standalone ArrayBuffer (postMessage transfers whole buffers; never leak a shared one). */
function copy(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

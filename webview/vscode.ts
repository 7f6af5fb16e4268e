/** The webview side of the host bridge: typed postMessage, request/response by id, state. */
import type { InspectorMethod, InspectorMethods, ResponseMessage } from '../src/shared/protocol.js';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

let api: VsCodeApi<unknown> | undefined;
export function vscodeApi<S>(): VsCodeApi<S> {
  api ??= acquireVsCodeApi<unknown>();
  return api as VsCodeApi<S>;
}

export function post(message: unknown): void {
  vscodeApi().postMessage(message);
}

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error & { offset?: number }) => void }>();

export function request<M extends InspectorMethod>(method: M, params: InspectorMethods[M]['params']): Promise<InspectorMethods[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'request', id, method, params });
  });
}

/** Settle the request a response answers; false when the id is unknown. */
export function settle(m: ResponseMessage): boolean {
  const p = pending.get(m.id);
  if (!p) return false;
  pending.delete(m.id);
  if (m.ok) p.resolve(m.result);
  else p.reject(Object.assign(new Error(m.error.message), { offset: m.error.offset }));
  return true;
}

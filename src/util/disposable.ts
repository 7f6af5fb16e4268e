/**
 * One base for host objects that own resources: children are registered once and released
 * together, so nothing a class creates outlives it (the hexeditor / git extension idiom).
 */
export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/** Dispose every item, continuing past failures so one broken child cannot leak the rest. */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const d of items) {
    try {
      d.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
}

export class Disposable implements IDisposable {
  private readonly _store = new Set<IDisposable>();
  private _disposed = false;

  protected get isDisposed(): boolean {
    return this._disposed;
  }

  /** Keep `d` until this object is disposed; disposing an already-disposed owner releases it at once. */
  protected _register<T extends IDisposable>(d: T): T {
    if (this._disposed) d.dispose();
    else this._store.add(d);
    return d;
  }

  /** Release one child early (e.g. a watcher for a worktree that went away). */
  protected _unregister(d: IDisposable): void {
    if (this._store.delete(d)) d.dispose();
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const items = [...this._store].reverse();
    this._store.clear();
    disposeAll(items);
  }
}

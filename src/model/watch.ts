/**
 * The one file watcher: a stack's `tables.list` is replaced by rename (lock file → list), which
 * many platforms report against the directory rather than the old inode, so the directory is
 * watched and events are filtered by name.
 */
import * as fs from 'node:fs';
import { IDisposable, toDisposable } from '../util/disposable.js';
import { log } from '../log.js';

export type WatchFactory = (dir: string, onChange: () => void) => IDisposable;

export const watchStackDir: WatchFactory = (dir, onChange) => {
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(dir, { persistent: false }, (_event, file) => {
      // A null name happens on some platforms; reloading is cheap, missing a change is not.
      if (file === null || file === 'tables.list') onChange();
    });
  } catch (e) {
    log.warn(`cannot watch ${dir}: ${(e as Error).message}`);
    return toDisposable(() => {});
  }
  // The directory can vanish (worktree pruned); the next reload drops this watcher.
  watcher.on('error', (e) => log.debug(`watcher on ${dir} stopped: ${e.message}`));
  return toDisposable(() => watcher.close());
};

/** Trailing-edge debounce: a burst of events within `ms` runs `fn` once, `ms` after the last one. */
export function debounce(fn: () => void, ms: number): { (): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    fn();
  };
  const d = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  d.flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      run();
    }
  };
  d.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return d;
}

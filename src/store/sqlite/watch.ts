import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ChangeWatch } from '../../core/ports.js';
import { Wakeup } from '../wakeup.js';

/** How often a follower looks when the file cannot be watched (another file system, say). */
const POLL_WITHOUT_WATCH_MS = 100;

/**
 * After a write to the files, wake again this long after it (ms). A commit writes its frames
 * to the `-wal` file (the watch sees that) and only then, after their fsync, publishes them in
 * the `-shm` index, which is memory-mapped and so seen by no watch: a follower woken by the
 * write often looks too early, finds PRAGMA data_version unchanged, and would otherwise sleep
 * until its fallback check. Each extra wake costs one data_version read.
 */
const SETTLE_WAKES_MS = [2, 10, 40, 150, 400];

/**
 * Wakes on a change to a SQLite file: a commit in WAL mode writes the `-wal` file, a
 * checkpoint the file itself. The folder is watched rather than the files (inotify on Linux,
 * no polling), so a `-wal` file made or removed meanwhile is still seen. A wake may be for
 * nothing (another file's name is filtered out here, this connection's own commits are not):
 * the follower then finds PRAGMA data_version unchanged, which costs a few microseconds.
 */
export class FileChangeWatch implements ChangeWatch {
  readonly #wakeup = new Wakeup();
  #watcher: FSWatcher | undefined;
  #settling: NodeJS.Timeout[] = [];

  /** `file` undefined (a store in memory): nothing else can commit, only the timeout wakes. */
  constructor(file: string | undefined) {
    if (file === undefined) return;
    const names = new Set([basename(file), `${basename(file)}-wal`]);
    try {
      // Not persistent: a watch alone must not keep a finished command alive.
      this.#watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) this.#changed();
      });
      this.#watcher.on('error', () => this.#stop());
    } catch {
      this.#watcher = undefined;
    }
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const wait = this.#watcher ? timeoutMs : Math.min(timeoutMs, POLL_WITHOUT_WATCH_MS);
    return this.#wakeup.next(wait, signal);
  }

  async close(): Promise<void> {
    this.#stop();
  }

  /** Wakes now, and again as the commit behind the write may become visible (see above). */
  #changed(): void {
    this.#wakeup.notify();
    for (const timer of this.#settling) clearTimeout(timer);
    this.#settling = SETTLE_WAKES_MS.map((ms) => {
      const timer = setTimeout(() => this.#wakeup.notify(), ms);
      timer.unref();
      return timer;
    });
  }

  #stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    for (const timer of this.#settling) clearTimeout(timer);
    this.#settling = [];
  }
}

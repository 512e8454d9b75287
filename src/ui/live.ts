import type { AppContext } from '../app/context.js';
import { CAUGHT_UP, followLog, logHead } from '../app/log.js';
import { runProjections } from '../app/projections-run.js';
import {
  markRows,
  projectionLags,
  readTableRows,
  rowsByTable,
  type MarkedRow,
  type ProjectionLag,
  type TableRows,
} from '../app/read-models-view.js';
import { changedRows, type ReadModelRows, type RowChange } from '../app/replay-step.js';
import { sleep } from '../app/sleep.js';
import type { RecordedEvent } from '../core/events.js';
import { messageOf } from './http.js';

// The server's one follower of the log. It polls the store's change marker (one cheap look per
// poll, however many pages are open), hands each new page of events to the event streams, and
// after new events catches the projections up (unless told not to) and reads the read models
// again: the view that the page shows, with the rows the last change touched marked.

export interface TableView extends Omit<TableRows, 'rows'> {
  rows: MarkedRow[];
}

export interface View {
  /** Goes up by one each time the view changes; the page waits for the next one. */
  seq: number;
  /** The log's last position when the view was read. */
  head: number;
  projections: ProjectionLag[];
  tables: TableView[];
  /** The head when the marked rows changed; null before any change was seen. */
  changedAt: number | null;
  /** The last failure of a catch-up or a read, until one succeeds. */
  error: string | null;
}

export interface LiveOptions {
  /** A connection of its own: on SQLite the change marker moves only for other connections' commits. */
  ctx: AppContext;
  /** Keep the projections caught up, as `projections run --follow` does. */
  runProjections: boolean;
  /** Opens the read models when they appear (after `projections run`); given without them. */
  openRead?: () => Promise<AppContext['read']>;
  pollMs: number;
  /** Rows of a table read (and shown) at most. */
  rowLimit: number;
  signal: AbortSignal;
  onError: (error: unknown) => void;
}

/** How often the read models are looked at when no event came (someone else's `projections run`). */
const LOOK_MS = 1000;
/** How long a page's wait for the next view lasts before it is answered with the same one. */
const VIEW_WAIT_MS = 25_000;

export class LiveLog {
  private listeners = new Set<(page: RecordedEvent[]) => void>();
  private waiters = new Set<() => void>();
  private lastRows: ReadModelRows | undefined;
  private changes: RowChange[] = [];
  private signature = '';
  private queue: Promise<unknown> = Promise.resolve();
  // The first seq is the clock's milliseconds at start: a server started again counts on from
  // past the views its last run gave, which a page still open may hold (see nextView).
  view: View = {
    seq: Date.now(),
    head: 0,
    projections: [],
    tables: [],
    changedAt: null,
    error: null,
  };

  private constructor(
    private readonly options: LiveOptions,
    /** The last position handed to the event streams. */
    private head: number,
  ) {}

  /** Starts following from the head as it is now, once the first view has been read. */
  static async start(options: LiveOptions): Promise<LiveLog> {
    const live = new LiveLog(options, await logHead(options.ctx));
    await live.refresh(true);
    void live.follow();
    return live;
  }

  /** Hears each page of new events, in position order; returns the unsubscribe. */
  subscribe(listener: (page: RecordedEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The view once it is not the one the page holds (seq `after`), or the same view after a
   * while. A seq this run has not just given (-1 on a page's first look, or one of a server that
   * ran before on this port, whose page reconnected here) is answered at once.
   */
  async nextView(after: number, signal: AbortSignal): Promise<View> {
    if (this.view.seq !== after) return this.view;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, VIEW_WAIT_MS);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
    return this.view;
  }

  /** Runs `work` alone on the read side: no catch-up or read of the view meanwhile. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async follow(): Promise<void> {
    const { ctx, pollMs, signal } = this.options;
    while (!signal.aborted) {
      try {
        let fresh = false;
        let looked = Date.now();
        const followed = { ...ctx, signal };
        for await (const item of followLog(followed, { from: this.head + 1, pollMs })) {
          if (item !== CAUGHT_UP) {
            this.head = item[item.length - 1]!.position;
            for (const listener of this.listeners) listener(item);
            fresh = true;
          } else if (fresh || Date.now() - looked >= LOOK_MS) {
            await this.refresh(fresh);
            fresh = false;
            looked = Date.now();
          }
        }
      } catch (error) {
        this.options.onError(error);
        await sleep(LOOK_MS, signal);
      }
    }
  }

  /** Catches up (after new events), reads the view again, and publishes it if it changed. */
  private refresh(fresh: boolean): Promise<void> {
    return this.exclusive(async () => {
      const { ctx } = this.options;
      let error: string | null = null;
      if (!ctx.read && this.options.openRead) ctx.read = await this.options.openRead();
      if (fresh && this.options.runProjections && ctx.read) {
        try {
          await runProjections({ ...ctx, signal: this.options.signal });
        } catch (failure) {
          error = messageOf(failure);
        }
      }
      try {
        const head = await logHead(ctx);
        const projections = ctx.domain === undefined && !ctx.read ? [] : await projectionLags(ctx);
        const signature = JSON.stringify([head, projections, error]);
        if (!fresh && signature === this.signature) return;
        this.signature = signature;
        const tables = await readTableRows(ctx, { rowLimit: this.options.rowLimit });
        const rows = rowsByTable(tables);
        const changes = this.lastRows ? changedRows(this.lastRows, rows) : [];
        this.lastRows = rows;
        let changedAt = this.view.changedAt;
        if (changes.length > 0) [this.changes, changedAt] = [changes, head];
        this.publish({
          head,
          projections,
          tables: tables.map((table) => ({ ...table, rows: markRows(table, this.changes) })),
          changedAt,
          error,
        });
      } catch (failure) {
        const message = messageOf(failure);
        if (message !== this.view.error) this.publish({ ...this.view, error: message });
      }
    });
  }

  private publish(view: Omit<View, 'seq'>): void {
    this.view = { seq: this.view.seq + 1, ...view };
    for (const wake of [...this.waiters]) wake();
  }
}

import pg from 'pg';
import type { ChangeWatch } from '../../core/ports.js';
import { Wakeup } from '../wakeup.js';

/** How long a follower waits between two tries to listen again once the connection is lost. */
const RECONNECT_MS = 1000;

/**
 * Wakes on a PostgreSQL notification (LISTEN), on a connection of its own: no polling while
 * idle. `accept` picks the notifications that concern this follower by their payload. When
 * the connection is lost (a server restart), every wait is short and the next one listens
 * again, so the follower falls back to checking for itself until then; a notification sent
 * meanwhile is made up for by that check.
 */
export class NotificationWatch implements ChangeWatch {
  readonly #wakeup = new Wakeup();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #lastTry = 0;
  #closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly accept: (payload: string) => boolean = () => true,
  ) {}

  /** Listens before the first wait, so that nothing committed after it goes unheard. */
  async start(): Promise<this> {
    await this.#listen();
    return this;
  }

  async next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (!this.#client && Date.now() - this.#lastTry >= RECONNECT_MS) await this.#listen();
    const wait = this.#client ? timeoutMs : Math.min(timeoutMs, RECONNECT_MS);
    return this.#wakeup.next(wait, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #listen(): Promise<void> {
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    this.#lastTry = Date.now();
    if (this.#closed) return;
    const client = new pg.Client({ ...this.config, application_name: 'eventlite follower' });
    const lost = () => {
      if (this.#client === client) this.#client = undefined;
      // Whatever was committed while it was down is found by the follower's own check.
      this.#wakeup.notify();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === this.channel && this.accept(message.payload ?? '')) {
        this.#wakeup.notify();
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
      if (this.#closed) await client.end();
      else this.#client = client;
    } catch {
      await client.end().catch(() => {});
    }
  }
}

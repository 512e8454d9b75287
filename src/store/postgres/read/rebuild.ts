import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { StoreBusyError, StoreError } from '../../../core/errors.js';
import type { ProjectionBatch, ProjectionSchema, ScratchBuild } from '../../../core/ports.js';
import { LOCK_TIMEOUT_MS } from '../connection.js';
import type { RecordedEvent } from '../../../core/events.js';
import type { SetAsideEvent } from '../../../core/set-aside.js';
import { refreshMaterializedViews, runStatements } from './apply.js';
import { createdObjects, dropObjects, moveSchemaContents, runScript } from './catalog.js';
import {
  checkout,
  inTransaction,
  isIdle,
  lockReadSchema,
  quote,
  type ReadConnection,
} from './connection.js';
import { asStoreError, withReadStoreErrors } from './errors.js';
import { grantQueryAccess } from './query-login.js';
import { createMaterializedViews } from './matviews.js';
import { describeLockHolders } from './lock-holders.js';
import { dropAbandonedScratch, lockName, scratchSchemaName, TRY_LOCK, UNLOCK } from './scratch.js';
import { deleteSetAside, writeSetAside } from './set-aside.js';
import {
  markRebuilding,
  readOwnedObjects,
  writeOwnedObjects,
  writeProjectionRow,
} from './registry.js';

// A rebuild: see scratch.ts for where it builds and how a dead one is found out.

export async function startRebuild(
  connection: ReadConnection,
  schema: ProjectionSchema,
  at: string,
  onFinished: (build: PostgresScratchBuild) => void,
  queryTimeoutMs: number,
): Promise<PostgresScratchBuild> {
  const { target, quotedSchema: s } = connection;
  const scratch = scratchSchemaName(schema.name, process.pid);
  const client = await checkout(connection);
  let locked = false;
  try {
    await withReadStoreErrors(target, async () => {
      const result = await client.query<{ locked: boolean }>(TRY_LOCK, [lockName(scratch)]);
      locked = result.rows[0]?.locked === true;
      if (!locked) {
        throw new StoreBusyError(
          `another process is rebuilding projection "${schema.name}" in schema ${scratch} on ${target.location}; try again`,
        );
      }
      await dropAbandonedScratch(client, schema.name, scratch);
      await markRebuilding(client, s, schema.name, process.pid, at);
    });
    await inTransaction(client, target, async () => {
      await client.query(`CREATE SCHEMA ${quote(scratch)}`);
      await client.query(`SET LOCAL search_path TO ${quote(scratch)}`);
      await runScript(client, schema.setup);
      await createMaterializedViews(client, schema.materializedViews ?? []);
    });
    return new PostgresScratchBuild(
      connection,
      client,
      schema,
      scratch,
      onFinished,
      queryTimeoutMs,
    );
  } catch (error) {
    if (locked) {
      await isIdle(client);
      await markRebuilding(client, s, schema.name, null, null).catch(() => {});
    }
    // Destroyed, not returned: in the pool, its session lock would live on.
    client.release(true);
    throw asStoreError(error, target);
  }
}

/**
 * The swap needs exclusive locks on tables that queries may be reading. Waiting in the lock
 * queue would stall every query that arrives behind it, so each try waits briefly, gives way,
 * and tries again, for as long as a query may run (its whole transaction is bounded by its
 * time limit, see query.ts) and then some.
 */
const SWAP_LOCK_WAIT_MS = 250;

/** Runs `attempt` until it gets its locks or `patienceMs` is over; then the conflict comes out. */
async function retryPastReaders<T>(patienceMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isLockConflict(error) || Date.now() > deadline) throw error;
      await sleep(25 + Math.random() * 75);
    }
  }
}

function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '55P03' || code === '40P01';
}

export class PostgresScratchBuild implements ScratchBuild {
  #finished = false;
  /** The last event that ran statements, for a materialized view that fails to refresh. */
  #lastApplied: RecordedEvent | undefined;

  constructor(
    private readonly connection: ReadConnection,
    private readonly client: pg.PoolClient,
    private readonly schema: ProjectionSchema,
    readonly scratch: string,
    private readonly onFinished: (build: PostgresScratchBuild) => void,
    /** The limit on queries' transactions: the swap waits that long for them, and more. */
    private readonly queryTimeoutMs: number,
  ) {}

  async apply(batch: ProjectionBatch): Promise<void> {
    this.#assertOpen();
    await inTransaction(this.client, this.connection.target, async () => {
      await this.client.query(`SET LOCAL search_path TO ${quote(this.scratch)}`);
      const { lastApplied } = await runStatements(this.client, this.connection.target, batch);
      this.#lastApplied = lastApplied ?? this.#lastApplied;
    });
  }

  /**
   * First the materialized views are refreshed in the scratch schema, once (nobody reads them
   * while the build runs, so refreshing after each batch would be work thrown away). Then ONE
   * transaction: the old objects go (views first), the scratch ones move in, the views are
   * made again over them, and the row is reset. DROP and ALTER … SET SCHEMA take exclusive
   * locks, so a query sees the old complete tables (it started first, and the swap waits for
   * it) or the new complete ones (it waits for the swap), never a mixture.
   */
  async swapIn(
    checkpoint: number,
    at: string,
    setAside: readonly SetAsideEvent[] = [],
  ): Promise<void> {
    this.#assertOpen();
    const { target, schema: readSchema, quotedSchema: s } = this.connection;
    const { client, schema } = this;
    const views = schema.materializedViews ?? [];
    if (views.length > 0) {
      await inTransaction(client, target, () =>
        refreshMaterializedViews(client, target, quote(this.scratch), views, this.#lastApplied),
      );
    }
    const patienceMs = this.queryTimeoutMs + LOCK_TIMEOUT_MS;
    try {
      await retryPastReaders(patienceMs, () =>
        inTransaction(client, target, async () => {
          await client.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_WAIT_MS}`);
          await lockReadSchema(client, readSchema);
          await client.query(`SET LOCAL search_path TO ${s}`);
          await client.query(
            `SELECT 1 FROM ${s}.eventlite_projections WHERE name = $1 FOR UPDATE`,
            [schema.name],
          );
          await dropObjects(client, s, await readOwnedObjects(client, s, schema.name));
          const owned = await createdObjects(client, readSchema, async () => {
            await moveSchemaContents(client, this.scratch, readSchema);
            await runScript(client, schema.views);
          });
          await writeOwnedObjects(client, s, schema.name, owned);
          await writeProjectionRow(client, s, schema, checkpoint, at);
          await grantQueryAccess(client, s);
          await deleteSetAside(client, s, schema.name);
          await writeSetAside(client, s, schema.name, setAside, at);
        }),
      );
    } catch (error) {
      if (!isLockConflict(error)) throw asStoreError(error, target);
      const holders = await describeLockHolders(client, readSchema).catch(() => undefined);
      throw new StoreBusyError(
        `could not swap in the rebuilt projection "${schema.name}" within ${patienceMs / 1000} s: ${holders ?? 'another session held its tables'}; try again`,
      );
    }
    await this.#finish();
  }

  async abandon(): Promise<void> {
    if (this.#finished) return;
    const { target, quotedSchema: s } = this.connection;
    try {
      await withReadStoreErrors(target, async () => {
        await this.client.query(`DROP SCHEMA IF EXISTS ${quote(this.scratch)} CASCADE`);
        await markRebuilding(this.client, s, this.schema.name, null, null);
      });
    } finally {
      await this.#finish();
    }
  }

  /** Gives the client back, or drops it (and its lock) when it cannot say it is clean. */
  async #finish(): Promise<void> {
    this.#finished = true;
    this.onFinished(this);
    try {
      await this.client.query(UNLOCK, [lockName(this.scratch)]);
      this.client.release();
    } catch {
      this.client.release(true);
    }
  }

  /** For close(): ends the connection; the server frees the lock, the next rebuild cleans up. */
  discard(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.client.release(true);
  }

  #assertOpen(): void {
    if (this.#finished)
      throw new StoreError('this rebuild has already been swapped in or abandoned');
  }
}

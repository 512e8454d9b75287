import type pg from 'pg';
import { StoreBusyError, StoreError } from '../../../core/errors.js';
import type {
  BatchGuard,
  ChangeWatch,
  ProjectionBatch,
  ProjectionFailure,
  ProjectionRow,
  ProjectionSchema,
  QueryPages,
  QueryParams,
  QueryResult,
  ReadStore,
  ReadColumn,
  ReadTable,
  RetryBatch,
  ScratchBuild,
} from '../../../core/ports.js';
import type { SetAsideKind, SetAsideRow } from '../../../core/set-aside.js';
import { QUERY_PAGE_SIZE } from '../../../core/ports.js';
import { applyBatch, applySetAside } from './apply.js';
import { NotificationWatch } from '../watch.js';
import { createdObjects, dropObjects, runScript } from './catalog.js';
import {
  inTransaction,
  lockReadSchema,
  openReadConnection,
  withClient,
  type ReadConnection,
} from './connection.js';
import { withReadStoreErrors } from './errors.js';
import { createMaterializedViews } from './matviews.js';
import { DEFAULT_QUERY_TIMEOUT_MS, runQuery } from './query.js';
import { runQueryPages } from './query-pages.js';
import { prepareQuery } from './query-guard.js';
import { ensureQueryLogin, grantQueryAccess } from './query-login.js';
import { openQueryConnection } from './query-session.js';
import { startRebuild, type PostgresScratchBuild } from './rebuild.js';
import {
  adoptDefinitionHash,
  deleteProjectionRows,
  markProjectionFailed,
  readOwnedObjects,
  readProjectionRows,
  writeOwnedObjects,
  writeProjectionRow,
} from './registry.js';
import { CHECKPOINTS_CHANNEL, ensureReadSchema, readSchemaExists } from './schema.js';
import { hasSetAsideTable, readSetAside } from './set-aside.js';
import { listReadColumns, listReadTables } from './tables.js';

export const DEFAULT_READ_SCHEMA = 'eventlite_read';

export interface PostgresReadStoreOptions {
  /** 'write' creates the read schema if need be; 'read' never creates anything. */
  mode: 'write' | 'read';
  /** Default `eventlite_read`. */
  schema?: string;
  /** Queries log in as this role (see query-session.ts). */
  queryRole?: string;
  /**
   * false: queries run on the connecting role, no login is made (a spec case's read models
   * live for one run, and its queries are the user's own code, as trusted as its handlers).
   */
  queryLogin?: boolean;
  /** A query's statement_timeout; default 30 s. */
  statementTimeoutMs?: number;
  /** On a hot standby (see replica.ts): how far its replay is behind its primary. */
  replicaLag?: () => Promise<string>;
}

/**
 * The ReadStore port over PostgreSQL: read models in one schema (`eventlite_read` by default)
 * of the store's database or of another one. Undefined in 'read' mode when there is no read
 * schema yet.
 */
export async function openPostgresReadStore(
  url: string,
  options: PostgresReadStoreOptions,
): Promise<ReadStore | undefined> {
  const schema = options.schema ?? DEFAULT_READ_SCHEMA;
  if (schema === '' || Buffer.byteLength(schema) > 63) {
    throw new StoreError(`read schema name must be 1 to 63 bytes, got "${schema}"`);
  }
  const connection = openReadConnection(url, schema);
  try {
    if (options.mode === 'write') {
      await ensureReadSchema(connection);
      if (options.queryLogin !== false) await ensureQueryLogin(connection);
    } else if (!(await readSchemaExists(connection))) {
      await connection.pool.end();
      return undefined;
    }
  } catch (error) {
    await connection.pool.end().catch(() => {});
    throw error;
  }
  return new PostgresReadStore(url, connection, options);
}

/**
 * Drops a read schema and everything in it. For read models that live for one run only (a
 * spec case's): the read models of a store are derived data too, but nothing drops those.
 */
export async function dropPostgresReadSchema(url: string, schema: string): Promise<void> {
  const connection = openReadConnection(url, schema);
  try {
    await withClient(connection, (client) =>
      withReadStoreErrors(connection.target, () =>
        client.query(`DROP SCHEMA IF EXISTS ${connection.quotedSchema} CASCADE`),
      ),
    );
  } finally {
    await connection.pool.end();
  }
}

class PostgresReadStore implements ReadStore {
  readonly location: string;
  readonly #builds = new Set<PostgresScratchBuild>();
  /** Where queries run, opened with the first one (query-session.ts). */
  #queries: Promise<ReadConnection> | undefined;
  readonly #watches = new Set<ChangeWatch>();
  /** Whether the read schema has set-aside events: always once opened to write. */
  #setAside: Promise<boolean> | undefined;

  constructor(
    private readonly url: string,
    private readonly connection: ReadConnection,
    private readonly options: PostgresReadStoreOptions,
  ) {
    this.location = connection.target.location;
  }

  async projectionRows(): Promise<Map<string, ProjectionRow>> {
    const rows = await this.#bookkeeping(async (client, s) =>
      readProjectionRows(client, s, undefined, await this.#hasSetAside(client, s)),
    );
    return new Map(rows.map((row) => [row.name, row]));
  }

  async projectionRow(name: string): Promise<ProjectionRow | undefined> {
    const rows = await this.#bookkeeping(async (client, s) =>
      readProjectionRows(client, s, name, await this.#hasSetAside(client, s)),
    );
    return rows[0];
  }

  #hasSetAside(client: pg.ClientBase, s: string): Promise<boolean> {
    if (this.options.mode === 'write') return Promise.resolve(true);
    return (this.#setAside ??= hasSetAsideTable(client, s));
  }

  /**
   * Under the read schema's lock, so that the objects found are this setup's alone (the
   * materialized views among them, by the catalog's own kind).
   */
  async createProjection(schema: ProjectionSchema, at: string): Promise<void> {
    this.#assertWritable();
    const { target, schema: readSchema, quotedSchema: s } = this.connection;
    await withClient(this.connection, (client) =>
      inTransaction(client, target, () =>
        withReadStoreErrors(target, async () => {
          await lockReadSchema(client, readSchema);
          await client.query(`SET LOCAL search_path TO ${s}`);
          // Re-checked under the lock: another runner may have created it meanwhile.
          if ((await readProjectionRows(client, s, schema.name)).length > 0) return;
          const owned = await createdObjects(client, readSchema, async () => {
            await runScript(client, schema.setup);
            await createMaterializedViews(client, schema.materializedViews ?? []);
            await runScript(client, schema.views);
          });
          await writeOwnedObjects(client, s, schema.name, owned);
          await writeProjectionRow(client, s, schema, 0, at);
          await grantQueryAccess(client, s);
        }),
      ),
    );
  }

  applyBatch(name: string, batch: ProjectionBatch, guard: BatchGuard): Promise<boolean> {
    this.#assertWritable();
    return applyBatch(this.connection, name, batch, guard);
  }

  markFailed(name: string, failure: ProjectionFailure, at: string): Promise<void> {
    this.#assertWritable();
    return this.#bookkeeping((client, s) => markProjectionFailed(client, s, name, failure, at));
  }

  async markSetupFailed(
    schema: ProjectionSchema,
    failure: ProjectionFailure,
    at: string,
  ): Promise<void> {
    this.#assertWritable();
    await this.#underLock(async (client, s) => {
      // Another runner may have set it up meanwhile: its tables win.
      if ((await readProjectionRows(client, s, schema.name)).length > 0) return;
      await writeProjectionRow(client, s, schema, 0, at);
      await markProjectionFailed(client, s, schema.name, failure, at);
    });
  }

  async dropProjection(name: string): Promise<boolean> {
    this.#assertWritable();
    return this.#underLock(async (client, s) => {
      const [row] = await readProjectionRows(client, s, name);
      if (!row) return false;
      if (row.rebuildingPid !== null) {
        throw new StoreBusyError(
          `projection "${name}" is being rebuilt by process ${row.rebuildingPid}; try again once it is done`,
        );
      }
      await dropObjects(client, s, await readOwnedObjects(client, s, name));
      await deleteProjectionRows(client, s, name);
      return true;
    });
  }

  adoptDefinitionHash(name: string, definitionHash: string): Promise<void> {
    this.#assertWritable();
    return this.#bookkeeping((client, s) => adoptDefinitionHash(client, s, name, definitionHash));
  }

  async startRebuild(schema: ProjectionSchema, at: string): Promise<ScratchBuild> {
    this.#assertWritable();
    const build = await startRebuild(
      this.connection,
      schema,
      at,
      (done) => this.#builds.delete(done),
      this.#queryOptions().statementTimeoutMs,
    );
    this.#builds.add(build);
    return build;
  }

  builtFrom(): Promise<string | undefined> {
    return this.#bookkeeping(async (client, s) => {
      const { rows } = await client.query<{ value: string }>(
        `SELECT value FROM ${s}.eventlite_read_meta WHERE key = 'store_id'`,
      );
      return rows[0]?.value;
    });
  }

  recordBuiltFrom(storeId: string, options: { replace?: boolean } = {}): Promise<string> {
    this.#assertWritable();
    const onConflict = options.replace ? 'DO UPDATE SET value = excluded.value' : 'DO NOTHING';
    return this.#bookkeeping(async (client, s) => {
      await client.query(
        `INSERT INTO ${s}.eventlite_read_meta (key, value) VALUES ('store_id', $1)
         ON CONFLICT (key) ${onConflict}`,
        [storeId],
      );
      const { rows } = await client.query<{ value: string }>(
        `SELECT value FROM ${s}.eventlite_read_meta WHERE key = 'store_id'`,
      );
      return rows[0]!.value;
    });
  }

  async query(sql: string, params?: QueryParams): Promise<QueryResult> {
    const bound = prepareQuery(sql, params);
    return runQuery(await this.#queryConnection(), bound, this.#queryOptions());
  }

  async queryPages(
    sql: string,
    params?: QueryParams,
    pageSize = QUERY_PAGE_SIZE,
  ): Promise<QueryPages> {
    const bound = prepareQuery(sql, params);
    return runQueryPages(await this.#queryConnection(), bound, this.#queryOptions(), pageSize);
  }

  #queryOptions() {
    return { statementTimeoutMs: this.options.statementTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS };
  }

  #queryConnection(): Promise<ReadConnection> {
    if (this.options.queryLogin === false) return Promise.resolve(this.connection);
    this.#queries ??= openQueryConnection(this.url, this.connection, this.options.queryRole);
    // A failure is not kept: the next query tries again.
    this.#queries.catch(() => (this.#queries = undefined));
    return this.#queries;
  }

  tables(): Promise<ReadTable[]> {
    return listReadTables(this.connection);
  }

  columns(): Promise<ReadColumn[]> {
    return listReadColumns(this.connection);
  }

  async replicaLag(): Promise<string | undefined> {
    return this.options.replicaLag?.();
  }

  setAsideEvents(name: string, options: { kind?: SetAsideKind } = {}): Promise<SetAsideRow[]> {
    return this.#bookkeeping((client, s) => readSetAside(client, s, name, options.kind));
  }

  applySetAside(name: string, batch: RetryBatch, guard: BatchGuard): Promise<boolean> {
    this.#assertWritable();
    return applySetAside(this.connection, name, batch, guard);
  }

  /** LISTEN for the read schema's notifications: its trigger sends one per changed row. */
  async watchChanges(): Promise<ChangeWatch> {
    const schema = this.connection.schema;
    const watch = await new NotificationWatch(
      this.connection.pool.options,
      CHECKPOINTS_CHANNEL,
      (payload) => payload === schema,
    ).start();
    this.#watches.add(watch);
    return {
      next: (timeoutMs, signal) => watch.next(timeoutMs, signal),
      close: async () => {
        this.#watches.delete(watch);
        await watch.close();
      },
    };
  }

  /** A rebuild still open loses its connection; the next rebuild drops its scratch schema. */
  async close(): Promise<void> {
    for (const build of this.#builds) build.discard();
    this.#builds.clear();
    const queries = await this.#queries?.catch(() => undefined);
    if (queries && queries !== this.connection) await queries.pool.end();
    await Promise.all([...this.#watches].map((watch) => watch.close()));
    await this.connection.pool.end();
  }

  /** One transaction under the read schema's lock, the search path set to it. */
  #underLock<T>(work: (client: pg.ClientBase, s: string) => Promise<T>): Promise<T> {
    const { target, schema: readSchema, quotedSchema: s } = this.connection;
    return withClient(this.connection, (client) =>
      inTransaction(client, target, () =>
        withReadStoreErrors(target, async () => {
          await lockReadSchema(client, readSchema);
          await client.query(`SET LOCAL search_path TO ${s}`);
          return work(client, s);
        }),
      ),
    );
  }

  #bookkeeping<T>(work: (client: pg.ClientBase, s: string) => Promise<T>): Promise<T> {
    const { target, quotedSchema } = this.connection;
    return withClient(this.connection, (client) =>
      withReadStoreErrors(target, () => work(client, quotedSchema)),
    );
  }

  #assertWritable(): void {
    if (this.options.mode !== 'write') {
      throw new StoreError(`${this.location} was opened for reading only`);
    }
  }
}

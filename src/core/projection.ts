import type { DecidedEvent } from './decider.js';
import { sqlFor, type Dialect, type DialectSql } from './dialect.js';
import type { JsonObject, RecordedEvent } from './events.js';
import { isAuditType, SYSTEM_STREAM } from './lifecycle.js';

/** One SQL statement with its parameters, for the runner to execute in its transaction. */
export interface SqlStatement {
  /** One text for both backends, or `{ sqlite, postgres }` where they differ. */
  sql: DialectSql;
  /** Positional (`?`) or named (`:name`, `@name`, `$name`) parameters. */
  params?: readonly unknown[] | Record<string, unknown>;
}

/** What a handler returns: one statement, a list of them, or nothing. */
export type ProjectionResult = SqlStatement | readonly SqlStatement[] | undefined | void;

export type ProjectionHandler<Data extends JsonObject = JsonObject> = (
  event: RecordedEvent<Data>,
) => ProjectionResult;

/**
 * A read table that eventlite fills from a query and keeps current: after every batch that ran
 * statements, in that batch's transaction. On PostgreSQL a real `CREATE MATERIALIZED VIEW`,
 * refreshed; on SQLite, which has none, a table made from the query, emptied and refilled.
 */
export interface MaterializedView {
  /** The name queries use: lower-case letters, digits and `_`. */
  name: string;
  /** One SELECT over the projection's tables (per dialect where they differ). */
  query: DialectSql;
}

/**
 * A projection is data plus pure functions from an event to SQL statements: it never holds a
 * connection, so it can be tested without a database and run against another backend later.
 * Bumping `version` (or changing the definition) makes the runner rebuild it from event 1.
 */
export interface Projection {
  name: string;
  version: number;
  /** `CREATE TABLE` (and index) statements for the projection's read tables. */
  setup: readonly DialectSql[];
  /** `CREATE VIEW` statements over those tables; dropped and recreated on rebuild. */
  views?: readonly DialectSql[];
  /** Made after setup and before views (so views may read them), kept current by the runner. */
  materializedViews?: readonly MaterializedView[];
  /** Handlers by event type; events of other types are skipped. */
  on: Readonly<Record<string, ProjectionHandler<any>>>;
  /**
   * Handles the store's audit events itself (`StreamDeleted`, `EventsRedacted`,
   * `SubjectForgotten`, `StreamRestored`: docs/lifecycle.md), in log order like any event,
   * instead of being rebuilt after a lifecycle command changed events it read.
   */
  onLifecycle?: ProjectionHandler<any>;
  /** What a handler's failure does; see ProjectionErrorPolicy. */
  onError?: ProjectionErrorPolicy;
}

/**
 * What a handler that fails on an event does to its projection:
 * - 'stop' (the default): the projection stops at that event, marked failed, until the
 *   handler is fixed; the batch before it stays.
 * - 'skip': the event is left out, recorded with the error (`projections parked NAME`), and
 *   the projection goes on, later events of its stream included.
 * - 'park': the event is set aside, recorded with the error, and so is every later event of its
 *   stream (a stream's rows stay as they were before it); other streams go on, and
 *   `projections retry NAME` applies them again, in order, once the handler is fixed.
 */
export type ProjectionErrorPolicy = 'stop' | 'skip' | 'park';

/**
 * The recorded event a handler for `Type` receives: `type` is that type and `data` is that
 * event's data exactly, so a misspelled field is a compile error rather than `unknown`.
 */
export type ProjectedEvent<E extends DecidedEvent, Type extends string> = Omit<
  RecordedEvent,
  'type' | 'data'
> & { type: Type; data: Extract<E, { type: Type }>['data'] };

/**
 * Handlers keyed by the event types of `E`, each typed by the event it receives. When `E`'s
 * type is plain `string` (no event union given), any key goes and `event.data` is untyped.
 */
export type ProjectionHandlers<E extends DecidedEvent> = string extends E['type']
  ? Readonly<Record<string, ProjectionHandler<any>>>
  : { [Type in E['type']]?: (event: ProjectedEvent<E, Type>) => ProjectionResult };

/**
 * A projection as `defineProjection<Event>()` checks it: `on` may only name event types of
 * `Event`. Without a type argument every event type is allowed and `event.data` is untyped,
 * as before.
 */
export interface ProjectionDefinition<E extends DecidedEvent = DecidedEvent<string, any>> {
  name: string;
  version: number;
  setup: readonly DialectSql[];
  views?: readonly DialectSql[];
  materializedViews?: readonly MaterializedView[];
  on: ProjectionHandlers<E>;
  onLifecycle?: ProjectionHandler<any>;
  onError?: ProjectionErrorPolicy;
}

/**
 * The statements a projection issues for one event, as a flat list. An audit event of the
 * store's own stream goes to `onLifecycle` only, never to a handler of `on`.
 */
export function statementsFor(projection: Projection, event: RecordedEvent): SqlStatement[] {
  const audit = isAuditType(event.type) && event.stream === SYSTEM_STREAM;
  const handler = audit ? projection.onLifecycle : projection.on[event.type];
  if (!handler) return [];
  const result = handler(event);
  if (!result) return [];
  return Array.isArray(result) ? [...result] : [result as SqlStatement];
}

/**
 * A materialized view's SELECT for `dialect`, without the trailing semicolons an author may
 * have ended it with: the read store wraps it (`CREATE … AS`, `INSERT INTO … SELECT`).
 */
export function materializedViewQuery(view: MaterializedView, dialect: Dialect): string {
  return sqlFor(view.query, dialect).replace(/[\s;]+$/, '');
}

/**
 * A materialized view that could not be refreshed: the message names the view, `cause` is the
 * database's error. The read store reports it as a HandlerFailure, as it would a statement's.
 */
export class MaterializedViewError extends Error {
  constructor(
    readonly view: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`refreshing materialized view "${view}": ${reason}`, { cause });
  }
}

import type { DecidedEvent } from './decider.js';
import type { JsonObject, RecordedEvent } from './events.js';

/** One SQL statement with its parameters, for the runner to execute in its transaction. */
export interface SqlStatement {
  sql: string;
  /** Positional (`?`) or named (`:name`, `@name`, `$name`) parameters. */
  params?: readonly unknown[] | Record<string, unknown>;
}

/** What a handler returns: one statement, a list of them, or nothing. */
export type ProjectionResult = SqlStatement | readonly SqlStatement[] | undefined | void;

export type ProjectionHandler<Data extends JsonObject = JsonObject> = (
  event: RecordedEvent<Data>,
) => ProjectionResult;

/**
 * A projection is data plus pure functions from an event to SQL statements: it never holds a
 * connection, so it can be tested without a database and run against another backend later.
 * Bumping `version` (or changing the definition) makes the runner rebuild it from event 1.
 */
export interface Projection {
  name: string;
  version: number;
  /** `CREATE TABLE` (and index) statements for the projection's read tables. */
  setup: readonly string[];
  /** `CREATE VIEW` statements over those tables; dropped and recreated on rebuild. */
  views?: readonly string[];
  /** Handlers by event type; events of other types are skipped. */
  on: Readonly<Record<string, ProjectionHandler<any>>>;
}

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
  setup: readonly string[];
  views?: readonly string[];
  on: ProjectionHandlers<E>;
}

/** The statements a projection issues for one event, as a flat list. */
export function statementsFor(projection: Projection, event: RecordedEvent): SqlStatement[] {
  const handler = projection.on[event.type];
  if (!handler) return [];
  const result = handler(event);
  if (!result) return [];
  return Array.isArray(result) ? [...result] : [result as SqlStatement];
}

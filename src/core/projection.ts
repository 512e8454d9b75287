import type { JsonObject, RecordedEvent } from './events.js';

/** One SQL statement with its parameters, for the runner to execute in its transaction. */
export interface SqlStatement {
  sql: string;
  /** Positional (`?`) or named (`:name`, `@name`, `$name`) parameters. */
  params?: readonly unknown[] | Record<string, unknown>;
}

export type ProjectionHandler<Data extends JsonObject = JsonObject> = (
  event: RecordedEvent<Data>,
) => SqlStatement | readonly SqlStatement[] | undefined | void;

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

/** The statements a projection issues for one event, as a flat list. */
export function statementsFor(projection: Projection, event: RecordedEvent): SqlStatement[] {
  const handler = projection.on[event.type];
  if (!handler) return [];
  const result = handler(event);
  if (!result) return [];
  return Array.isArray(result) ? [...result] : [result as SqlStatement];
}

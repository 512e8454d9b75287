import type Database from 'better-sqlite3';
import type { SqlStatement } from '../core/projection.js';
import type { Db } from '../store/index.js';

type Statement = Database.Statement<unknown[]>;

// Handlers issue the same few SQL texts for every event; preparing them once per connection
// is most of the difference between the runner and hand-written better-sqlite3.
const cache = new WeakMap<Db, Map<string, Statement>>();

export function prepared(db: Db, sql: string): Statement {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** Executes one handler statement on `db`, inside whatever transaction is open. */
export function executeStatement(db: Db, statement: SqlStatement): void {
  const compiled = prepared(db, statement.sql);
  const params = statement.params;
  if (params === undefined) compiled.run();
  else if (Array.isArray(params)) compiled.run(...params);
  else compiled.run(params);
}

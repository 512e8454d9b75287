import type { ProjectionFailure, ProjectionRow, ProjectionSchema } from '../../../core/ports.js';
import { type Db, pluck, prepared } from '../statements.js';
import { deleteSetAside, setAsideCountColumns } from './set-aside.js';

// The read database's bookkeeping rows (`eventlite_projections`, `eventlite_projection_objects`):
// every statement that touches them is here.

const ROW_COLUMNS = `name, version, definition_hash AS definitionHash, schema_hash AS schemaHash,
  checkpoint, status, error, failed_position AS failedPosition, failed_stream AS failedStream,
  failed_type AS failedType, failed_during AS failedDuring, rebuilding_pid AS rebuildingPid,
  rebuilding_since AS rebuildingSince, last_run_at AS lastRunAt`;

export function readProjectionRow(db: Db, name: string): ProjectionRow | undefined {
  return prepared(
    db,
    `SELECT ${ROW_COLUMNS}, ${setAsideCountColumns(db)} FROM eventlite_projections p WHERE name = ?`,
  ).get(name) as ProjectionRow | undefined;
}

export function readProjectionRows(db: Db): ProjectionRow[] {
  return prepared(
    db,
    `SELECT ${ROW_COLUMNS}, ${setAsideCountColumns(db)} FROM eventlite_projections p ORDER BY name`,
  ).all() as ProjectionRow[];
}

/** Inserts or fully resets a projection's row: status ok, no failure, no rebuild marker. */
export function writeProjectionRow(
  db: Db,
  schema: ProjectionSchema,
  checkpoint: number,
  lastRunAt: string,
): void {
  prepared(
    db,
    `INSERT OR REPLACE INTO eventlite_projections
       (name, version, definition_hash, schema_hash, checkpoint, status, last_run_at)
     VALUES (:name, :version, :definitionHash, :schemaHash, :checkpoint, 'ok', :lastRunAt)`,
  ).run({
    name: schema.name,
    version: schema.version,
    definitionHash: schema.definitionHash,
    schemaHash: schema.schemaHash,
    checkpoint,
    lastRunAt,
  });
}

export function markProjectionFailed(
  db: Db,
  name: string,
  failure: ProjectionFailure,
  at: string,
): void {
  prepared(
    db,
    `UPDATE eventlite_projections
     SET status = 'failed', error = :error, failed_position = :position,
         failed_stream = :stream, failed_type = :type, failed_during = :during,
         rebuilding_pid = NULL, rebuilding_since = NULL, last_run_at = :at
     WHERE name = :name`,
  ).run({ ...failure, name, at });
}

/** A first run's setup failed: the row says so, at checkpoint 0, with no objects. */
export function writeSetupFailedRow(
  db: Db,
  schema: ProjectionSchema,
  failure: ProjectionFailure,
  at: string,
): void {
  writeProjectionRow(db, schema, 0, at);
  markProjectionFailed(db, schema.name, failure, at);
}

/** Forgets a projection: its objects' and its own rows (the objects are dropped by the caller). */
export function deleteProjectionRows(db: Db, name: string): void {
  prepared(db, `DELETE FROM eventlite_projection_objects WHERE projection = ?`).run(name);
  prepared(db, `DELETE FROM eventlite_projections WHERE name = ?`).run(name);
  deleteSetAside(db, name);
}

export function adoptDefinitionHash(db: Db, name: string, definitionHash: string): void {
  prepared(db, `UPDATE eventlite_projections SET definition_hash = ? WHERE name = ?`).run(
    definitionHash,
    name,
  );
}

export function markRebuilding(db: Db, name: string, pid: number | null, at: string | null): void {
  prepared(
    db,
    `UPDATE eventlite_projections SET rebuilding_pid = ?, rebuilding_since = ? WHERE name = ?`,
  ).run(pid, at, name);
}

/** Objects (tables, views, indexes, triggers) that belong to a projection. */
export interface OwnedObject {
  name: string;
  type: string;
}

export function readOwnedObjects(db: Db, projection: string): OwnedObject[] {
  return prepared(
    db,
    `SELECT name, type FROM eventlite_projection_objects WHERE projection = ?`,
  ).all(projection) as OwnedObject[];
}

/** Each owned object's projection and the type recorded for it, by name. */
export function readObjectOwners(db: Db): Map<string, { projection: string; type: string }> {
  const rows = prepared(
    db,
    `SELECT name, projection, type FROM eventlite_projection_objects`,
  ).all() as { name: string; projection: string; type: string }[];
  return new Map(rows.map(({ name, projection, type }) => [name, { projection, type }]));
}

export function writeOwnedObjects(db: Db, projection: string, objects: OwnedObject[]): void {
  prepared(db, `DELETE FROM eventlite_projection_objects WHERE projection = ?`).run(projection);
  const insert = prepared(
    db,
    `INSERT OR REPLACE INTO eventlite_projection_objects (name, projection, type) VALUES (?, ?, ?)`,
  );
  for (const object of objects) insert.run(object.name, projection, object.type);
}

/** The id of the store the read models were built from, as `eventlite_read_meta` records it. */
export function readBuiltFrom(db: Db): string | undefined {
  return pluck<string | undefined>(
    db,
    `SELECT value FROM eventlite_read_meta WHERE key = 'store_id'`,
  );
}

export function writeBuiltFrom(db: Db, storeId: string, replace: boolean): void {
  prepared(
    db,
    `INSERT OR ${replace ? 'REPLACE' : 'IGNORE'} INTO eventlite_read_meta (key, value)
     VALUES ('store_id', ?)`,
  ).run(storeId);
}

import { withStoreErrors, type Db } from '../store/index.js';

/** A projection's bookkeeping row in the read database (`eventlite_projections`). */
export interface ProjectionRow {
  name: string;
  version: number;
  definitionHash: string;
  schemaHash: string;
  checkpoint: number;
  status: 'ok' | 'failed';
  error: string | null;
  failedPosition: number | null;
  failedStream: string | null;
  failedType: string | null;
  failedDuring: 'catch-up' | 'rebuild' | null;
  rebuildingPid: number | null;
  rebuildingSince: string | null;
  lastRunAt: string | null;
}

const ROW_COLUMNS = `name, version, definition_hash AS definitionHash, schema_hash AS schemaHash,
  checkpoint, status, error, failed_position AS failedPosition, failed_stream AS failedStream,
  failed_type AS failedType, failed_during AS failedDuring, rebuilding_pid AS rebuildingPid,
  rebuilding_since AS rebuildingSince, last_run_at AS lastRunAt`;

export function readProjectionRow(db: Db, name: string): ProjectionRow | undefined {
  return db.prepare(`SELECT ${ROW_COLUMNS} FROM eventlite_projections WHERE name = ?`).get(name) as
    ProjectionRow | undefined;
}

/** Errors name the read database (see hasProjectionTables). */
export function readProjectionRows(db: Db): Map<string, ProjectionRow> {
  const rows = withStoreErrors(db.name, () =>
    db.prepare(`SELECT ${ROW_COLUMNS} FROM eventlite_projections ORDER BY name`).all(),
  ) as ProjectionRow[];
  return new Map(rows.map((row) => [row.name, row]));
}

export interface NewProjectionRow {
  name: string;
  version: number;
  definitionHash: string;
  schemaHash: string;
  checkpoint: number;
  lastRunAt: string;
}

/** Inserts or fully resets a projection's row: status ok, no failure, no rebuild marker. */
export function writeProjectionRow(db: Db, row: NewProjectionRow): void {
  db.prepare(
    `INSERT OR REPLACE INTO eventlite_projections
       (name, version, definition_hash, schema_hash, checkpoint, status, last_run_at)
     VALUES (:name, :version, :definitionHash, :schemaHash, :checkpoint, 'ok', :lastRunAt)`,
  ).run(row);
}

export interface Failure {
  position: number;
  stream: string;
  type: string;
  error: string;
  during: 'catch-up' | 'rebuild';
}

export function markProjectionFailed(db: Db, name: string, failure: Failure, at: string): void {
  db.prepare(
    `UPDATE eventlite_projections
     SET status = 'failed', error = :error, failed_position = :position,
         failed_stream = :stream, failed_type = :type, failed_during = :during,
         rebuilding_pid = NULL, rebuilding_since = NULL, last_run_at = :at
     WHERE name = :name`,
  ).run({ ...failure, name, at });
}

/** Adopts a fixed handler after a failure (see staleReason): same tables, new code. */
export function adoptDefinitionHash(db: Db, name: string, definitionHash: string): void {
  db.prepare(`UPDATE eventlite_projections SET definition_hash = ? WHERE name = ?`).run(
    definitionHash,
    name,
  );
}

export function markRebuilding(db: Db, name: string, pid: number | null, at: string | null): void {
  db.prepare(
    `UPDATE eventlite_projections SET rebuilding_pid = ?, rebuilding_since = ? WHERE name = ?`,
  ).run(pid, at, name);
}

/** Objects (tables, views, indexes, triggers) that belong to a projection. */
export interface OwnedObject {
  name: string;
  type: string;
}

export function readOwnedObjects(db: Db, projection: string): OwnedObject[] {
  return db
    .prepare(`SELECT name, type FROM eventlite_projection_objects WHERE projection = ?`)
    .all(projection) as OwnedObject[];
}

export function readObjectOwners(db: Db): Map<string, string> {
  const rows = db.prepare(`SELECT name, projection FROM eventlite_projection_objects`).all() as {
    name: string;
    projection: string;
  }[];
  return new Map(rows.map((row) => [row.name, row.projection]));
}

export function writeOwnedObjects(db: Db, projection: string, objects: OwnedObject[]): void {
  db.prepare(`DELETE FROM eventlite_projection_objects WHERE projection = ?`).run(projection);
  const insert = db.prepare(
    `INSERT OR REPLACE INTO eventlite_projection_objects (name, projection, type) VALUES (?, ?, ?)`,
  );
  for (const object of objects) insert.run(object.name, projection, object.type);
}

import type pg from 'pg';
import type { ProjectionFailure, ProjectionRow, ProjectionSchema } from '../../../core/ports.js';
import { lockName, scratchSchemaName } from './scratch.js';
import { deleteSetAside, setAsideCountColumns } from './set-aside.js';

// The projection bookkeeping in the read schema: the same rows and the same updates as the
// SQLite read database's (src/store/sqlite/read/registry.ts). `s` is the quoted read schema.

const ROW_COLUMNS = `name, version, definition_hash AS "definitionHash", schema_hash AS "schemaHash",
  checkpoint, status, error, failed_position AS "failedPosition", failed_stream AS "failedStream",
  failed_type AS "failedType", failed_during AS "failedDuring", rebuilding_pid AS "rebuildingPid",
  rebuilding_since AS "rebuildingSince", last_run_at AS "lastRunAt"`;

/**
 * Rows as stored, except that a rebuild mark counts only while its rebuild is alive. The
 * process may run on another host, where a pid cannot be checked from here; a live rebuild
 * holds a session lock named after its scratch schema (scratch.ts), which the server
 * frees when the connection ends, however the process ended.
 */
export async function readProjectionRows(
  client: pg.ClientBase,
  s: string,
  name?: string,
  /** False for a read schema of read schema 1, opened to read: it has no set-aside events. */
  setAside = true,
): Promise<ProjectionRow[]> {
  const where = name === undefined ? '' : 'WHERE name = $1';
  const result = await client.query<ProjectionRow>(
    `SELECT ${ROW_COLUMNS}, ${setAsideCountColumns(s, setAside)}
     FROM ${s}.eventlite_projections p ${where} ORDER BY name`,
    name === undefined ? [] : [name],
  );
  for (const row of result.rows) {
    if (row.rebuildingPid === null || (await rebuildIsAlive(client, row))) continue;
    row.rebuildingPid = null;
    row.rebuildingSince = null;
  }
  return result.rows;
}

async function rebuildIsAlive(client: pg.ClientBase, row: ProjectionRow): Promise<boolean> {
  const held = await client.query<{ held: boolean }>(LOCK_HELD, [
    lockName(scratchSchemaName(row.name, row.rebuildingPid!)),
  ]);
  return held.rows[0]?.held === true;
}

// pg_locks shows a bigint advisory key as two 32-bit halves.
const LOCK_HELD = `SELECT EXISTS (
  SELECT 1 FROM pg_locks
  WHERE locktype = 'advisory' AND objsubid = 1 AND granted
    AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)
) AS held`;

/** Inserts or fully resets a projection's row: status ok, no failure, no rebuild marker. */
export async function writeProjectionRow(
  client: pg.ClientBase,
  s: string,
  schema: ProjectionSchema,
  checkpoint: number,
  at: string,
): Promise<void> {
  await client.query(
    `INSERT INTO ${s}.eventlite_projections
       (name, version, definition_hash, schema_hash, checkpoint, status, last_run_at)
     VALUES ($1, $2, $3, $4, $5, 'ok', $6)
     ON CONFLICT (name) DO UPDATE SET
       version = excluded.version, definition_hash = excluded.definition_hash,
       schema_hash = excluded.schema_hash, checkpoint = excluded.checkpoint, status = 'ok',
       error = NULL, failed_position = NULL, failed_stream = NULL, failed_type = NULL,
       failed_during = NULL, rebuilding_pid = NULL, rebuilding_since = NULL,
       last_run_at = excluded.last_run_at`,
    [schema.name, schema.version, schema.definitionHash, schema.schemaHash, checkpoint, at],
  );
}

export async function markProjectionFailed(
  client: pg.ClientBase,
  s: string,
  name: string,
  failure: ProjectionFailure,
  at: string,
): Promise<void> {
  await client.query(
    `UPDATE ${s}.eventlite_projections
     SET status = 'failed', error = $2, failed_position = $3, failed_stream = $4,
         failed_type = $5, failed_during = $6, rebuilding_pid = NULL, rebuilding_since = NULL,
         last_run_at = $7
     WHERE name = $1`,
    [name, failure.error, failure.position, failure.stream, failure.type, failure.during, at],
  );
}

/** Forgets a projection: its objects' and its own rows (the objects are dropped by the caller). */
export async function deleteProjectionRows(
  client: pg.ClientBase,
  s: string,
  name: string,
): Promise<void> {
  await client.query(`DELETE FROM ${s}.eventlite_projection_objects WHERE projection = $1`, [name]);
  await client.query(`DELETE FROM ${s}.eventlite_projections WHERE name = $1`, [name]);
  await deleteSetAside(client, s, name);
}

export async function adoptDefinitionHash(
  client: pg.ClientBase,
  s: string,
  name: string,
  definitionHash: string,
): Promise<void> {
  await client.query(`UPDATE ${s}.eventlite_projections SET definition_hash = $2 WHERE name = $1`, [
    name,
    definitionHash,
  ]);
}

export async function markRebuilding(
  client: pg.ClientBase,
  s: string,
  name: string,
  pid: number | null,
  at: string | null,
): Promise<void> {
  await client.query(
    `UPDATE ${s}.eventlite_projections SET rebuilding_pid = $2, rebuilding_since = $3
     WHERE name = $1`,
    [name, pid, at],
  );
}

/** Objects (tables, views, indexes, …) that belong to a projection. */
export interface OwnedObject {
  name: string;
  type: string;
}

export async function readOwnedObjects(
  client: pg.ClientBase,
  s: string,
  projection: string,
): Promise<OwnedObject[]> {
  const result = await client.query<OwnedObject>(
    `SELECT name, type FROM ${s}.eventlite_projection_objects WHERE projection = $1`,
    [projection],
  );
  return result.rows;
}

export async function readObjectOwners(
  client: pg.ClientBase,
  s: string,
): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; projection: string }>(
    `SELECT name, projection FROM ${s}.eventlite_projection_objects`,
  );
  return new Map(result.rows.map((row) => [row.name, row.projection]));
}

export async function writeOwnedObjects(
  client: pg.ClientBase,
  s: string,
  projection: string,
  objects: readonly OwnedObject[],
): Promise<void> {
  await client.query(`DELETE FROM ${s}.eventlite_projection_objects WHERE projection = $1`, [
    projection,
  ]);
  await client.query(
    `INSERT INTO ${s}.eventlite_projection_objects (name, projection, type)
     SELECT object.name, $1, object.type FROM unnest($2::text[], $3::text[]) AS object(name, type)
     ON CONFLICT (name) DO UPDATE SET projection = excluded.projection, type = excluded.type`,
    [projection, objects.map((object) => object.name), objects.map((object) => object.type)],
  );
}

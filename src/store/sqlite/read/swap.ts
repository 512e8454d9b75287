import type { ProjectionSchema } from '../../../core/ports.js';
import type { SetAsideEvent } from '../../../core/set-aside.js';
import { deleteSetAside, writeSetAside } from './set-aside.js';
import { readOwnedObjects, writeOwnedObjects, writeProjectionRow } from './registry.js';
import { markMaterializedViews } from './matviews.js';
import {
  dropProjectionObjects,
  quoteIdentifier,
  runScript,
  schemaObjects,
  tableKinds,
} from './catalog.js';
import type { Db } from '../statements.js';

const SCRATCH = 'eventlite_rebuild';

/**
 * In one transaction on the read database: drop the projection's old objects, recreate its
 * objects from the scratch file's schema (the SQL its setup produced there), copy the rows (a
 * materialized view's table, refilled in the scratch file, is copied like any other), add the
 * views, and reset its row to the rebuilt checkpoint and its set-aside events to the build's. Tables are filled before their
 * indexes and triggers are created: faster, and no trigger fires on copied rows.
 */
export function swapInRebuiltTables(
  db: Db,
  scratchPath: string,
  projection: ProjectionSchema,
  built: { checkpoint: number; at: string; setAside: readonly SetAsideEvent[] },
): void {
  // ATTACH cannot run inside a transaction.
  db.prepare(`ATTACH DATABASE ? AS ${SCRATCH}`).run(scratchPath);
  try {
    db.transaction(() => {
      dropProjectionObjects(db, readOwnedObjects(db, projection.name));
      const before = new Set(schemaObjects(db).map((object) => object.name));
      copyScratchObjects(db);
      runScript(db, projection.views);
      const created = schemaObjects(db)
        .filter((object) => !before.has(object.name))
        .map(({ name, type }) => ({ name, type }));
      writeOwnedObjects(
        db,
        projection.name,
        markMaterializedViews(created, projection.materializedViews),
      );
      writeProjectionRow(db, projection, built.checkpoint, built.at);
      deleteSetAside(db, projection.name);
      writeSetAside(db, projection.name, built.setAside, built.at);
    }).immediate();
  } finally {
    db.exec(`DETACH DATABASE ${SCRATCH}`);
  }
}

function copyScratchObjects(db: Db): void {
  const objects = schemaObjects(db, SCRATCH) as { name: string; type: string; sql: string }[];
  const exists = (name: string) => schemaObjects(db).some((object) => object.name === name);
  const tables = objects.filter((object) => object.type === 'table');
  for (const table of tables) {
    // A virtual table creates its shadow tables itself; those are then only filled.
    if (!exists(table.name)) db.exec(table.sql);
  }
  // A virtual table is filled through itself (it rebuilds its index), never through its
  // shadow tables, which it set up with rows of its own when it was created.
  const kinds = tableKinds(db, SCRATCH);
  for (const table of tables) {
    if (kinds.get(table.name) === 'shadow') continue;
    const columns = copiedColumns(db, table.name).map(quoteIdentifier).join(', ');
    const name = quoteIdentifier(table.name);
    db.exec(`INSERT INTO main.${name} (${columns}) SELECT ${columns} FROM ${SCRATCH}.${name}`);
  }
  for (const object of objects) {
    if (object.type !== 'table' && object.sql && !exists(object.name)) db.exec(object.sql);
  }
}

/** Ordinary columns only: generated columns cannot be inserted into. */
function copiedColumns(db: Db, table: string): string[] {
  return db
    .prepare(`SELECT name FROM pragma_table_xinfo(?, '${SCRATCH}') WHERE hidden = 0`)
    .pluck()
    .all(table) as string[];
}

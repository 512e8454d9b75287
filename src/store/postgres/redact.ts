import type pg from 'pg';
import { NotFoundError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import { AUDIT_TYPES, refuseSystemStream, StreamDeletedError } from '../../core/lifecycle.js';
import { AffectedEvents, redactionsOf, type DataChange } from '../affected-events.js';
import type { LifecycleResult, RedactOptions } from '../../core/ports.js';
import { checkRedactedVersions, nothingToRedact, redactionPaths } from '../../core/redaction.js';
import type { PgTarget } from './connection.js';
import {
  appendPgAudit,
  deletedPgStream,
  deletePgSnapshots,
  permitChanges,
  pgStoreId,
  vacuumPgTables,
} from './lifecycle.js';
import { streamVersionOn } from './read.js';
import { lockHead } from './import.js';
import { EVENT_COLUMNS, eventFromArray, type EventArrayRow } from './statements.js';
import { inTransaction } from './transaction.js';

/**
 * `redact`: the named fields of the stream's events (or of the given versions) become
 * "[redacted]" in one transaction, with the stream's snapshots gone and the audit event
 * appended; then the tables it changed are rewritten (see vacuumPgTables).
 */
export async function redactPgEvents(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  options: RedactOptions,
): Promise<LifecycleResult> {
  validateName('stream', stream);
  refuseSystemStream(stream, 'cannot be redacted');
  const paths = redactionPaths(options.fields);
  const audit = await inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    const deleted = await deletedPgStream(client, stream);
    if (deleted?.hard) throw new StreamDeletedError(stream, deleted);
    const current = await streamVersionOn(client, stream);
    if (current === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
    checkRedactedVersions(stream, options.versions, current);
    const wanted = options.versions && new Set(options.versions);
    const affected = new AffectedEvents();
    const { rows } = await client.query<EventArrayRow>({
      text: `SELECT ${EVENT_COLUMNS} FROM eventlite.events WHERE stream = $1 ORDER BY version`,
      values: [stream],
      rowMode: 'array',
    });
    const changes = redactionsOf(rows.map(eventFromArray), paths, wanted, affected);
    if (changes.length === 0) throw nothingToRedact(stream, options.fields);
    await permitChanges(client);
    await updateData(client, changes);
    await deletePgSnapshots(client, [stream]);
    const data = {
      store: await pgStoreId(client),
      stream,
      fields: [...options.fields],
      ...affected.summary(stream),
    };
    return appendPgAudit(client, head, AUDIT_TYPES.eventsRedacted, data, options);
  });
  return {
    audit,
    purgeWarning: await vacuumPgTables(pool, target, ['events', 'snapshots'], audit, options),
  };
}

/** New data for events by position, in one statement: `[data, position]` pairs. */
export async function updateData(
  client: pg.ClientBase,
  changes: readonly DataChange[],
): Promise<void> {
  await client.query(
    `UPDATE eventlite.events AS e SET data = c.data
     FROM unnest($1::text[], $2::bigint[]) AS c (data, position) WHERE e.position = c.position`,
    [changes.map(([data]) => data), changes.map(([, position]) => position)],
  );
}

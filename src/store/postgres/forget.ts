import type pg from 'pg';
import { NotFoundError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import { AUDIT_TYPES } from '../../core/lifecycle.js';
import { AffectedEvents, forgettingsOf, type DataChange } from '../affected-events.js';
import type { ForgetOptions, LifecycleResult } from '../../core/ports.js';
import { sealedMarker } from '../../core/sealing.js';
import type { PgTarget } from './connection.js';
import {
  appendPgAudit,
  deletePgSnapshots,
  permitChanges,
  pgStoreId,
  vacuumPgTables,
  type PurgedTable,
} from './lifecycle.js';
import { updateData } from './redact.js';
import { lockHead } from './import.js';
import { EVENT_COLUMNS, eventFromArray, type EventArrayRow } from './statements.js';
import { inTransaction } from './transaction.js';

const PAGE = 2000;

/**
 * `forget`: in one transaction the subject's keys are deleted (their sealed fields read as
 * "[forgotten]" from then on), declared fields stored unsealed are overwritten, the snapshots
 * of every stream that held the subject's data are deleted, and the audit event appended.
 * Then the tables it changed are rewritten (see vacuumPgTables), so that no dead tuple keeps a
 * key or a plaintext field.
 */
export async function forgetPgSubject(
  pool: pg.Pool,
  target: PgTarget,
  subject: string,
  options: ForgetOptions,
): Promise<LifecycleResult> {
  validateName('subject', subject);
  const declared = options.declared ?? new Map();
  const touched: PurgedTable[] = ['keys', 'snapshots'];
  const audit = await inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    const { rows: keys } = await client.query<[string, Buffer]>({
      text: 'SELECT key_id, key FROM eventlite.keys WHERE subject = $1 ORDER BY key_id',
      values: [subject],
      rowMode: 'array',
    });
    const affected = new AffectedEvents();
    for (const [keyId, key] of keys) affected.note(`key ${keyId} ${key.toString('base64')}`);
    const markers = keys.map(([keyId]) => sealedMarker(keyId));
    const changes: DataChange[] = [];
    for (let after = 0; ;) {
      const { rows } = await client.query<EventArrayRow>({
        text: `SELECT ${EVENT_COLUMNS} FROM eventlite.events
               WHERE position > $1 AND (type = ANY($2::text[])
                 OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS m WHERE strpos(data, m) > 0))
               ORDER BY position LIMIT ${PAGE}`,
        values: [after, [...declared.keys()], markers],
        rowMode: 'array',
      });
      changes.push(
        ...forgettingsOf(rows.map(eventFromArray), subject, declared, markers, affected),
      );
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1]![0]);
    }
    if (keys.length === 0 && changes.length === 0) throw await nothingToForget(client, subject);
    if (changes.length > 0) {
      await permitChanges(client);
      await updateData(client, changes);
      touched.push('events');
    }
    await client.query('DELETE FROM eventlite.keys WHERE subject = $1', [subject]);
    await deletePgSnapshots(client, [...affected.streams]);
    const data = {
      store: await pgStoreId(client),
      subject,
      keys: keys.length,
      rewritten: changes.length,
      streams: [...affected.streams].sort(),
      ...affected.summary(),
    };
    const event = await appendPgAudit(client, head, AUDIT_TYPES.subjectForgotten, data, options);
    await client.query(
      `INSERT INTO eventlite.forgotten_keys (key_id, subject, position, forgotten_at)
       SELECT key_id, $2, $3, $4 FROM unnest($1::text[]) AS key_id`,
      [keys.map(([keyId]) => keyId), subject, event.position, event.recordedAt],
    );
    return event;
  });
  return { audit, purgeWarning: await vacuumPgTables(pool, target, touched, audit, options) };
}

async function nothingToForget(client: pg.ClientBase, subject: string): Promise<NotFoundError> {
  const { rows } = await client.query<[string | null]>({
    text: 'SELECT max(position) FROM eventlite.forgotten_keys WHERE subject = $1',
    values: [subject],
    rowMode: 'array',
  });
  const position = rows[0]?.[0] ?? null;
  return new NotFoundError(
    position === null
      ? `no personal data of subject "${subject}" is stored (no key, and no declared field holds it)`
      : `subject "${subject}" was forgotten already (position ${position}); nothing of theirs is left to forget`,
  );
}

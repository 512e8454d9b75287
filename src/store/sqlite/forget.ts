import { NotFoundError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import { AUDIT_TYPES } from '../../core/lifecycle.js';
import { AffectedEvents, forgettingsOf, type DataChange } from '../affected-events.js';
import type { ForgetOptions, LifecycleResult } from '../../core/ports.js';
import { sealedMarker } from '../../core/sealing.js';
import { type EventArray, eventFromArray } from './read.js';
import { appendAudit, deleteSnapshots, purgeWal, storeIdOf, withPermit } from './lifecycle.js';
import { type Db, EVENT_COLUMNS, prepared, preparedRaw } from './statements.js';

const PAGE = 2000;

/**
 * `forget`: in one transaction the subject's keys are deleted (their sealed fields read as
 * "[forgotten]" from then on), declared fields stored unsealed are overwritten, the snapshots
 * of every stream that held the subject's data are deleted, and the audit event appended. Then
 * the WAL is emptied (see purgeWal): with secure_delete, no copy of a key or of a plaintext
 * field is left in the files.
 */
export function forgetSubject(
  db: Db,
  location: string,
  subject: string,
  options: ForgetOptions,
): LifecycleResult {
  validateName('subject', subject);
  const declared = options.declared ?? new Map();
  const audit = db
    .transaction(() => {
      const keys = preparedRaw(
        db,
        'SELECT key_id, key FROM eventlite_keys WHERE subject = ? ORDER BY key_id',
      ).all(subject) as [string, Buffer][];
      const affected = new AffectedEvents();
      for (const [keyId, key] of keys) affected.note(`key ${keyId} ${key.toString('base64')}`);
      const markers = keys.map(([keyId]) => sealedMarker(keyId));
      const changes: DataChange[] = [];
      const page = preparedRaw(
        db,
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE position > ? AND (type IN (SELECT value FROM json_each(?))
           OR EXISTS (SELECT 1 FROM json_each(?) AS m WHERE instr(data, m.value) > 0))
         ORDER BY position LIMIT ${PAGE}`,
      );
      const types = JSON.stringify([...declared.keys()]);
      for (let after = 0; ;) {
        const rows = page.all(after, types, JSON.stringify(markers)) as EventArray[];
        const events = rows.map(eventFromArray);
        changes.push(...forgettingsOf(events, subject, declared, markers, affected));
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]![0];
      }
      if (keys.length === 0 && changes.length === 0) throw nothingToForget(db, subject);
      if (changes.length > 0) {
        withPermit(db, 'forget', () => {
          const update = prepared(db, 'UPDATE events SET data = ? WHERE position = ?');
          for (const change of changes) update.run(...change);
        });
      }
      prepared(db, 'DELETE FROM eventlite_keys WHERE subject = ?').run(subject);
      deleteSnapshots(db, affected.streams);
      const data = {
        store: storeIdOf(db),
        subject,
        keys: keys.length,
        rewritten: changes.length,
        streams: [...affected.streams].sort(),
        ...affected.summary(),
      };
      const event = appendAudit(db, AUDIT_TYPES.subjectForgotten, data, options);
      const tombstone = prepared(
        db,
        `INSERT INTO eventlite_forgotten_keys (key_id, subject, position, forgotten_at)
         VALUES (?, ?, ?, ?)`,
      );
      for (const [keyId] of keys) tombstone.run(keyId, subject, event.position, event.recordedAt);
      return event;
    })
    .immediate();
  return { audit, purgeWarning: purgeWal(db, location) };
}

function nothingToForget(db: Db, subject: string): NotFoundError {
  const position = preparedRaw(
    db,
    'SELECT max(position) FROM eventlite_forgotten_keys WHERE subject = ?',
  ).get(subject) as [number | null];
  return new NotFoundError(
    position[0] === null
      ? `no personal data of subject "${subject}" is stored (no key, and no declared field holds it)`
      : `subject "${subject}" was forgotten already (position ${position[0]}); nothing of theirs is left to forget`,
  );
}

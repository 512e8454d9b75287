import { NotFoundError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import { AUDIT_TYPES, refuseSystemStream, StreamDeletedError } from '../../core/lifecycle.js';
import { AffectedEvents, redactionsOf } from '../affected-events.js';
import type { LifecycleResult, RedactOptions } from '../../core/ports.js';
import { checkRedactedVersions, nothingToRedact, redactionPaths } from '../../core/redaction.js';
import {
  appendAudit,
  deletedStreamOf,
  deleteSnapshots,
  purgeWal,
  storeIdOf,
  withPermit,
} from './lifecycle.js';
import { type EventArray, eventFromArray } from './read.js';
import { type Db, EVENT_COLUMNS, prepared, pluck, preparedRaw, STORE_SQL } from './statements.js';

/**
 * `redact`: the named fields of the stream's events (or of the given versions) become
 * "[redacted]" in one transaction, with the stream's snapshots gone and the audit event
 * appended; then the WAL is emptied (see purgeWal).
 */
export function redactEvents(
  db: Db,
  location: string,
  stream: string,
  options: RedactOptions,
): LifecycleResult {
  validateName('stream', stream);
  refuseSystemStream(stream, 'cannot be redacted');
  const paths = redactionPaths(options.fields);
  const audit = db
    .transaction(() => {
      const deleted = deletedStreamOf(db, stream);
      if (deleted?.hard) throw new StreamDeletedError(stream, deleted);
      const current = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
      if (current === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
      checkRedactedVersions(stream, options.versions, current);
      const wanted = options.versions && new Set(options.versions);
      const affected = new AffectedEvents();
      const rows = preparedRaw(
        db,
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? ORDER BY version`,
      ).all(stream) as EventArray[];
      const events = rows.map(eventFromArray);
      const changes = redactionsOf(events, paths, wanted, affected);
      if (changes.length === 0) throw nothingToRedact(stream, options.fields);
      withPermit(db, 'redact', () => {
        const update = prepared(db, 'UPDATE events SET data = ? WHERE position = ?');
        for (const change of changes) update.run(...change);
      });
      deleteSnapshots(db, [stream]);
      const data = {
        store: storeIdOf(db),
        stream,
        fields: [...options.fields],
        ...affected.summary(stream),
      };
      return appendAudit(db, AUDIT_TYPES.eventsRedacted, data, options);
    })
    .immediate();
  return { audit, purgeWarning: purgeWal(db, location) };
}

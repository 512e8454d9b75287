import { EventliteError, ProjectionFailedError } from '../core/errors.js';
import { statementsFor, type Projection } from '../core/projection.js';
import {
  toRecordedEvent,
  translateSqliteError,
  type Db,
  type StoredEvent,
} from '../store/index.js';
import { markProjectionFailed } from './registry.js';
import { executeStatement, prepared } from './statements.js';

/** A run of events and the checkpoint move they make: `from` → `to` (positions). */
export interface Batch {
  events: readonly StoredEvent[];
  from: number;
  to: number;
}

/** What the batch's writer believes the projection's row says; anything else is a lost race. */
export interface BatchGuard {
  version: number;
  definitionHash: string;
  at: string;
}

/** A handler, or the SQL it issued, failed on `event`. */
export class HandlerFailure extends Error {
  constructor(
    readonly event: StoredEvent,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

const CHECKPOINT_MOVED = Symbol('checkpoint moved');

/**
 * Applies a batch and moves the checkpoint in ONE transaction on the read database: a process
 * killed at any instant leaves either all of it or none of it. The checkpoint move is a
 * compare-and-set from the position the batch started at, so of two runners that read the same
 * checkpoint only one commits; the other's transaction rolls back and it returns false, to
 * re-read and carry on from wherever the winner left the checkpoint.
 *
 * BEGIN IMMEDIATE takes the write lock first, so the checkpoint is checked before any handler
 * runs (a lost race costs no work); the guarded UPDATE at the end stays the real guarantee.
 */
export function applyBatch(
  db: Db,
  projection: Projection,
  batch: Batch,
  guard: BatchGuard,
): boolean {
  const current = prepared(
    db,
    `SELECT 1 FROM eventlite_projections
     WHERE name = ? AND checkpoint = ? AND version = ? AND definition_hash = ?`,
  );
  const moveCheckpoint = prepared(
    db,
    `UPDATE eventlite_projections
     SET checkpoint = :to, status = 'ok', error = NULL, failed_position = NULL,
         failed_stream = NULL, failed_type = NULL, failed_during = NULL, last_run_at = :at
     WHERE name = :name AND checkpoint = :from AND version = :version
       AND definition_hash = :definitionHash`,
  );
  const key = [projection.name, batch.from, guard.version, guard.definitionHash];
  try {
    db.transaction(() => {
      if (current.get(...key) === undefined) throw CHECKPOINT_MOVED;
      applyEvents(db, projection, batch.events);
      const { changes } = moveCheckpoint.run({
        name: projection.name,
        from: batch.from,
        to: batch.to,
        version: guard.version,
        definitionHash: guard.definitionHash,
        at: guard.at,
      });
      if (changes !== 1) throw CHECKPOINT_MOVED;
    }).immediate();
    return true;
  } catch (error) {
    if (error === CHECKPOINT_MOVED) return false;
    throw error;
  }
}

/** Runs each event's statements; events of types the projection ignores are never parsed. */
export function applyEvents(db: Db, projection: Projection, events: readonly StoredEvent[]): void {
  for (const stored of events) {
    if (!projection.on[stored.type]) continue;
    try {
      for (const statement of statementsFor(projection, toRecordedEvent(stored))) {
        executeStatement(db, statement);
      }
    } catch (failure) {
      throw new HandlerFailure(stored, failure);
    }
  }
}

/**
 * After the failing batch has rolled back: a full disk or a lock timeout is the machine's
 * problem and passes through as is; anything else is the projection's, so it is marked failed
 * (in a transaction of its own) and reported with the event it failed on.
 */
export function failProjection(
  db: Db,
  projection: Projection,
  failure: HandlerFailure,
  context: { path: string; during: 'catch-up' | 'rebuild'; at: string },
): EventliteError {
  const translated = translateSqliteError(failure.failure, context.path);
  if (translated !== failure.failure && translated instanceof EventliteError) return translated;
  const { event } = failure;
  const reason = failure.message.split('\n')[0] ?? '';
  db.transaction(() =>
    markProjectionFailed(
      db,
      projection.name,
      {
        position: event.position,
        stream: event.stream,
        type: event.type,
        error: reason,
        during: context.during,
      },
      context.at,
    ),
  ).immediate();
  return new ProjectionFailedError(
    projection.name,
    event.position,
    event.stream,
    event.type,
    reason,
  );
}

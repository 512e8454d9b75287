import { InputError } from '../core/errors.js';
import { describeJson } from '../core/input.js';
import { EARLIEST_RECORDED_AT, isRecordableTime, LATEST_RECORDED_AT } from '../core/time-range.js';

/** How far a given clock moves at each reading: each append gets its own second. */
export const CLOCK_STEP_MS = 1000;

// A date, or a date and time with its zone: a time without a zone would mean a different
// instant on every machine, and a fixture must read the same everywhere.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 instant (`2026-03-01T09:00:00Z`, or a date alone for its UTC midnight) that a
 * store can record: `9999-12-31T23:30:00-01:00` is in the year 10000, and is refused.
 */
export function parseInstant(what: string, value: unknown): Date {
  const date = typeof value === 'string' && INSTANT.test(value) ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    const got = typeof value === 'string' ? JSON.stringify(value) : describeJson(value);
    throw new InputError(
      `${what} must be an ISO 8601 time with its zone, such as 2026-03-01T09:00:00Z, got ${got}`,
    );
  }
  if (!isRecordableTime(date)) {
    throw new InputError(
      `${what} must be a time from ${EARLIEST_RECORDED_AT} to ${LATEST_RECORDED_AT}, got ${JSON.stringify(value)}`,
    );
  }
  return date;
}

/**
 * A clock given for a run (`--clock`, `EVENTLITE_CLOCK`): it reads `start` first and one step
 * later at each reading after, so the events of a run keep distinct times in the order they
 * were written, and the same run gives the same times every time. A reading past the last
 * time a store can record is refused rather than stamped; `origin` names the clock for that
 * message.
 */
export function steppingClock(start: Date, origin: string, stepMs = CLOCK_STEP_MS): () => Date {
  let next = start.getTime();
  return () => {
    const now = new Date(next);
    if (!isRecordableTime(now)) {
      throw new InputError(
        `the clock started by ${origin} has run past ${LATEST_RECORDED_AT}, the last time a store can record (it moves on a second at each append); start it earlier`,
      );
    }
    next += stepMs;
    return now;
  };
}

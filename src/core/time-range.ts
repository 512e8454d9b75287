import { InputError } from './errors.js';

// A recordedAt is written with a four-digit year, the contract's format, which export writes
// and import takes back byte for byte. Date#toISOString writes a time past the year 9999 as
// `+010000-…` and one before the year 1 as `0000-…` or `-000001-…`: a store that held such a
// time could not be exported and imported again. So a time outside these bounds is refused
// wherever one is given (--clock, "at") or stamped (each append).

export const EARLIEST_RECORDED_AT = '0001-01-01T00:00:00.000Z';
export const LATEST_RECORDED_AT = '9999-12-31T23:59:59.999Z';

const EARLIEST = Date.parse(EARLIEST_RECORDED_AT);
const LATEST = Date.parse(LATEST_RECORDED_AT);

/** Whether a store can record `date` (false for an invalid date too). */
export function isRecordableTime(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST && time <= LATEST;
}

/** `date` as a recordedAt; a time the store cannot record is refused (InputError). */
export function toRecordedAt(date: Date): string {
  if (!isRecordableTime(date)) {
    throw new InputError(
      `cannot record the time ${describeTime(date)}: a store records times from ${EARLIEST_RECORDED_AT} to ${LATEST_RECORDED_AT}`,
    );
  }
  return date.toISOString();
}

/** A date for a message, whatever it holds. */
export function describeTime(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

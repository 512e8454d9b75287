import { describe, expect, it } from 'vitest';
import { isRecordedAt } from '../../src/core/exported-event.js';

// isRecordedAt checks the calendar itself, as an import does it for every line. The reference
// below is the rule as it was first written, through Date.parse and printing the time back:
// both must give the same answer for every text.
const ISO_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function byDateParse(value: string): boolean {
  const match = ISO_TIME.exec(value);
  if (!match || match[1] === '0000') return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === value.slice(0, 19);
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

describe('isRecordedAt', () => {
  it('agrees with Date.parse on every day of every month, leap years and edges included', () => {
    let accepted = 0;
    for (const year of [0, 1, 99, 100, 400, 1900, 1970, 2000, 2024, 2025, 2100, 9999]) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00.000Z`;
          expect(isRecordedAt(text), text).toBe(byDateParse(text));
          if (byDateParse(text)) accepted += 1;
        }
      }
    }
    // 11 real years (0000 is refused), three of them leap years: 400, 2000 and 2024.
    expect(accepted).toBe(11 * 365 + 3);
  });

  it.each([
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.5Z',
    '2026-01-01T23:59:59.999999999999Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T23:60:00.000Z',
    '2026-01-01T23:59:60.000Z',
    '2026-01-01T99:99:99.000Z',
    '2024-02-29T23:59:59.5Z',
    '2025-02-29T00:00:00.000Z',
    '1900-02-29T00:00:00.000Z',
    '2000-02-29T00:00:00.000Z',
    '2026-02-30T10:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00.000',
    '2026-01-01 00:00:00.000Z',
    '2026-01-01T00:00:00.000+00:00',
    '+02026-01-01T00:00:00.000Z',
    '2026-1-01T00:00:00.000Z',
    '２０２６-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00.000Z\n',
    '',
  ])('agrees with Date.parse on %j', (text) => {
    expect(isRecordedAt(text)).toBe(byDateParse(text));
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 0, Date.now(), new Date(), ['2026-01-01T00:00:00Z']]) {
      expect(isRecordedAt(value)).toBe(false);
    }
  });
});

import { InputError } from './errors.js';

const DURATION = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--since`: an instant as ISO 8601 with its zone (`2026-11-26T10:00:00Z`,
 * `2026-11-26T11:00+01:00`), a date (`2026-11-26`, midnight UTC), or a duration before `now`
 * (`90s`, `15m`, `2h`, `7d`, `2w`). Returned as the contract writes times, in UTC.
 */
export function parseSince(flag: string, text: string, now: Date): string {
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    return new Date(now.getTime() - ms).toISOString();
  }
  const shape = DATE_ONLY.test(text) ? `${text}T00:00:00Z` : WITH_ZONE.test(text) ? text : '';
  const time = Date.parse(shape);
  if (Number.isNaN(time) || !isCalendarDate(shape.slice(0, 10))) {
    throw new InputError(
      `${flag} must be a time with its zone (2026-11-26T10:00:00Z), a date (2026-11-26) or a duration before now (15m, 2h, 7d), got ${JSON.stringify(text)}`,
    );
  }
  return new Date(time).toISOString();
}

/** Date.parse takes 2026-02-30 for 2 March: the day must be one of its month's. */
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

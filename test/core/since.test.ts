import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseSince } from '../../src/core/since.js';

const NOW = new Date('2026-11-26T10:00:00.000Z');

describe('--since', () => {
  it.each([
    ['2026-11-26T09:30:00Z', '2026-11-26T09:30:00.000Z'],
    ['2026-11-26T09:30:00.250Z', '2026-11-26T09:30:00.250Z'],
    ['2026-11-26T10:30+01:00', '2026-11-26T09:30:00.000Z'],
    ['2026-11-26', '2026-11-26T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['90s', '2026-11-26T09:58:30.000Z'],
    ['15m', '2026-11-26T09:45:00.000Z'],
    ['2h', '2026-11-26T08:00:00.000Z'],
    ['7d', '2026-11-19T10:00:00.000Z'],
    ['1w', '2026-11-19T10:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseSince('--since', text, NOW)).toBe(iso);
  });

  it.each(['yesterday', '2026-11-26T09:30:00', '2026-02-30', '2026-13-01', '15', '-5m', '1y', ''])(
    'refuses %j',
    (text) => {
      expect(() => parseSince('--since', text, NOW)).toThrow(
        new InputError(
          `--since must be a time with its zone (2026-11-26T10:00:00Z), a date (2026-11-26) or a duration before now (15m, 2h, 7d), got ${JSON.stringify(text)}`,
        ),
      );
    },
  );
});

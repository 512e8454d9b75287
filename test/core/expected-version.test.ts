import { describe, expect, it } from 'vitest';
import { ConcurrencyError, InputError } from '../../src/core/errors.js';
import { checkExpectedVersion, parseExpectedVersion } from '../../src/core/expected-version.js';

describe('parseExpectedVersion', () => {
  it('reads the three words and whole numbers', () => {
    expect(parseExpectedVersion('any')).toBe('any');
    expect(parseExpectedVersion('no-stream')).toBe('no-stream');
    expect(parseExpectedVersion('exists')).toBe('exists');
    expect(parseExpectedVersion('0')).toBe(0);
    expect(parseExpectedVersion('42')).toBe(42);
  });

  it.each(['-1', '1.5', 'ten', '', 'ANY', '99999999999999999999'])('refuses %j', (text) => {
    expect(() => parseExpectedVersion(text)).toThrow(InputError);
  });
});

describe('checkExpectedVersion', () => {
  const fits: [Parameters<typeof checkExpectedVersion>[1], number][] = [
    ['any', 0],
    ['any', 7],
    ['no-stream', 0],
    ['exists', 1],
    [0, 0],
    [3, 3],
  ];
  it.each(fits)('accepts expected %j at actual %j', (expected, actual) => {
    expect(() => checkExpectedVersion('s', expected, actual)).not.toThrow();
  });

  const conflicts: [Parameters<typeof checkExpectedVersion>[1], number, string][] = [
    ['no-stream', 2, 'expected no stream (version 0), actual 2'],
    ['exists', 0, 'expected an existing stream, actual 0'],
    [3, 4, 'expected 3, actual 4'],
    [5, 0, 'expected 5, actual 0'],
  ];
  it.each(conflicts)('refuses expected %j at actual %j', (expected, actual, text) => {
    let error: unknown;
    try {
      checkExpectedVersion('account-a1', expected, actual);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConcurrencyError);
    const conflict = error as ConcurrencyError;
    expect(conflict.stream).toBe('account-a1');
    expect(conflict.actual).toBe(actual);
    expect(conflict.message).toBe(`version conflict on stream "account-a1": ${text}`);
  });
});

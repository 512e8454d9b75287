import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  parseJsonObject,
  parseNonNegativeInteger,
  parsePositiveInteger,
  validateEventId,
  validateName,
} from '../../src/core/input.js';
import { toNewEvent } from '../../src/core/new-event.js';

describe('parseJsonObject', () => {
  it('returns objects, keeping a __proto__ key as plain data', () => {
    const value = parseJsonObject('{"a":1,"__proto__":{"polluted":true}}', 'DATA');
    expect(Object.keys(value)).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{bad', 'DATA is not valid JSON'],
    ['[1,2]', 'DATA must be a JSON object, got an array'],
    ['null', 'DATA must be a JSON object, got null'],
    ['"text"', 'DATA must be a JSON object, got string "text"'],
    ['12', 'DATA must be a JSON object, got number 12'],
  ])('refuses %j', (text, message) => {
    expect(() => parseJsonObject(text, 'DATA')).toThrow(InputError);
    expect(() => parseJsonObject(text, 'DATA')).toThrow(message);
  });
});

describe('integer flags', () => {
  it('parses positive and non-negative integers', () => {
    expect(parsePositiveInteger('--limit', '10')).toBe(10);
    expect(parseNonNegativeInteger('--from', '0')).toBe(0);
  });

  it.each(['0', '-3', 'ten', '1e3', '2.5', ''])(
    'refuses --limit %j with the exact message',
    (text) => {
      expect(() => parsePositiveInteger('--limit', text)).toThrow(
        `--limit must be a positive integer, got "${text}"`,
      );
    },
  );
});

describe('names and ids', () => {
  it('accepts ordinary stream names and types', () => {
    expect(validateName('stream', 'account-a1')).toBe('account-a1');
    expect(validateName('event type', "Robert'); DROP TABLE events;--")).toBe(
      "Robert'); DROP TABLE events;--",
    );
  });

  it.each([
    ['', 'stream name must be a non-empty string'],
    ['a\nb', 'contains a control character'],
    ['x'.repeat(1001), 'the limit is 1000'],
  ])('refuses stream name %j', (name, message) => {
    expect(() => validateName('stream', name)).toThrow(message);
  });

  it('normalises UUIDs to lower case and refuses anything else', () => {
    expect(validateEventId('0B6C1D2E-0000-4000-8000-000000000001')).toBe(
      '0b6c1d2e-0000-4000-8000-000000000001',
    );
    expect(() => validateEventId('not-a-uuid')).toThrow('event id must be a UUID');
  });
});

describe('toNewEvent', () => {
  it('reads a line of append --file, defaulting data to {}', () => {
    expect(toNewEvent({ type: 'Opened' }, 'f:1')).toEqual({ type: 'Opened', data: {} });
  });

  it('names the place of the problem', () => {
    expect(() => toNewEvent({ data: {} }, 'events.ndjson:3')).toThrow(
      'events.ndjson:3: "type" is missing',
    );
    expect(() => toNewEvent({ type: 'T', data: [1] }, 'events.ndjson:4')).toThrow(
      'events.ndjson:4: "data" must be a JSON object, got an array',
    );
    expect(() => toNewEvent({ type: 7 }, 'f:5')).toThrow('f:5: event type must be a string');
  });
});

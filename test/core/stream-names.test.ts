import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  cardinalIdOf,
  categoryOf,
  idOf,
  isSystemStream,
  validateCategory,
} from '../../src/core/stream-names.js';

describe("a stream name's parts, as message-db defines them", () => {
  it.each([
    ['account-42', 'account', '42', '42'],
    ['account-42+eu', 'account', '42+eu', '42'],
    ['account-42-x+y+z', 'account', '42-x+y+z', '42-x'],
    ['account', 'account', undefined, undefined],
    ['account-', 'account', '', ''],
    ['$eventlite', '$eventlite', undefined, undefined],
  ])('%s: category %s, id %s, cardinal id %s', (stream, category, id, cardinal) => {
    expect(categoryOf(stream)).toBe(category);
    expect(idOf(stream)).toBe(id);
    expect(cardinalIdOf(stream)).toBe(cardinal);
  });

  it('knows the store\'s own streams by their "$"', () => {
    expect(isSystemStream('$eventlite')).toBe(true);
    expect(isSystemStream('account-$1')).toBe(false);
  });

  it('takes a category without "-" only', () => {
    expect(validateCategory('--category', 'account')).toBe('account');
    for (const bad of ['', 'account-1']) {
      expect(() => validateCategory('--category', bad)).toThrow(
        new InputError(
          `--category must be a category: the part of a stream name before its first "-", got ${JSON.stringify(bad)}`,
        ),
      );
    }
  });
});

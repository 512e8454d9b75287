import { describe, expect, it } from 'vitest';
import { correlationIdOf } from '../../src/app/correlation.js';
import { InputError } from '../../src/core/errors.js';
import { validateName } from '../../src/core/input.js';

// A correlation id is printed back by `log` as names are, so it refuses what a name refuses:
// C0 controls, DEL and C1 controls (U+009B alone starts a terminal escape, like ESC [).
describe('correlationIdOf', () => {
  it('keeps a given id and draws a UUID when none is given', () => {
    expect(correlationIdOf('class-1 · Übung')).toBe('class-1 · Übung');
    expect(correlationIdOf(undefined)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it.each([
    ['a\u0000b', '"a\\u0000b"'],
    ['a\nb', '"a\\nb"'],
    ['a\u001bb', '"a\\u001bb"'],
    ['a\u007fb', '"a\\u007fb"'],
    ['a\u0085b', '"a\\u0085b"'],
    ['a\u009b31mb', '"a\\u009b31mb"'],
    ['a\u009fb', '"a\\u009fb"'],
  ])('refuses %j, as a stream name with it is refused', (id, shown) => {
    expect(() => correlationIdOf(id)).toThrow(
      new InputError(`--correlation-id must be 1 to 200 printable characters, got ${shown}`),
    );
    expect(() => validateName('stream', id)).toThrow('contains a control character');
  });

  it.each(['', 'x'.repeat(201)])('refuses an id of %s characters', (id) => {
    expect(() => correlationIdOf(id)).toThrow('--correlation-id must be 1 to 200');
  });

  it('takes the first printable character after the controls, U+00A0', () => {
    expect(correlationIdOf('a\u00a0b')).toBe('a\u00a0b');
    expect(validateName('stream', 'a\u00a0b')).toBe('a\u00a0b');
  });
});

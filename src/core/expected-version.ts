import { ConcurrencyError, InputError } from './errors.js';

/**
 * What a writer believes about a stream before appending:
 * `any` skips the check, `no-stream` wants it empty, `exists` wants at least one event,
 * a number wants exactly that version (0 is the same as `no-stream`).
 */
export type ExpectedVersion = 'any' | 'no-stream' | 'exists' | number;

export function parseExpectedVersion(text: string): ExpectedVersion {
  if (text === 'any' || text === 'no-stream' || text === 'exists') return text;
  if (/^\d+$/.test(text)) {
    const version = Number(text);
    if (Number.isSafeInteger(version)) return version;
  }
  throw new InputError(
    `--expected-version must be a version number, any, no-stream or exists, got "${text}"`,
  );
}

/** Throws a ConcurrencyError naming stream, expected and actual when `actual` does not fit. */
export function checkExpectedVersion(
  stream: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  const fits =
    expected === 'any' ||
    (expected === 'no-stream' && actual === 0) ||
    (expected === 'exists' && actual > 0) ||
    expected === actual;
  if (!fits) throw new ConcurrencyError(stream, describeExpected(expected), actual);
}

function describeExpected(expected: ExpectedVersion): string {
  if (expected === 'no-stream') return 'no stream (version 0)';
  if (expected === 'exists') return 'an existing stream';
  return String(expected);
}

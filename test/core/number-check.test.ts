import { describe, expect, it } from 'vitest';
import { checkJsonLimits, checkNumberLiteral, mayHoldInexactNumber } from '../../src/core/input.js';

// checkJsonLimits sends a text to the exact check (checkNumberLiteral on every literal) only
// when a cheap look at it (mayHoldInexactNumber) says a literal may change. These tests pit the
// two paths against each other: whatever the look lets through must be what the exact check
// would have accepted, and the answer (or the message) must be the one the exact check gives.

const TRICKY = [
  '9007199254740993',
  '-9007199254740993',
  '9007199254740993.0',
  '1e400',
  '-1e400',
  '1e-400',
  '0.1',
  '1.0',
  '-0',
  '-0.0',
  '1E2',
  '1e+2',
  '1E-7',
  '123456789012345678901234567890',
  '5e-324',
  '4.9e-324',
  '2.2250738585072014e-308',
  '2.2250738585072011e-308',
  '1.7976931348623157e308',
  '1.7976931348623158e308',
  '1.0000000000000001',
  '0.30000000000000001',
  '0.12345678901234567890',
  '123456789012345',
  '1234567890123456',
  '12345678901234567',
  '100000000000000000000',
  '1e21',
  '1e099',
  '1.5e300',
  '0.000000000000000000001',
  '12',
];

/** JSON texts that hold `literal` in the places a literal can stand. */
function placesFor(literal: string): string[] {
  return [
    literal,
    ` ${literal}`,
    `{"x":${literal}}`,
    `{"x": ${literal}}`,
    `{"x":\n\t${literal}}`,
    `[${literal}]`,
    `[ ${literal} ]`,
    `[1,${literal}]`,
    `[1, ${literal}]`,
    `{"id":"019b76da-a801-702e-a8c8-3243a01b8613","a":[{"b":${literal}}],"c":"e123"}`,
  ];
}

/** The exact check of every literal, in order, as the reference: its message, or undefined. */
function exactAnswer(literals: readonly string[]): string | undefined {
  for (const literal of literals) {
    try {
      checkNumberLiteral(literal, 'DATA');
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

function limitsAnswer(text: string): string | undefined {
  try {
    checkJsonLimits(JSON.parse(text), text, 'DATA');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the number check: the quick look and the exact check agree', () => {
  it.each(TRICKY)('%s, wherever it stands', (literal) => {
    const expected = exactAnswer([literal]);
    for (const text of placesFor(literal)) {
      // The look may send an exact number on (that only costs time), never let a changed one by.
      if (expected !== undefined) expect(mayHoldInexactNumber(text), text).toBe(true);
      expect(limitsAnswer(text), text).toBe(expected);
    }
  });

  it('refuses what must be refused, with the exact message', () => {
    expect(limitsAnswer('{"x":9007199254740993}')).toBe(
      'DATA: integer 9007199254740993 is beyond ±9007199254740991 and would lose digits; send it as a string',
    );
    expect(limitsAnswer('[1, 1e400]')).toBe('DATA: number 1e400 is out of range (beyond ±1.8e308)');
    expect(limitsAnswer('{"x": 0.30000000000000001}')).toBe(
      'DATA: number 0.30000000000000001 cannot be stored exactly (it would become 0.3); send it as a string',
    );
    for (const exact of ['0.1', '1.0', '-0', '1E2', '5e-324', '2.2250738585072014e-308']) {
      expect(limitsAnswer(`{"x":${exact}}`), exact).toBeUndefined();
    }
  });

  it('agrees on 3000 random literals, several to a text', () => {
    const random = seeded(11);
    for (let round = 0; round < 1000; round += 1) {
      const literals = [randomLiteral(random), randomLiteral(random), randomLiteral(random)];
      const text = `{"id":"0e123456","a":${literals[0]},"b":[ ${literals[1]},{"c":\n${literals[2]}}]}`;
      const expected = exactAnswer(literals);
      if (expected !== undefined) expect(mayHoldInexactNumber(text), text).toBe(true);
      expect(limitsAnswer(text), text).toBe(expected);
    }
  });

  it('takes the quick way over an export line whose strings hold digits and hex', () => {
    // The look used to fire on "e012" inside a UUID or on long digit runs inside strings, and
    // then scanned every literal of one line in five of the bench's export.
    const line =
      '{"position":5000,"stream":"account-a858","version":6,"type":"MoneyWithdrawn",' +
      '"id":"019b76da-e012-714b-8a1c-dc8b8884cba1","data":{"accountId":"a858","amount":118,' +
      '"phone":"12345678901234567890","balance":1021.25},"metadata":{"source":"bench"},' +
      '"recordedAt":"2026-01-01T00:00:05.000Z"}';
    expect(mayHoldInexactNumber(line)).toBe(false);
    expect(mayHoldInexactNumber(line.replace('1021.25', '1021.2500000000000001'))).toBe(true);
    expect(mayHoldInexactNumber(line.replace('118', '1.18e-400'))).toBe(true);
  });
});

/** A JSON number literal: up to 24 whole digits, maybe a fraction, maybe an exponent. */
function randomLiteral(random: () => number): string {
  const digits = (count: number) =>
    Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
  const wholeLength = 1 + Math.floor(random() * 24);
  const whole =
    wholeLength === 1 ? digits(1) : `${1 + Math.floor(random() * 9)}${digits(wholeLength - 1)}`;
  const sign = random() < 0.3 ? '-' : '';
  const fraction = random() < 0.5 ? `.${digits(1 + Math.floor(random() * 20))}` : '';
  const exponent =
    random() < 0.5
      ? `${random() < 0.5 ? 'e' : 'E'}${['', '+', '-'][Math.floor(random() * 3)]}${digits(1 + Math.floor(random() * 3))}`
      : '';
  return `${sign}${whole}${fraction}${exponent}`;
}

/** mulberry32: the same numbers on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

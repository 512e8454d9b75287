import pg from 'pg';

// How PostgreSQL values come out of the read store: as close as they can be to what the SQLite
// read database gives for the same data, so `eventlite query` prints the same bytes on both.
// These parsers are handed to each client of the read store's pool (never set globally: a
// library user's own `pg` code keeps pg's defaults).

type Parser = (text: string) => unknown;

/** int8 (count(*), sum of integers, bigint columns): a number while it is exact. */
export function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

/**
 * numeric (ROUND, AVG, sum of numerics): a number when it converts without losing digits,
 * trailing fractional zeros aside (`12.50` → 12.5, `10.00` → 10); otherwise its text, so that
 * `12345678901234567890.12` is not silently rounded. NaN and ±Infinity stay text too.
 */
export function parseNumeric(text: string): number | string {
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return String(value) === trimmed ? value : text;
}

const asText: Parser = (text) => text;

const OID = {
  int8: 20,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  jsonb: 3802,
} as const;

const SCALARS = new Map<number, Parser>([
  [OID.int8, parseInt8],
  [OID.numeric, parseNumeric],
  [OID.float4, Number],
  [OID.float8, Number],
  // Dates and times as PostgreSQL prints them (the session runs with DateStyle ISO and
  // TimeZone UTC), not as JS Dates whose text would depend on this process's time zone.
  [OID.date, asText],
  [OID.time, asText],
  [OID.timetz, asText],
  [OID.timestamp, asText],
  [OID.timestamptz, asText],
  [OID.interval, asText],
  [OID.json, asText],
  [OID.jsonb, asText],
]);

/** Array types of the scalars above, by element type. */
const ARRAYS = new Map<number, number>([
  [1016, OID.int8],
  [1231, OID.numeric],
  [1021, OID.float4],
  [1022, OID.float8],
  [1182, OID.date],
  [1183, OID.time],
  [1270, OID.timetz],
  [1115, OID.timestamp],
  [1185, OID.timestamptz],
  [1187, OID.interval],
  [199, OID.json],
  [3807, OID.jsonb],
]);

interface ArrayParser {
  create(source: string, transform: Parser): { parse(): unknown[] };
}
// pg-types exports its array parser, but its type declarations leave it out.
const arrayParser = (pg.types as unknown as { arrayParser: ArrayParser }).arrayParser;

export const readStoreTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    const scalar = SCALARS.get(oid);
    if (scalar) return scalar;
    const element = ARRAYS.get(oid);
    if (element !== undefined) {
      const parse = SCALARS.get(element) as Parser;
      return (text: string) =>
        arrayParser.create(text, (item) => (item === null ? null : parse(item))).parse();
    }
    return pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

import { createHash } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { groupPlaceOf, memberOfStream } from '../../src/app/subscriptions/consumer-group.js';
import { InputError } from '../../src/core/errors.js';

// Consumer groups split streams as message-db does: MOD(@hash_64(cardinal_id(stream)), size),
// hash_64 being the first 64 bits of the MD5 as a signed bigint. Checked here against that
// formula computed apart from ours: in this file from the digest's hex text, and (with the test
// server) by message-db's own SQL on PostgreSQL.

const STREAMS = [
  'account-1',
  'account-2',
  'account-42+eu',
  'account-42+us',
  'order-7d1f9c2a',
  'order-0001',
  'cart-ü-ñ',
  'shipment-x-y',
  'a-b',
  'account-',
];

/** message-db's hash_64 of a text, from the MD5's hex digits, and the member it picks. */
function messageDbMember(cardinalId: string, size: number): number {
  const hex = createHash('md5').update(cardinalId, 'utf8').digest('hex').slice(0, 16);
  const signed = BigInt.asIntN(64, BigInt(`0x${hex}`));
  const magnitude = signed < 0n ? -signed : signed;
  return Number(magnitude % BigInt(size));
}

function cardinalId(stream: string): string {
  return stream.slice(stream.indexOf('-') + 1).split('+')[0]!;
}

describe('consumer group members', () => {
  it.each([2, 3, 7])('a group of %i: each stream goes where message-db sends it', (size) => {
    for (const stream of STREAMS) {
      expect(memberOfStream(stream, size), stream).toBe(messageDbMember(cardinalId(stream), size));
    }
  });

  it('a compound id goes by its first part, so account-42+eu and account-42+us stay together', () => {
    for (const size of [2, 3, 5, 11]) {
      expect(memberOfStream('account-42+eu', size)).toBe(memberOfStream('account-42+us', size));
      expect(memberOfStream('account-42+eu', size)).toBe(memberOfStream('order-42', size));
    }
  });

  it('a stream without an id goes by its whole name; a group of one takes everything', () => {
    expect(memberOfStream('ledger', 3)).toBe(messageDbMember('ledger', 3));
    expect(memberOfStream('anything', 1)).toBe(0);
  });

  const pgUrl = inject('pgServerUrl') ?? process.env.EVENTLITE_TEST_PG_URL;
  it.runIf(pgUrl)("agrees with message-db's SQL run by PostgreSQL", async () => {
    const client = new pg.Client({ connectionString: pgUrl! });
    await client.connect();
    try {
      for (const size of [2, 3, 7]) {
        // get_category_messages.sql, hash-64.sql, cardinal-id.sql and id.sql, inlined.
        const { rows } = await client.query<{ stream: string; member: string }>(
          `SELECT stream,
                  MOD(@(left('x' || md5(split_part(substring(stream FROM strpos(stream, '-') + 1), '+', 1)), 17)::bit(64)::bigint), $2) AS member
           FROM unnest($1::text[]) AS stream`,
          [STREAMS, size],
        );
        for (const row of rows) {
          expect(memberOfStream(row.stream, size), row.stream).toBe(Number(row.member));
        }
      }
    } finally {
      await client.end();
    }
  });
});

describe('--member and --of', () => {
  it('go together, 0 <= member < of; neither is a group of one', () => {
    expect(groupPlaceOf(undefined, undefined)).toEqual({ member: 0, size: 1 });
    expect(groupPlaceOf(2, 3)).toEqual({ member: 2, size: 3 });
    expect(() => groupPlaceOf(1, undefined)).toThrow(InputError);
    expect(() => groupPlaceOf(undefined, 3)).toThrow(InputError);
    expect(() => groupPlaceOf(3, 3)).toThrow(
      new InputError('--member must be less than --of (members are 0 to 2), got 3'),
    );
  });
});

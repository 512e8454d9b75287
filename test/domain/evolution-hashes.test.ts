import { describe, expect, it } from 'vitest';
import type { Decider } from '../../src/core/decider.js';
import type { Domain } from '../../src/core/domain.js';
import type { EventDeclarations } from '../../src/core/event-types.js';
import type { JsonObject } from '../../src/core/events.js';
import type { Projection } from '../../src/core/projection.js';
import { deciderForStream } from '../../src/domain/lookup.js';
import { snapshotPolicyOf } from '../../src/domain/snapshots.js';
import { validateDomain } from '../../src/domain/validate.js';
import { definitionHashes, hashDefinition, staleReason } from '../../src/projections/definition.js';
import { projectionRowFor } from '../helpers/projection-row.js';
import { numbersSchema } from '../helpers/standard-schema.js';

// Snapshots and projection staleness follow the upcasters, for a domain built in code (a
// module loaded from files hashes all its files anyway): editing an upcaster leaves the
// snapshots unread and marks the projections that read its type stale; a domain whose events
// read as stored keeps every key and hash it had.

const account = (): Decider<any, any, any> => ({
  category: 'account',
  streamId: () => 'a1',
  initialState: () => ({ n: 0 }),
  evolve: (state: { n: number }) => ({ n: state.n + 1 }),
  decide: { Deposit: () => [] },
});

const deposits = (): Projection => ({
  name: 'deposits',
  version: 1,
  setup: ['CREATE TABLE deposits (n INTEGER)'],
  on: { MoneyDeposited: () => [] },
});
const openings = (): Projection => ({
  name: 'openings',
  version: 1,
  setup: ['CREATE TABLE openings (n INTEGER)'],
  on: { AccountOpened: () => [] },
});

/** A domain in code, validated as a loaded one would be; its projections come fresh each time. */
function domainWith(events: EventDeclarations | undefined) {
  const projections = [deposits(), openings()];
  const domain = validateDomain(
    { deciders: { account: account() }, projections, ...(events && { events }) },
    'domain.ts',
  );
  const [depositsProjection, openingsProjection] = projections as [Projection, Projection];
  const key = snapshotPolicyOf(domain, deciderForStream(domain as Domain, 'account-a1'))!.key;
  return { domain, deposits: depositsProjection, openings: openingsProjection, key };
}

// Upcasters are told apart by their source text, as handlers are: an edit changes the text.
const UPCASTERS = {
  EUR: (data: JsonObject) => ({ ...data, currency: 'EUR' }),
  CHF: (data: JsonObject) => ({ ...data, currency: 'CHF' }),
};
const upcastTo = (currency: keyof typeof UPCASTERS): EventDeclarations => ({
  MoneyDeposited: { version: 2, upcast: { 1: UPCASTERS[currency] } },
  AccountOpened: {},
});

describe('upcasters in snapshot keys and projection hashes', () => {
  it('change nothing for a domain whose events read as stored', () => {
    const plain = domainWith(undefined);
    const declared = domainWith({
      MoneyDeposited: { schema: numbersSchema('amount') },
      AccountOpened: { version: 1 },
    });
    expect(declared.key).toBe(plain.key);
    expect(definitionHashes(declared.deposits)).toEqual(hashDefinition(deposits(), undefined));
    expect(definitionHashes(plain.deposits)).toEqual(hashDefinition(deposits(), undefined));
  });

  it('an edited upcaster leaves the old snapshots unread', () => {
    const plain = domainWith(undefined);
    const euros = domainWith(upcastTo('EUR'));
    const francs = domainWith(upcastTo('CHF'));
    expect(new Set([plain.key, euros.key, francs.key]).size).toBe(3);
    expect(domainWith(upcastTo('EUR')).key).toBe(euros.key);
  });

  it('marks stale the projections that read the type, and only those', () => {
    const euros = domainWith(upcastTo('EUR'));
    const francs = domainWith(upcastTo('CHF'));
    expect(staleReason(projectionRowFor(euros.deposits), francs.deposits)).toBe(
      "its handlers or its events' upcasters changed",
    );
    expect(
      staleReason(projectionRowFor(euros.deposits), domainWith(upcastTo('EUR')).deposits),
    ).toBe(undefined);
    expect(staleReason(projectionRowFor(euros.openings), francs.openings)).toBeUndefined();
    // Upcasters added where there were none make the reading projection stale too.
    expect(staleReason(projectionRowFor(domainWith(undefined).deposits), euros.deposits)).toBe(
      "its handlers or its events' upcasters changed",
    );
  });

  it('a new old name of a type marks the projections of that type stale', () => {
    const renamed = domainWith({ ...upcastTo('EUR'), Deposited: { renamedTo: 'MoneyDeposited' } });
    const euros = domainWith(upcastTo('EUR'));
    expect(staleReason(projectionRowFor(euros.deposits), renamed.deposits)).toBe(
      "its handlers or its events' upcasters changed",
    );
    expect(staleReason(projectionRowFor(euros.openings), renamed.openings)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { validateDomain } from '../../src/domain/validate.js';

// A domain's personalData declarations (docs/lifecycle.md) are checked when it loads, each
// message naming the event type and the entry at fault.

const decider = {
  category: 'account',
  streamId: () => 'a1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: { Open: () => [] },
};

const withEvents = (events: unknown) => ({ deciders: { account: decider }, events });

function problemWith(events: unknown): string {
  try {
    validateDomain(withEvents(events), 'eventlite.config.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('the domain was accepted');
}

describe('personalData in a domain', () => {
  it('accepts a subject and fields, paths included, beside other declarations', () => {
    const events = {
      Opened: { personalData: { subject: 'accountId', fields: ['owner', 'address.street'] } },
      Closed: {},
    };
    expect(validateDomain(withEvents(events), 'eventlite.config.ts').events).toBe(events);
  });

  it.each([
    [
      'not an object',
      [],
      'events must be an object of { EventType: { schema?, version?, upcast? } }, got an array',
    ],
    ['an entry that is no object', { Opened: 3 }, 'events.Opened must be an object, got number 3'],
    [
      'personalData that is no object',
      { Opened: { personalData: 'owner' } },
      `events.Opened.personalData must be { subject: 'field', fields: ['field', …] }, got string "owner"`,
    ],
    [
      'no subject',
      { Opened: { personalData: { fields: ['owner'] } } },
      'events.Opened.personalData.subject must name the field that names the person, got nothing',
    ],
    [
      'no fields',
      { Opened: { personalData: { subject: 'id', fields: [] } } },
      'events.Opened.personalData.fields must name at least one field',
    ],
    [
      'a bad path',
      { Opened: { personalData: { subject: 'id', fields: ['address..street'] } } },
      'events.Opened.personalData.fields[0] must name a field like owner or address.street, got "address..street"',
    ],
    [
      'the subject as a field',
      { Opened: { personalData: { subject: 'id', fields: ['owner', 'id'] } } },
      'events.Opened.personalData.fields[1] is the subject field "id": the subject stays readable, so it cannot be sealed',
    ],
    [
      'a field twice',
      { Opened: { personalData: { subject: 'id', fields: ['owner', 'owner'] } } },
      'events.Opened.personalData.fields names "owner" twice',
    ],
  ])('refuses %s', (_case, events, message) => {
    expect(problemWith(events)).toBe(`eventlite.config.ts: ${message}`);
  });

  it('refuses an onLifecycle that is no function', () => {
    const projection = { name: 'p', version: 1, setup: [], on: {}, onLifecycle: 'drop' };
    expect(() =>
      validateDomain({ deciders: { account: decider }, projections: [projection] }, 'm.ts'),
    ).toThrow('m.ts: projection "p": onLifecycle must be a function, got string "drop"');
  });
});

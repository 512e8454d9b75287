import { describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { DomainError } from '../../src/core/errors.js';
import {
  eventReadingOf,
  eventReadingOfProjection,
  readProblem,
  type EventReading,
} from '../../src/core/event-reading.js';
import type { EventDeclarations } from '../../src/core/event-types.js';
import type { JsonObject, RecordedEvent } from '../../src/core/events.js';
import type { Projection } from '../../src/core/projection.js';
import { eventJsonLine, LeanPage, StoredEvent } from '../../src/core/recorded-event.js';
import { UpcastEvent } from '../../src/core/upcast-event.js';

// How stored events read as today's: renames, then one upcast step per version.

const stored = (type: string, data: JsonObject, schemaVersion = 1, position = 1) =>
  new StoredEvent(
    position,
    'account-a1',
    position,
    type,
    `00000000-0000-7000-8000-${String(position).padStart(12, '0')}`,
    JSON.stringify(data),
    '{"command":"Deposit"}',
    '2026-01-01T00:00:00.000Z',
    schemaVersion,
  );

const summary: Projection = {
  name: 'summary',
  version: 1,
  setup: [],
  on: { MoneyDeposited: () => [] },
};

function readingOf(events: EventDeclarations): EventReading {
  const reading = eventReadingOf({ deciders: {}, events, projections: [summary] } as Domain);
  if (reading === undefined) throw new Error('expected a reading');
  return reading;
}

const steps: EventDeclarations = {
  MoneyDeposited: {
    version: 3,
    upcast: {
      1: (data) => ({ ...data, currency: 'EUR' }),
      2: (data) => ({ ...data, cents: Math.round((data.amount as number) * 100) }),
    },
  },
  Credited: { renamedTo: 'MoneyDeposited' },
  Deposited: { renamedTo: 'Credited' },
  AccountOpened: {},
};

describe('EventReading', () => {
  it('is there only when a declaration renames a type or versions one past 1', () => {
    expect(eventReadingOf({ deciders: {} })).toBeUndefined();
    expect(eventReadingOf({ deciders: {}, events: { A: {}, B: { version: 1 } } })).toBeUndefined();
    expect(eventReadingOf({ deciders: {}, events: { A: { version: 2 } } })).toBeDefined();
    expect(
      eventReadingOf({ deciders: {}, events: { A: {}, B: { renamedTo: 'A' } } }),
    ).toBeDefined();
  });

  it('upcasts one step at a time, and gives an event of today back as it is', () => {
    const reading = readingOf(steps);
    const old = stored('MoneyDeposited', { amount: 1.5 });
    const read = reading.upcast(old);
    expect(read).toBeInstanceOf(UpcastEvent);
    expect(JSON.parse(JSON.stringify(read))).toEqual({
      position: 1,
      stream: 'account-a1',
      version: 1,
      type: 'MoneyDeposited',
      schemaVersion: 3,
      id: old.id,
      data: { amount: 1.5, currency: 'EUR', cents: 150 },
      metadata: { command: 'Deposit' },
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    const middle = reading.upcast(stored('MoneyDeposited', { amount: 2, currency: 'CHF' }, 2));
    expect(middle.data).toEqual({ amount: 2, currency: 'CHF', cents: 200 });
    const today = stored('MoneyDeposited', { amount: 3 }, 3);
    expect(reading.upcast(today)).toBe(today);
    const opened = stored('AccountOpened', {});
    expect(reading.upcast(opened)).toBe(opened);
    const other = stored('SomethingElse', {});
    expect(reading.upcast(other)).toBe(other);
  });

  it('reads an old name through its chain of renames, keeping its version', () => {
    const reading = readingOf(steps);
    const read = reading.upcast(stored('Deposited', { amount: 1 }));
    expect([read.type, read.schemaVersion, read.data]).toEqual([
      'MoneyDeposited',
      3,
      { amount: 1, currency: 'EUR', cents: 100 },
    ]);
    expect(reading.currentName('Deposited')).toBe('MoneyDeposited');
    expect(reading.storedNames(['MoneyDeposited'])).toEqual([
      'MoneyDeposited',
      'Credited',
      'Deposited',
    ]);
    expect(reading.storedNames(['AccountOpened'])).toEqual(['AccountOpened']);
  });

  it('hands each upcaster the event as stored too', () => {
    const seen: RecordedEvent[] = [];
    const reading = readingOf({
      T: { version: 2, upcast: { 1: (data, event) => (seen.push(event), { ...data }) } },
    });
    const event = stored('T', { n: 1 });
    reading.upcast(event);
    expect(seen).toEqual([event]);
  });

  it('names the event it cannot read, and why', () => {
    const reading = readingOf({ T: { version: 3, upcast: { 1: (data) => data } } });
    const message = (event: RecordedEvent) => {
      try {
        reading.upcast(event);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as Error).message;
      }
      throw new Error('it read');
    };
    expect(message(stored('T', {}, 1, 7))).toBe(
      'T version 1 (account-a1 version 7, position 7) cannot be read: T declares version 3 and no upcast[2]',
    );
    expect(message(stored('T', {}, 4))).toBe(
      'T version 4 (account-a1 version 1, position 1) is newer than the version 3 this domain declares: was it written by a newer edition of the domain?',
    );
  });

  it("reports an upcaster's failure as the domain's, naming the step and the event", () => {
    const failing = (step: (data: JsonObject) => unknown) => {
      const reading = readingOf({ T: { version: 2, upcast: { 1: step as never } } });
      try {
        reading.upcast(stored('T', { n: 1 }, 1, 5));
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as Error).message;
      }
      throw new Error('it read');
    };
    expect(
      failing(() => {
        throw new TypeError('boom');
      }),
    ).toBe('events.T.upcast[1]() threw TypeError on account-a1 version 5, position 5: boom');
    expect(failing(async (data) => data)).toBe(
      'events.T.upcast[1]() returned a Promise: upcasters must be synchronous',
    );
    expect(failing(() => [1])).toBe(
      'events.T.upcast[1]() must return the data as an object, got [1] (on account-a1 version 5, position 5)',
    );
    expect(failing(() => undefined)).toMatch(/must return the data as an object, got nothing/);
  });

  it('keeps a lean event lean: its stream, id and metadata are fetched only when read', () => {
    let fetches = 0;
    const page = new LeanPage(() => {
      fetches += 1;
      return [[1, 'account-a1', '00000000-0000-7000-8000-000000000001', '{"m":1}']];
    });
    page.add(1, 1, 'Deposited', '{"amount":2}', '2026-01-01T00:00:00.000Z', 1);
    const read = readingOf(steps).upcast(page.events[0]!);
    expect([read.type, read.data.cents, read.position, read.recordedAt, fetches]).toEqual([
      'MoneyDeposited',
      200,
      1,
      '2026-01-01T00:00:00.000Z',
      0,
    ]);
    expect([read.stream, read.metadata, fetches]).toEqual(['account-a1', { m: 1 }, 1]);
  });

  it('prints an upcast event in the contract shape, its metadata as stored', () => {
    const read = readingOf(steps).upcast(stored('MoneyDeposited', { amount: 1 }, 2));
    expect(eventJsonLine(read)).toBe(
      '{"position":1,"stream":"account-a1","version":1,"type":"MoneyDeposited","schemaVersion":3,' +
        '"id":"00000000-0000-7000-8000-000000000001","data":{"amount":1,"cents":100},' +
        '"metadata":{"command":"Deposit"},"recordedAt":"2026-01-01T00:00:00.000Z"}',
    );
    expect(JSON.stringify(read)).toBe(eventJsonLine(read));
    const plain = stored('AccountOpened', {});
    expect(eventJsonLine(plain)).not.toContain('schemaVersion');
  });

  it('fingerprints what reading a set of types takes, and nothing for the rest', () => {
    const reading = readingOf(steps);
    expect(reading.fingerprint(['AccountOpened'])).toBeUndefined();
    const text = reading.fingerprint(['MoneyDeposited'])!;
    expect(text).toContain('Deposited→MoneyDeposited');
    expect(text).toContain('MoneyDeposited@3');
    expect(text).toMatch(/currency: .EUR./);
    const edited = readingOf({
      ...steps,
      MoneyDeposited: {
        ...steps.MoneyDeposited,
        upcast: { ...steps.MoneyDeposited!.upcast, 1: (data) => ({ ...data, currency: 'USD' }) },
      },
    });
    expect(edited.fingerprint(['MoneyDeposited'])).not.toBe(text);
    expect(edited.fingerprint(['AccountOpened'])).toBeUndefined();
  });

  it("registers the domain's projections, so that the runner reads as the domain does", () => {
    const reading = readingOf(steps);
    expect(eventReadingOfProjection(summary)).toBe(reading);
    const loose: Projection = { ...summary };
    expect(eventReadingOfProjection(loose)).toBeUndefined();
  });
});

describe('readProblem', () => {
  it('finds a path from each stored version to today, or says what is missing', () => {
    const declared: EventDeclarations = {
      T: { version: 3, upcast: { 2: (data) => data } },
      Old: { renamedTo: 'T' },
    };
    expect(readProblem(declared, 'T', 3)).toBeUndefined();
    expect(readProblem(declared, 'T', 2)).toBeUndefined();
    expect(readProblem(declared, 'T', 1)).toBe('no path to T version 3: there is no upcast[1]');
    expect(readProblem(declared, 'Old', 1)).toBe('no path to T version 3: there is no upcast[1]');
    expect(readProblem(declared, 'T', 4)).toBe('newer than the version 3 that T declares');
    expect(readProblem(declared, 'Unknown', 1)).toBeUndefined();
  });
});

// eventlite/testing: given/when/then for a domain's deciders, in any test runner. A failed
// expectation throws a plain Error subclass, so vitest, node:test, jest or mocha all report it
// without this module importing any of them.
//
//   given(domain, [{ type: 'AccountOpened', data: { accountId: 'a1', owner: 'Ada' } }])
//     .when({ type: 'Withdraw', data: { accountId: 'a1', amount: 80 } })
//     .thenRejected('InsufficientFunds');
//
// The checks are those of `eventlite test`: the same code runs a spec file's command case.
import type { Command } from './core/decider.js';
import type { Domain } from './core/domain.js';
import type { CommandTypeOf, EventTypeOf } from './core/domain-types.js';
import type { JsonObject } from './core/events.js';
import { runProjectionCase } from './app/specs/projection-case.js';
import { runCommandCase, runReadingCase } from './app/specs/run-specs.js';
import type { CommandExpectation, ExpectedEvent, GivenEvent } from './app/specs/spec-case.js';
import { validateDomain } from './domain/validate.js';

export type { ExpectedEvent, GivenEvent };

/** A given/when/then expectation that did not hold; the message says what happened instead. */
export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

export interface WhenCommand<EventType extends string = string> {
  /**
   * The command decides these events: same number, order and types; each expected `data` is
   * a subset of the decided event's data, as in spec files.
   */
  thenEvents(expected: readonly ExpectedEvent<EventType>[]): void;
  /** The command is rejected; with `reason`, one whose reason is it or whose message holds it. */
  thenRejected(reason?: string): void;
  /** The command's data is malformed (`invalidData()`); with `text`, a message that holds it. */
  thenInvalid(text?: string): void;
}

export interface GivenHistory<
  CommandType extends string = string,
  EventType extends string = string,
> {
  /** With a typed domain, only its command types are taken (a typo is a compile error). */
  when(command: Command<CommandType, JsonObject>): WhenCommand<EventType>;
}

/**
 * Starts an expectation: `events` happened (in the command's stream, unless one names its
 * `stream`), then `when(command)` is decided by the domain's decider for it, with no store.
 * Events are given as stored: an old type name or data shape with its `schemaVersion` is read
 * as the domain reads it today. The domain is checked as `eventlite` checks a loaded module,
 * so a malformed one fails here. With a typed domain, only its event and command types are
 * taken.
 */
export function given<D extends Domain>(
  domain: D,
  events: readonly GivenEvent<EventTypeOf<D>>[] = [],
): GivenEvents<CommandTypeOf<D>, EventTypeOf<D>> {
  const checked = validateDomain(domain, 'given(domain)');
  const history = () => {
    const count = events.length;
    return count === 0 ? 'no events' : `${count} event${count === 1 ? '' : 's'}`;
  };
  return {
    thenReadAs(expected) {
      const outcome = runReadingCase(checked, {
        kind: 'reading',
        file: '',
        line: 0,
        name: '',
        given: [...events],
        readAs: [...expected],
      });
      if (!outcome.passed) {
        throw new ExpectationError(`given ${history()}, read as: ${outcome.message ?? 'failed'}`);
      }
    },
    async thenRows(query, rows) {
      const { query: sql, params = {} } = typeof query === 'string' ? { query } : query;
      const outcome = await runProjectionCase(checked, {
        kind: 'projection',
        file: '',
        line: 0,
        name: '',
        given: [...events],
        query: sql,
        params,
        rows: [...rows],
      });
      if (!outcome.passed) {
        throw new ExpectationError(
          `given ${history()}, then ${sql}: ${outcome.message ?? 'failed'}`,
        );
      }
    },
    when(command) {
      const expect = (then: CommandExpectation): void => {
        const outcome = runCommandCase(checked, {
          kind: 'command',
          file: '',
          line: 0,
          name: '',
          given: [...events],
          when: command,
          then,
        });
        if (!outcome.passed) {
          throw new ExpectationError(
            `given ${history()}, when ${command.type}: ${outcome.message ?? 'failed'}`,
          );
        }
      };
      return {
        thenEvents: (expected) => expect({ events: [...expected] }),
        thenRejected: (reason) => expect({ rejected: reason ?? true }),
        thenInvalid: (text) => expect({ invalid: text ?? true }),
      };
    },
  };
}

/** What `thenRows` compares: the rows a query returns, in order, each a subset of its columns. */
export interface RowsExpectation {
  query: string;
  params?: Record<string, string | number>;
}

export interface GivenEvents<
  CommandType extends string = string,
  EventType extends string = string,
> extends GivenHistory<CommandType, EventType> {
  /**
   * The given events, stored as written, read as these: one per given event, in order, each
   * of this type today with its data a subset of the upcast data.
   */
  thenReadAs(expected: readonly ExpectedEvent<EventType>[]): void;
  /**
   * The domain's projections, run over the given events with the real runner on scratch
   * stores, make `query` return `rows`: same number and order, each expected row a subset of
   * the returned columns. Given events with no `stream` go to the stream `spec`.
   */
  thenRows(query: string | RowsExpectation, rows: readonly JsonObject[]): Promise<void>;
}

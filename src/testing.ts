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
import type { JsonObject } from './core/events.js';
import { runCommandCase } from './domain/specs/run-specs.js';
import type { CommandExpectation, ExpectedEvent, GivenEvent } from './domain/specs/spec-case.js';
import { validateDomain } from './domain/validate.js';

export type { ExpectedEvent, GivenEvent };

/** A given/when/then expectation that did not hold; the message says what happened instead. */
export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

export interface WhenCommand {
  /**
   * The command decides these events: same number, order and types; each expected `data` is
   * a subset of the decided event's data, as in spec files.
   */
  thenEvents(expected: readonly ExpectedEvent[]): void;
  /** The command is rejected; with `reason`, one whose reason is it or whose message holds it. */
  thenRejected(reason?: string): void;
  /** The command's data is malformed (`invalidData()`); with `text`, a message that holds it. */
  thenInvalid(text?: string): void;
}

export interface GivenHistory {
  when(command: Command<string, JsonObject>): WhenCommand;
}

/**
 * Starts an expectation: `events` happened (in the command's stream, unless one names its
 * `stream`), then `when(command)` is decided by the domain's decider for it, with no store.
 * The domain is checked as `eventlite` checks a loaded module, so a malformed one fails here.
 */
export function given(domain: Domain, events: readonly GivenEvent[] = []): GivenHistory {
  const checked = validateDomain(domain, 'given(domain)');
  return {
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
          const count = events.length;
          const history = count === 0 ? 'no events' : `${count} event${count === 1 ? '' : 's'}`;
          throw new ExpectationError(
            `given ${history}, when ${command.type}: ${outcome.message ?? 'failed'}`,
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

// ---------------------------------------------------------------------------------------------
// Projection helpers go here (left to the main session): given events, then a query's rows,
// running the domain's projections the way `eventlite test` runs a projection case
// (src/projections/spec-runner.ts), so both stay one piece of code.
// ---------------------------------------------------------------------------------------------

import { describe, expect, it } from 'vitest';
import { defineDomain, reject } from '../../src/core/domain.js';
import { DomainRejection } from '../../src/core/errors.js';
import { runCommandCase } from '../../src/app/specs/run-specs.js';

/** The rejection a call throws, as `exec` and the JSON error see it. */
function rejection(call: () => never): { message: string; reason: string | undefined } {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainRejection);
    const { message, reason } = error as DomainRejection;
    return { message, reason };
  }
  throw new Error('reject() returned');
}

describe('reject(reason, message?)', () => {
  it('takes the reason first; the message `exec` prints names it', () => {
    expect(rejection(() => reject('InsufficientFunds', 'account a1 holds 5'))).toEqual({
      message: 'InsufficientFunds: account a1 holds 5',
      reason: 'InsufficientFunds',
    });
  });

  it('takes a reason alone', () => {
    expect(rejection(() => reject('InsufficientFunds'))).toEqual({
      message: 'InsufficientFunds',
      reason: 'InsufficientFunds',
    });
  });

  it.each(['insufficient_funds', 'INSUFFICIENT_FUNDS', 'order.cancelled', 'out-of-stock', '_x1'])(
    'reads %j as a reason',
    (reason) => {
      expect(rejection(() => reject(reason, 'no'))).toEqual({ message: `${reason}: no`, reason });
    },
  );
});

describe('reject() given text for people where the reason goes', () => {
  it.each(['account a1 holds 5', 'not today', 'Closed.', 'closed!', '-closed', '', 'á'])(
    'throws a TypeError, not a rejection, for %j',
    (text) => {
      expect(() => reject(text, 'InsufficientFunds')).toThrow(
        new TypeError(
          `reject() takes a reason first, a name such as InsufficientFunds, got ${JSON.stringify(text)}; the text for people goes second: reject('Reason', 'what happened')`,
        ),
      );
    },
  );
});

describe('specs match a rejection by its reason or its message', () => {
  const domain = defineDomain({
    deciders: {
      door: {
        category: 'door',
        streamId: () => 'd1',
        initialState: () => null,
        evolve: (state: unknown) => state,
        decide: {
          Open: () => reject('Locked', 'the door d1 is locked'),
          Knock: () => reject('NobodyHome', 'nobody is home'),
        },
      },
    },
  });
  const outcome = (command: string, rejected: string) =>
    runCommandCase(domain, {
      kind: 'command',
      file: 'door.spec.yaml',
      line: 1,
      name: command,
      given: [],
      when: { type: command, data: {} },
      then: { rejected },
    });

  it.each([
    ['Open', 'Locked'],
    ['Open', 'is locked'],
    ['Knock', 'NobodyHome'],
    ['Knock', 'nobody is home'],
  ])('%s is rejected with %j', (command, text) => {
    expect(outcome(command, text)).toEqual({ passed: true });
  });

  it('names what came instead when the text does not match', () => {
    expect(outcome('Open', 'Jammed')).toEqual({
      passed: false,
      message: 'expected reason Jammed, but the command rejected: Locked: the door d1 is locked',
    });
  });
});

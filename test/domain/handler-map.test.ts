import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineDecider, defineDomain, reject } from '../../src/core/domain.js';
import { DomainError, DomainRejection } from '../../src/core/errors.js';
import { decideCommand, foldEvents, streamOfCommand } from '../../src/domain/decide.js';
import { loadDomain } from '../../src/app/load-domain.js';
import { commandTypes, deciderForCommand, deciderForStream } from '../../src/domain/lookup.js';
import { recordGiven } from '../../src/app/specs/run-specs.js';
import { tempDir } from '../helpers/cli.js';

type BookCommand =
  | { type: 'Lend'; data: { bookId: string; to: string } }
  | { type: 'Return'; data: { bookId: string } };
type BookEvent =
  | { type: 'Lent'; data: { bookId: string; to: string } }
  | { type: 'Returned'; data: { bookId: string } };

const book = defineDecider<{ lentTo: string | null }, BookCommand, BookEvent>({
  category: 'book',
  streamId: (command) => command.data.bookId,
  initialState: () => ({ lentTo: null }),
  evolve: (state, event) => ({ lentTo: event.type === 'Lent' ? event.data.to : null }),
  decide: {
    Lend: (command, state) => {
      if (state.lentTo !== null) reject('AlreadyLent', `book ${command.data.bookId} is out`);
      return [{ type: 'Lent', data: { bookId: command.data.bookId, to: command.data.to } }];
    },
    Return: (command) => [{ type: 'Returned', data: { bookId: command.data.bookId } }],
  },
});

// Built in code and never validated, as a library user or a test would.
const library = defineDomain({ deciders: { book } });

function decide(type: string, data: Record<string, unknown>, given: string[] = []) {
  const command = { type, data };
  const named = deciderForCommand(library, type);
  const stream = streamOfCommand(named, command);
  const history = recordGiven(
    given.map((event) => ({ type: event, data: { bookId: 'b1', to: 'Ada' } })),
    stream,
  );
  return decideCommand(named, command, foldEvents(named, history));
}

describe('a decider written as a map of handlers', () => {
  it('handles the commands its map names, and owns its category', () => {
    expect(commandTypes(library)).toEqual(['Lend', 'Return']);
    expect(deciderForCommand(library, 'Return').name).toBe('book');
    expect(deciderForStream(library, 'book-b1').decider.category).toBe('book');
    expect(() => deciderForCommand(library, 'Burn')).toThrow(
      'unknown command "Burn"; the domain handles Lend, Return',
    );
  });

  it("calls the command's own handler with the folded state", () => {
    expect(decide('Lend', { bookId: 'b1', to: 'Bob' })).toEqual([
      { type: 'Lent', data: { bookId: 'b1', to: 'Bob' } },
    ]);
    expect(decide('Return', { bookId: 'b1' }, ['Lent'])).toEqual([
      { type: 'Returned', data: { bookId: 'b1' } },
    ]);
    expect(() => decide('Lend', { bookId: 'b1', to: 'Bob' }, ['Lent'])).toThrow(
      new DomainRejection('AlreadyLent: book b1 is out', 'AlreadyLent'),
    );
  });

  it('names the handler when it fails: decide.Lend()', () => {
    const broken = defineDomain({
      deciders: {
        book: {
          ...book,
          decide: {
            ...book.decide,
            Lend: () => {
              throw new TypeError('no shelf');
            },
          },
        },
      },
    });
    const named = deciderForCommand(broken, 'Lend');
    const lend = () => decideCommand(named, { type: 'Lend', data: { bookId: 'b1' } }, {});
    expect(lend).toThrow(DomainError);
    expect(lend).toThrow('command "Lend": decider "book" decide.Lend() threw TypeError: no shelf');
  });

  it('calls a handler as a method of its map, as `decide.Lend(command, state)` would', () => {
    const handlers = {
      Return: () => [{ type: 'Returned', data: {} }],
      Lend(this: { Return: () => unknown[] }) {
        return this.Return();
      },
    };
    const domain = defineDomain({
      deciders: {
        book: {
          category: 'book',
          streamId: () => 'b1',
          initialState: () => null,
          evolve: (state: unknown) => state,
          decide: handlers,
        },
      },
    });
    const named = deciderForCommand(domain, 'Lend');
    expect(decideCommand(named, { type: 'Lend', data: {} }, null)).toEqual([
      { type: 'Returned', data: {} },
    ]);
  });
});

describe('modules on disk', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir();
  });
  afterEach(() => folder.cleanup());

  const load = async (source: string) => {
    writeFileSync(join(folder.dir, 'domain.ts'), source);
    return loadDomain('domain.ts', folder.dir);
  };
  const run = (domain: Awaited<ReturnType<typeof load>>, type: string) => {
    const named = deciderForCommand(domain, type);
    return decideCommand(named, { type, data: { id: 'x' } }, null);
  };
  const rejectionOf = (call: () => unknown): { message: string; reason: unknown } => {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainRejection);
      const { message, reason } = error as DomainRejection;
      return { message, reason };
    }
    throw new Error('no rejection');
  };

  it('loads a module whose deciders use handler maps and reject(reason, message)', async () => {
    const domain = await load(`import { defineDomain, reject } from 'eventlite';
export default defineDomain({
  deciders: {
    gadget: {
      category: 'gadget',
      streamId: (command) => command.data.id,
      initialState: () => null,
      evolve: (state) => state,
      decide: {
        Poke: () => [{ type: 'Poked', data: {} }],
        Refuse: () => reject('Broken', 'gadget is broken'),
      },
    },
  },
});
`);
    expect(commandTypes(domain)).toEqual(['Poke', 'Refuse']);
    expect(run(domain, 'Poke')).toEqual([{ type: 'Poked', data: {} }]);
    expect(rejectionOf(() => run(domain, 'Refuse'))).toEqual({
      message: 'Broken: gadget is broken',
      reason: 'Broken',
    });
  });

  it('refuses a decide() function beside a commands list, pointing to the map', async () => {
    await expect(
      load(`export default { deciders: { gadget: {
  category: 'gadget', commands: ['Poke'], streamId: () => 'x', initialState: () => null,
  evolve: (s) => s, decide: () => [],
} } };
`),
    ).rejects.toThrow(
      'domain.ts: decider "gadget": decide must be a map of handlers by command type (decide: { Deposit: (command, state) => [...] }), got a function',
    );
  });

  it('reports reject() with text for people first as a failure of the handler (exit 1)', async () => {
    const domain = await load(`import { defineDomain, reject } from 'eventlite';
export default defineDomain({ deciders: { gadget: {
  category: 'gadget', streamId: (command) => command.data.id, initialState: () => null,
  evolve: (state) => state, decide: { Refuse: () => reject('gadget is broken', 'Broken') },
} } });
`);
    const refuse = () => run(domain, 'Refuse');
    expect(refuse).toThrow(DomainError);
    expect(refuse).toThrow(
      `command "Refuse": decider "gadget" decide.Refuse() threw TypeError: reject() takes a reason first, a name such as InsufficientFunds, got "gadget is broken"; the text for people goes second: reject('Reason', 'what happened')`,
    );
  });

  it('refuses a handler that is not a function, naming the file, decider and command', async () => {
    await expect(
      load(`export default { deciders: { gadget: {
  category: 'gadget', streamId: () => 'x', initialState: () => null, evolve: (s) => s,
  decide: { Poke: 'soon' },
} } };
`),
    ).rejects.toThrow(
      'domain.ts: decider "gadget": decide.Poke must be a function, got string "soon"',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { commandForms } from '../../src/ui/command-forms.js';
import { describedSchema, numbersSchema } from '../helpers/standard-schema.js';

// What the command box starts from: the schema's template, else the scenario's example, else {}.

const depositJson = {
  type: 'object',
  properties: { note: { type: 'string' }, amount: { type: 'number' } },
  required: ['amount'],
};
const examples = new Map([
  ['Deposit', { amount: 5, from: 'scenario' }],
  ['Withdraw', { amount: 3 }],
  ['Close', { reason: 'done' }],
  ['Rename', { name: 'n' }],
]);

describe('commandForms', () => {
  it('takes the template of a schema that describes itself, over a scenario line', () => {
    const [deposit] = commandForms(
      ['Deposit'],
      { Deposit: { schema: describedSchema(() => depositJson) } },
      examples,
    );
    expect(deposit).toEqual({
      name: 'Deposit',
      example: { amount: 0, note: '' },
      from: 'schema',
      jsonSchema: depositJson,
      required: ['amount'],
    });
  });

  it('keeps the scenario line, else {}, when the schema cannot describe an object', () => {
    const forms = commandForms(
      ['Withdraw', 'Close', 'Rename', 'Open'],
      {
        Withdraw: { schema: numbersSchema('amount') },
        Close: {
          schema: describedSchema(() => {
            throw new Error('not representable');
          }),
        },
        Rename: { schema: describedSchema(() => ({ type: 'string' })) },
      },
      examples,
    );
    expect(forms).toEqual([
      {
        name: 'Withdraw',
        example: { amount: 3 },
        from: 'scenario',
        jsonSchema: null,
        required: [],
      },
      {
        name: 'Close',
        example: { reason: 'done' },
        from: 'scenario',
        jsonSchema: null,
        required: [],
      },
      {
        name: 'Rename',
        example: { name: 'n' },
        from: 'scenario',
        jsonSchema: { type: 'string' },
        required: [],
      },
      { name: 'Open', example: {}, from: 'none', jsonSchema: null, required: [] },
    ]);
  });
});

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The bank example with command schemas, for the page's command box: OpenAccount's schema
// implements Standard JSON Schema as well as validate (hand-written, as zod 4.2+, arktype and
// valibot's toStandardJsonSchema() give one), Deposit's has validate alone, and Withdraw's
// jsonSchema throws. Written over a folder that holds the bank example (`init --example bank`).

/** What OpenAccount's schema says of its input: owner listed first, both required. */
export const OPEN_ACCOUNT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    owner: { type: 'string', default: 'Grace Hopper' },
    accountId: { type: 'string', examples: ['acc-7'] },
    note: { type: 'string' },
  },
  required: ['accountId', 'owner'],
};

/** The command box's data for OpenAccount: required fields first, each as the schema suggests. */
export const OPEN_ACCOUNT_TEMPLATE = { accountId: 'acc-7', owner: 'Grace Hopper', note: '' };

export function describeBankCommands(dir: string): void {
  renameSync(join(dir, 'eventlite.config.ts'), join(dir, 'bank.ts'));
  writeFileSync(
    join(dir, 'eventlite.config.ts'),
    `import { defineDomain } from 'eventlite';
import bank from './bank.js';

const text = (value: unknown) => typeof value === 'string' && value.trim() !== '';

const openAccount = {
  '~standard': {
    version: 1 as const,
    vendor: 'eventlite-tests',
    validate(value: any) {
      const issues = ['accountId', 'owner']
        .filter((field) => !text(value?.[field]))
        .map((field) => ({ message: 'expected a non-empty text', path: [field] }));
      return issues.length > 0 ? { issues } : { value };
    },
    jsonSchema: {
      input: () => (${JSON.stringify(OPEN_ACCOUNT_JSON_SCHEMA)}),
      output: () => (${JSON.stringify(OPEN_ACCOUNT_JSON_SCHEMA)}),
    },
  },
};

const deposit = {
  '~standard': { version: 1 as const, vendor: 'eventlite-tests', validate: (value: unknown) => ({ value }) },
};

const withdraw = {
  '~standard': {
    ...deposit['~standard'],
    jsonSchema: {
      input: () => {
        throw new Error('Withdraw cannot be written as JSON Schema');
      },
      output: () => ({}),
    },
  },
};

export default defineDomain({
  ...bank,
  commands: {
    OpenAccount: { schema: openAccount },
    Deposit: { schema: deposit },
    Withdraw: { schema: withdraw },
  },
});
`,
  );
}

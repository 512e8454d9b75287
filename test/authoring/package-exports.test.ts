import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// Through the package's own `exports`, as a user's test file imports it (needs `npm run build`).
const SCRIPT = `
import { ExpectationError, given } from 'eventlite/testing';
import { defineDomain, reject } from 'eventlite';
const domain = defineDomain({
  deciders: {
    door: {
      category: 'door',
      streamId: () => 'd1',
      initialState: () => null,
      evolve: (state) => state,
      decide: { Open: () => reject('Locked', 'door d1 is locked') },
    },
  },
});
given(domain).when({ type: 'Open', data: {} }).thenRejected('Locked');
try {
  given(domain).when({ type: 'Open', data: {} }).thenEvents([]);
} catch (error) {
  console.log(error instanceof ExpectationError, error.message);
}
`;

describe('eventlite/testing', () => {
  it('is a subpath export of the built package', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(output).toBe(
      'true given no events, when Open: expected no events, but the command rejected: Locked: door d1 is locked\n',
    );
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A domain with three projections over `Tick {n}` events, for the run/failure tests: `alpha`
 * throws on the tick given as `failOn`, `beta` always works, `gamma`'s setup has a syntax error
 * unless `gammaFixed`.
 */
export function writeTickDomain(
  dir: string,
  options: { failOn?: number; gammaFixed?: boolean } = {},
): void {
  const fail =
    options.failOn === undefined
      ? ''
      : `if (e.data.n === ${options.failOn}) throw new Error('cannot project ${options.failOn}');`;
  const gammaSetup = options.gammaFixed
    ? 'CREATE TABLE gamma_rows (a INTEGER, b INTEGER)'
    : 'CREATE TABLE gamma_rows (a,, b)';
  const table = (name: string) => ({
    setup: [`CREATE TABLE ${name} (n INTEGER NOT NULL)`],
    insert: `INSERT INTO ${name} (n) VALUES (?)`,
  });
  const alpha = table('alpha_rows');
  const beta = table('beta_rows');
  writeFileSync(
    join(dir, 'domain.mjs'),
    `
const ticker = {
  category: 'ticks',
  streamId: () => 'all',
  initialState: () => ({}),
  evolve: (state) => state,
  decide: { Tick: () => [] },
};
export default {
  deciders: { ticker },
  projections: [
    { name: 'alpha', version: 1, setup: ${JSON.stringify(alpha.setup)},
      on: { Tick: (e) => { ${fail} return [{ sql: ${JSON.stringify(alpha.insert)}, params: [e.data.n] }]; } } },
    { name: 'beta', version: 1, setup: ${JSON.stringify(beta.setup)},
      on: { Tick: (e) => [{ sql: ${JSON.stringify(beta.insert)}, params: [e.data.n] }] } },
    { name: 'gamma', version: 1, setup: [${JSON.stringify(gammaSetup)}],
      on: { Tick: (e) => [{ sql: 'INSERT INTO gamma_rows (a, b) VALUES (?, ?)', params: [e.data.n, e.data.n] }] } },
  ],
};
`,
  );
}

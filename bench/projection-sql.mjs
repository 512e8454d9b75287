// The bank example's `account_summary` projection as plain SQL, for the raw baseline: copied
// verbatim from fixtures/bank/eventlite.config.ts, and checked against that file on every run
// (checkBankSql) so the baseline cannot drift from the projection it is compared with.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';

export const BANK_CONFIG = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');

export const BANK_SETUP = `CREATE TABLE account_summary (
       account_id TEXT PRIMARY KEY,
       owner TEXT NOT NULL,
       balance DOUBLE PRECISION NOT NULL,
       last_updated TEXT NOT NULL
     )`;
export const OPENED_SQL = `INSERT INTO account_summary (account_id, owner, balance, last_updated)
            VALUES (:accountId, :owner, 0, :at)`;
export const BALANCE_SQL = `UPDATE account_summary SET balance = :balance, last_updated = :at
          WHERE account_id = :accountId`;

/** Throws when the bank example no longer holds these statements word for word. */
export function checkBankSql() {
  const source = readFileSync(BANK_CONFIG, 'utf8');
  for (const sql of [BANK_SETUP, OPENED_SQL, BALANCE_SQL]) {
    if (!source.includes(sql)) {
      throw new Error(
        `${BANK_CONFIG} no longer contains this SQL; update bench/projection-sql.mjs:\n${sql}`,
      );
    }
  }
}

/** A digest of the whole account_summary table, to check ours and raw built the same rows. */
export function summaryChecksum(db) {
  const hash = createHash('sha256');
  let accounts = 0;
  const rows = db
    .prepare('SELECT account_id, owner, balance, last_updated FROM account_summary ORDER BY 1')
    .raw()
    .iterate();
  for (const row of rows) {
    hash.update(JSON.stringify(row));
    accounts += 1;
  }
  return { accounts, sha256: hash.digest('hex').slice(0, 16) };
}

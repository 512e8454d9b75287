import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPEND_FUNCTION } from '../../src/store/postgres/append-function.js';
import { PG_STORE_SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { STORE_SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import {
  checkpointAt,
  defaultReadDb,
  isPgUrl,
  prepareStoreOn,
  readFingerprint,
  readModelAt,
  runOn,
  shown,
  storeFingerprint,
  withPg,
} from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { bankLog } from '../projections/fixtures.js';
import { triangle } from '../projections/harness.js';

// A read database is a fold of ONE store's log. Given to another store (the same --read-db for
// two stores, or a store replaced while its read database stayed), it must not be caught up
// from the other log: every command that runs or reports projections refuses it, with exit 1
// and one line that says how to go on, and `projections rebuild` makes it the new store's.

const HINT = '; "eventlite projections rebuild" rebuilds them from this store';

/** The read models as messages name them: on PostgreSQL, with their schema. */
const shownRead = (readDb: string) =>
  isPgUrl(readDb) ? `${shown(readDb)} (schema eventlite_read)` : shown(readDb);

async function storeIdOf(db: string, dir: string): Promise<string> {
  if (isPgUrl(db)) {
    return withPg(db, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        'SELECT store_id AS id FROM eventlite.meta',
      );
      return rows[0]!.id;
    });
  }
  const raw = new Database(join(dir, db), { readonly: true });
  try {
    return raw
      .prepare(`SELECT value FROM eventlite_store WHERE key = 'store_id'`)
      .pluck()
      .get() as string;
  } finally {
    raw.close();
  }
}

async function setStoreId(db: string, dir: string, id: string): Promise<void> {
  if (isPgUrl(db)) {
    await withPg(db, (client) => client.query('UPDATE eventlite.meta SET store_id = $1', [id]));
    return;
  }
  const raw = new Database(join(dir, db));
  try {
    raw.prepare(`UPDATE eventlite_store SET value = ? WHERE key = 'store_id'`).run(id);
  } finally {
    raw.close();
  }
}

/**
 * What each migration after schema 2 made, undone, newest first (named by what it made, not by
 * its number, so that migrations can be renumbered at a merge). A store taken back to schema 2
 * must lose all of it, or opening it would run those migrations again over what they made: a
 * new migration adds its undoing at the top (the test after downgradeToBeforeStoreId checks).
 */
const UNDO_AFTER_SCHEMA_2 = {
  sqlite: [
    'DROP TABLE eventlite_subscriptions; DROP TABLE eventlite_subscription_set_aside',
    `DROP TABLE eventlite_deleted_streams;
     DROP TABLE eventlite_keys;
     DROP TABLE eventlite_forgotten_keys;
     DROP TRIGGER events_are_append_only_update;
     DROP TRIGGER events_are_append_only_delete;
     CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
     BEGIN
       SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
     END;
     CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
     BEGIN
       SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
     END;
     DROP TABLE eventlite_lifecycle_permit`,
    'ALTER TABLE events DROP COLUMN schema_version',
    'DROP TABLE eventlite_store',
  ],
  postgres: [
    `DROP TABLE eventlite.subscriptions, eventlite.subscription_set_aside;
     DROP TRIGGER events_notify_followers ON eventlite.events;
     DROP FUNCTION eventlite.notify_followers`,
    `DROP FUNCTION eventlite.append_events; ${APPEND_FUNCTION}`,
    `DROP TABLE eventlite.deleted_streams, eventlite.keys, eventlite.forgotten_keys;
     DROP TRIGGER events_are_append_only_update ON eventlite.events;
     DROP TRIGGER events_are_append_only_delete ON eventlite.events;
     CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON eventlite.events
       FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
     CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON eventlite.events
       FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
     DROP FUNCTION eventlite.refuse_unaudited_change`,
    'DROP FUNCTION eventlite.append_events',
    'ALTER TABLE eventlite.events DROP COLUMN schema_version',
    'ALTER TABLE eventlite.meta DROP COLUMN store_id',
  ],
};

/** Takes a store back to schema 2, as an eventlite from before the store id (schema 3) wrote it. */
async function downgradeToBeforeStoreId(db: string, dir: string): Promise<void> {
  if (isPgUrl(db)) {
    await withPg(db, (client) =>
      client.query(
        [...UNDO_AFTER_SCHEMA_2.postgres, 'UPDATE eventlite.meta SET schema_version = 2'].join(
          ';\n',
        ),
      ),
    );
    return;
  }
  const raw = new Database(join(dir, db));
  try {
    raw.exec(UNDO_AFTER_SCHEMA_2.sqlite.join(';\n'));
    raw.pragma('user_version = 2');
  } finally {
    raw.close();
  }
}

it('the downgrade undoes every migration after schema 2, on both backends', () => {
  expect(UNDO_AFTER_SCHEMA_2.sqlite).toHaveLength(STORE_SCHEMA_VERSION - 2);
  expect(UNDO_AFTER_SCHEMA_2.postgres).toHaveLength(PG_STORE_SCHEMA_VERSION - 2);
});

describe.each(backends())('read models and the store they come from, on $name', (backend) => {
  const { dir, cleanup } = tempDir();
  let storeA: StoreUnderTest;
  let storeB: StoreUnderTest;
  let readDb: string;
  const cli = (on: StoreUnderTest, args: readonly string[]) =>
    runOn(on, ['--domain', 'domain.mjs', ...args], { cwd: dir });
  /** Store B, pointed at store A's read models. */
  const cliB = (args: readonly string[]) => cli(storeB, ['--read-db', readDb, ...args]);

  beforeAll(async () => {
    storeA = await backend.freshStore();
    storeB = await backend.otherStore('b.db');
    readDb = defaultReadDb(storeA.db);
    await prepareStoreOn(storeA, dir, 3);
    writeFileSync(join(dir, 'log-b.ndjson'), bankLog(6));
    expect((await cli(storeB, ['import', 'log-b.ndjson'])).code).toBe(0);
    expect((await cli(storeA, ['projections', 'run'])).code).toBe(0);
  });
  afterAll(async () => {
    await storeA.cleanup();
    await storeB.cleanup();
    cleanup();
  });

  it('every store has an id of its own', async () => {
    const a = await storeIdOf(storeA.db, dir);
    const b = await storeIdOf(storeB.db, dir);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('another store refuses the read models in run, projections, status and wait, changing nothing', async () => {
    const [a, b] = [await storeIdOf(storeA.db, dir), await storeIdOf(storeB.db, dir)];
    const refusal = `error: the read models in ${shownRead(readDb)} were built from another store, not ${shown(storeB.db)} (store id ${a}, this store is ${b})${HINT}\n`;
    const before = await readFingerprint(readDb, dir);
    for (const args of [
      ['projections', 'run'],
      ['projections', 'run', '--follow'],
      ['projections'],
      ['status'],
      ['projections', 'wait', '--timeout', '1'],
    ]) {
      const result = await cliB(args);
      expect({ args, code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
        args,
        code: 1,
        stderr: refusal,
        stdout: '',
      });
    }
    expect(await readFingerprint(readDb, dir)).toBe(before);
    expect(await checkpointAt(readDb, dir)).toBe(3);
  });

  it('verify fails its check on them', async () => {
    const result = await cliB(['verify', '--format', 'ndjson']);
    expect(result.code).toBe(1);
    const checks = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { check: string; ok: boolean });
    expect(checks.find((check) => check.check === 'read models built from this store')?.ok).toBe(
      false,
    );
  });

  it('projections rebuild makes them the new store’s, and then the old store is refused', async () => {
    const rebuilt = await cliB(['projections', 'rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(await checkpointAt(readDb, dir)).toBe(6);
    expect((await readModelAt(readDb, dir)).applied).toEqual({
      count: 6,
      distinct: 6,
      positions: triangle(6),
    });
    expect((await cliB(['verify'])).code).toBe(0);
    const a = await cli(storeA, ['projections', 'run']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^error: the read models in .* were built from another store, not /);
    expect((await cli(storeA, ['projections', 'rebuild'])).code).toBe(0);
    expect(await checkpointAt(readDb, dir)).toBe(3);
  });

  it('a store that went back behind the read models (restored from a copy) is refused', async () => {
    // A copy of store A as it was at position 3, while the read models saw up to position 5.
    const copy = await backend.otherStore('copy.db');
    try {
      expect(
        (
          await cli(storeA, [
            'append',
            'account-a0',
            'MoneyDeposited',
            '{"accountId":"a0","amount":1}',
          ])
        ).code,
      ).toBe(0);
      expect(
        (
          await cli(storeA, [
            'append',
            'account-a1',
            'MoneyDeposited',
            '{"accountId":"a1","amount":1}',
          ])
        ).code,
      ).toBe(0);
      expect((await cli(storeA, ['projections', 'run'])).code).toBe(0);
      expect(await checkpointAt(readDb, dir)).toBe(5);
      writeFileSync(
        join(dir, 'first3.ndjson'),
        (await cli(storeA, ['export'])).stdout.split('\n').slice(0, 3).join('\n'),
      );
      expect((await cli(copy, ['import', 'first3.ndjson'])).code).toBe(0);
      await setStoreId(copy.db, dir, await storeIdOf(storeA.db, dir));

      const onCopy = (args: readonly string[]) => cli(copy, ['--read-db', readDb, ...args]);
      const before = await readFingerprint(readDb, dir);
      const refusal = `error: the read models in ${shownRead(readDb)} have seen events up to position 5, but ${shown(copy.db)} ends at 3 (was the store replaced or restored?)${HINT}\n`;
      for (const args of [['projections', 'run'], ['projections'], ['status']]) {
        const result = await onCopy(args);
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({
          args,
          code: 1,
          stderr: refusal,
        });
      }
      expect(await readFingerprint(readDb, dir)).toBe(before);
      expect((await onCopy(['projections', 'rebuild'])).code).toBe(0);
      expect(await checkpointAt(readDb, dir)).toBe(3);
      expect((await onCopy(['verify'])).code).toBe(0);
    } finally {
      await copy.cleanup();
    }
  });

  it('a store from before store ids gets one when it is opened, and keeps its events', async () => {
    const old = await backend.otherStore('old.db');
    try {
      expect((await cli(old, ['import', 'log-b.ndjson'])).code).toBe(0);
      const events = (await cli(old, ['export'])).stdout;
      await downgradeToBeforeStoreId(old.db, dir);
      const before = await storeFingerprint(old.db, dir);
      expect((await cli(old, ['append', 'x', 'T', '{}'])).code).toBe(0);
      expect(await storeFingerprint(old.db, dir)).not.toBe(before);
      const id = await storeIdOf(old.db, dir);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect((await cli(old, ['export'])).stdout.startsWith(events)).toBe(true);
      expect((await cli(old, ['verify'])).code).toBe(0);
      expect(await storeIdOf(old.db, dir)).toBe(id);
    } finally {
      await old.cleanup();
    }
  });
});

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError, DuplicateEventIdError } from '../../src/core/errors.js';
import type { EventStore } from '../../src/core/ports.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { PG_STORE_SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// The PostgreSQL append as one statement (src/store/postgres/append-function.ts): what the
// conformance suite cannot see from the port alone.

const PG_OFF = process.env.EVENTLITE_TEST_PG === 'off';
const ID = '0190a1b2-0000-7000-8000-00000000000a';

// Inserting an event of stream "slow" waits, inside its transaction (so holding the head row),
// until the test releases advisory lock 4242.
const GATE = `
  CREATE FUNCTION public.gate() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.stream = 'slow' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER gate AFTER INSERT ON eventlite.events
    FOR EACH ROW EXECUTE FUNCTION public.gate()`;

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function waiting(client: pg.Client, event: 'advisory' | 'lock'): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND ${event === 'advisory' ? `wait_event = 'advisory'` : `wait_event_type = 'Lock' AND wait_event <> 'advisory'`}`,
  );
  return rows[0]!.n;
}

if (PG_OFF) {
  it.skip('PostgreSQL append (skipped: EVENTLITE_TEST_PG=off)', () => {});
} else {
  describe('PostgreSQL append: one statement', () => {
    let database: Awaited<ReturnType<typeof freshPgDatabase>>;
    let admin: pg.Client;
    const stores: EventStore[] = [];
    const open = async (create = false) => {
      const store = await openPostgresEventStore(database.url, { create });
      stores.push(store);
      return store;
    };

    beforeEach(async () => {
      database = await freshPgDatabase();
      admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await admin.end();
      await database.drop();
    });

    it('sends one statement per append, a retry and a conflict included', async () => {
      const store = await open(true);
      await store.append('warm-up', [{ type: 'T', data: {} }]);
      const sent = vi.spyOn(pg.Client.prototype, 'query');
      await store.append('a', [
        { type: 'T', data: { n: 1 }, id: ID },
        { type: 'T', data: { n: 2 } },
      ]);
      expect(sent).toHaveBeenCalledTimes(1);
      const retry = await store.append('a', [{ type: 'T', data: { n: 1 }, id: ID }]);
      expect(retry).toEqual({ stream: 'a', events: [], version: 2, alreadyStored: true });
      expect(sent).toHaveBeenCalledTimes(2);
      await expect(
        store.append('a', [{ type: 'T', data: {} }], { expectedVersion: 1 }),
      ).rejects.toThrow(ConcurrencyError);
      expect(sent).toHaveBeenCalledTimes(3);
    });

    it('a conflict writes nothing and leaves the head where it was', async () => {
      const store = await open(true);
      await store.append('a', [{ type: 'T', data: {} }]);
      const error = await store
        .append('a', [{ type: 'T', data: {} }], { expectedVersion: 'no-stream' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream: 'a', expected: 'no stream (version 0)', actual: 1 });
      expect((error as Error).message).toBe(
        'version conflict on stream "a": expected no stream (version 0), actual 1',
      );
      const { rows } = await admin.query('SELECT position FROM eventlite.head');
      expect(rows).toEqual([{ position: '1' }]);
      const next = await store.append('b', [{ type: 'T', data: {} }]);
      expect(next.events[0]!.position).toBe(2);
    });

    describe('an id that another writer stores after the look-up', () => {
      // The slow writer stores ID and waits at the gate holding the head row; the second writer
      // looks ID up (not committed yet, so not found) and queues on the head row. When the gate
      // opens, the second writer's INSERT meets the committed ID.
      async function race(stream: string) {
        const first = await open(true);
        await admin.query(GATE);
        await admin.query('SELECT pg_advisory_lock(4242)');
        const slow = first.append('slow', [{ type: 'T', data: {}, id: ID }]);
        await waitFor('the slow writer waits at the gate', async () => {
          return (await waiting(admin, 'advisory')) === 1;
        });
        const second = (await open()).append(stream, [{ type: 'T', data: {}, id: ID }]);
        await waitFor('the second writer queues on the head row', async () => {
          return (await waiting(admin, 'lock')) === 1;
        });
        await admin.query('SELECT pg_advisory_unlock(4242)');
        await slow;
        return second.catch((caught: unknown) => caught);
      }

      it('in another stream: refused as a duplicate id', async () => {
        const error = await race('other');
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect((error as Error).message).toBe(
          `duplicate event id ${ID}: already stored in stream "slow"`,
        );
        const { rows } = await admin.query('SELECT position, stream FROM eventlite.events');
        expect(rows).toEqual([{ position: '1', stream: 'slow' }]);
      });

      it('in the same stream: a safe retry', async () => {
        const result = await race('slow');
        expect(result).toEqual({ stream: 'slow', events: [], version: 1, alreadyStored: true });
      });
    });

    it("queues writers in commit order whatever the database's default isolation", async () => {
      // Under REPEATABLE READ or SERIALIZABLE the second writer would fail on the head row
      // (a serialization failure) or read the stream's version from before the first commit.
      await admin.query(
        `ALTER DATABASE ${pg.escapeIdentifier(admin.database!)} SET default_transaction_isolation = 'serializable'`,
      );
      await admin.query('SELECT pg_advisory_lock(4242)');
      const writer = await open(true);
      await admin.query(GATE);
      const slow = writer.append('slow', [{ type: 'T', data: { n: 1 } }]);
      await waitFor('the slow writer waits at the gate', async () => {
        return (await waiting(admin, 'advisory')) === 1;
      });
      const fast = (await open()).append('slow', [{ type: 'T', data: { n: 2 } }], {
        expectedVersion: 1,
      });
      await waitFor('the fast writer queues on the head row', async () => {
        return (await waiting(admin, 'lock')) === 1;
      });
      await admin.query('SELECT pg_advisory_unlock(4242)');
      await slow;
      const result = await fast;
      expect(result.events.map((event) => [event.position, event.version])).toEqual([[2, 2]]);
    });

    it('a store of schema 3 gets schema versions, then the append function, when opened', async () => {
      await (await open(true)).close();
      // As eventlite left it before both: no schema_version column, no append function, and
      // none of what later migrations made (the subscriptions' tables, trigger and function;
      // the lifecycle's tables, triggers and function).
      await admin.query(
        `DROP TABLE eventlite.subscriptions, eventlite.subscription_set_aside;
         DROP TRIGGER events_notify_followers ON eventlite.events;
         DROP FUNCTION eventlite.notify_followers;
         DROP TABLE eventlite.deleted_streams, eventlite.keys, eventlite.forgotten_keys;
         DROP TRIGGER events_are_append_only_update ON eventlite.events;
         DROP TRIGGER events_are_append_only_delete ON eventlite.events;
         CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON eventlite.events
           FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
         CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON eventlite.events
           FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
         DROP FUNCTION eventlite.refuse_unaudited_change;
         DROP FUNCTION eventlite.append_events;
         ALTER TABLE eventlite.events DROP COLUMN schema_version;
         UPDATE eventlite.meta SET schema_version = 3`,
      );
      const store = await open(true);
      const result = await store.append('a', [
        { type: 'T', data: {} },
        { type: 'T', data: {}, schemaVersion: 2 },
      ]);
      expect(result.version).toBe(2);
      const stored = await admin.query(
        'SELECT version, schema_version FROM eventlite.events ORDER BY position',
      );
      expect(stored.rows).toEqual([
        { version: 1, schema_version: 1 },
        { version: 2, schema_version: 2 },
      ]);
      const { rows } = await admin.query('SELECT schema_version FROM eventlite.meta');
      expect(rows).toEqual([{ schema_version: PG_STORE_SCHEMA_VERSION }]);
    });
  });
}

import { inject, it } from 'vitest';
import type { EventStore, ReadStore } from '../../src/core/ports.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { openPostgresReadStore } from '../../src/store/postgres/read/store.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { describeSetAside } from './set-aside.suite.js';
import { describeSubscriptionPorts } from './subscriptions.suite.js';

// The same suites as SQLite's, each test on a fresh database of the test server.
const enabled = inject('pgServerUrl') !== null;

if (!enabled) {
  it.skip('PostgreSQL subscriptions and set-aside events (skipped: EVENTLITE_TEST_PG=off)', () => {});
} else {
  describeSubscriptionPorts('PostgreSQL', async () => {
    const database = await freshPgDatabase();
    const stores: EventStore[] = [await openPostgresEventStore(database.url, { create: true })];
    return {
      store: stores[0]!,
      async reopen() {
        const other = await openPostgresEventStore(database.url, { create: false });
        stores.push(other);
        return other;
      },
      async cleanup() {
        await Promise.all(stores.map((each) => each.close()));
        await database.drop();
      },
    };
  });

  describeSetAside('PostgreSQL', async () => {
    const database = await freshPgDatabase();
    const read = (await openPostgresReadStore(database.url, { mode: 'write' })) as ReadStore;
    const others: ReadStore[] = [];
    return {
      read,
      readOnly: async () => {
        const other = await openPostgresReadStore(database.url, { mode: 'read' });
        if (other) others.push(other);
        return other;
      },
      async cleanup() {
        await Promise.all([read, ...others].map((store) => store.close().catch(() => {})));
        await database.drop();
      },
    };
  });
}

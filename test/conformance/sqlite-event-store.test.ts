import { join } from 'node:path';
import type { EventStore } from '../../src/core/ports.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { describeEventStore } from './event-store.suite.js';

// The same suite as PostgreSQL's, on a SQLite file: a second connection is a second open.
describeEventStore('SQLite', async () => {
  const folder = tempDir();
  const path = join(folder.dir, 'store.db');
  const store = openSqliteEventStore(path, { create: true });
  const stores: EventStore[] = [store];
  return {
    store,
    async reopen() {
      const other = openSqliteEventStore(path, { create: false });
      stores.push(other);
      return other;
    },
    async cleanup() {
      await Promise.all(stores.map((each) => each.close()));
      folder.cleanup();
    },
  };
});

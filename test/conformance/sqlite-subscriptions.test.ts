import { join } from 'node:path';
import type { EventStore } from '../../src/core/ports.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { describeSetAside } from './set-aside.suite.js';
import { openSqliteReadHarness } from './sqlite-read-harness.js';
import { describeSubscriptionPorts } from './subscriptions.suite.js';

// The same suites as PostgreSQL's, on SQLite files: a second connection is a second open.
describeSubscriptionPorts('SQLite', async () => {
  const folder = tempDir();
  const path = join(folder.dir, 'store.db');
  const stores: EventStore[] = [openSqliteEventStore(path, { create: true })];
  return {
    store: stores[0]!,
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

describeSetAside('SQLite', openSqliteReadHarness);

import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventStore } from '../../src/core/ports.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { describeEventStore, type OpenedStore } from './event-store.suite.js';
import { describeLifecycle } from './lifecycle.suite.js';
import { describeSchemaVersions } from './schema-version.suite.js';

// The same suites as PostgreSQL's, on a SQLite file: a second connection is a second open.
async function openSqlite(): Promise<OpenedStore> {
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
}

describeEventStore('SQLite', openSqlite);
describeSchemaVersions('SQLite', openSqlite);

describeLifecycle('SQLite', async () => {
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
    async fresh() {
      const other = openSqliteEventStore(join(folder.dir, `other-${stores.length}.db`), {
        create: true,
      });
      stores.push(other);
      return other;
    },
    async removeEvent(position) {
      const raw = new Database(path);
      raw.exec('DROP TRIGGER events_are_append_only_delete');
      raw.prepare('DELETE FROM events WHERE position = ?').run(position);
      raw.close();
    },
    async snapshotRows(stream) {
      const raw = new Database(path, { readonly: true });
      const rows = raw
        .prepare('SELECT count(*) FROM eventlite_snapshots WHERE stream = ?')
        .pluck()
        .get(stream) as number;
      raw.close();
      return rows;
    },
    async cleanup() {
      await Promise.all(stores.map((each) => each.close()));
      folder.cleanup();
    },
  };
});

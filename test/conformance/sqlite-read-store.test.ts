import { join } from 'node:path';
import { openSqliteReadStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { describeReadStore } from './read-store.suite.js';

// The same suite as PostgreSQL's, on a read database file beside a store that is never opened.
describeReadStore('SQLite', async () => {
  const folder = tempDir();
  const location = {
    readDbPath: join(folder.dir, 'store.read.db'),
    storePath: join(folder.dir, 'store.db'),
  };
  const read = openSqliteReadStore(location, { mode: 'write' })!;
  return {
    read,
    readOnly: async () => openSqliteReadStore(location, { mode: 'read' }),
    async cleanup() {
      await read.close();
      folder.cleanup();
    },
  };
});

import { join } from 'node:path';
import { openSqliteReadStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import type { ReadStoreHarness } from './read-store.suite.js';

/** A fresh read database file in a folder of its own, beside a store that is never opened. */
export async function openSqliteReadHarness(): Promise<ReadStoreHarness> {
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
}

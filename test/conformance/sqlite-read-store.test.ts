import { describeReadStore } from './read-store.suite.js';
import { openSqliteReadHarness } from './sqlite-read-harness.js';

// The same suite as PostgreSQL's, on a read database file beside a store that is never opened.
describeReadStore('SQLite', openSqliteReadHarness);

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError } from '../../src/core/errors.js';
import { openSqliteEventStore, STORE_SCHEMA_VERSION } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';

let folder: ReturnType<typeof tempDir>;
let path: string;

beforeEach(() => {
  folder = tempDir();
  path = join(folder.dir, 'store.db');
});
afterEach(() => folder.cleanup());

function pragmas(file: string) {
  const raw = new Database(file);
  try {
    return {
      journal: raw.pragma('journal_mode', { simple: true }),
      userVersion: raw.pragma('user_version', { simple: true }),
      applicationId: raw.pragma('application_id', { simple: true }),
    };
  } finally {
    raw.close();
  }
}

describe('openSqliteEventStore', () => {
  it('creates a WAL store marked with our application id and schema version', async () => {
    await openSqliteEventStore(path, { create: true }).close();
    expect(pragmas(path)).toEqual({
      journal: 'wal',
      userVersion: STORE_SCHEMA_VERSION,
      applicationId: 0x45564c54,
    });
  });

  it('is idempotent: opening again keeps the events', async () => {
    const store = openSqliteEventStore(path, { create: true });
    await store.append('s', [{ type: 'T', data: {} }]);
    await store.close();
    const again = openSqliteEventStore(path, { create: true });
    expect(again.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    await again.close();
  });

  it('reports a missing store as not found unless asked to create it', () => {
    expect(() => openSqliteEventStore(path)).toThrow(NotFoundError);
    expect(() => openSqliteEventStore(path)).toThrow(`no event store at ${path}`);
  });

  it('refuses a file that is not SQLite, and leaves it untouched', () => {
    writeFileSync(path, 'hello, I am a text file\n'.repeat(100));
    expect(() => openSqliteEventStore(path, { create: true })).toThrow(
      `${path} is not a SQLite database`,
    );
  });

  it('refuses another application’s SQLite database', () => {
    const raw = new Database(path);
    raw.exec('CREATE TABLE customers (id INTEGER)');
    raw.close();
    expect(() => openSqliteEventStore(path, { create: true })).toThrow(
      `${path} is a SQLite database but not an eventlite event store`,
    );
  });

  it('refuses a store written by a newer eventlite', async () => {
    await openSqliteEventStore(path, { create: true }).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${STORE_SCHEMA_VERSION + 1}`);
    raw.close();
    let error: unknown;
    try {
      openSqliteEventStore(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /written by a newer eventlite \(schema 3; this version reads up to 2\)/,
    );
  });
});

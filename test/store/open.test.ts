import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError } from '../../src/core/errors.js';
import { appendToStream, openStore, STORE_SCHEMA_VERSION } from '../../src/store/index.js';
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

describe('openStore', () => {
  it('creates a WAL store marked with our application id and schema version', () => {
    openStore(path, { create: true }).close();
    expect(pragmas(path)).toEqual({
      journal: 'wal',
      userVersion: STORE_SCHEMA_VERSION,
      applicationId: 0x45564c54,
    });
  });

  it('is idempotent: opening again keeps the events', () => {
    const db = openStore(path, { create: true });
    appendToStream(db, 's', [{ type: 'T', data: {} }]);
    db.close();
    const again = openStore(path, { create: true });
    expect(again.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    again.close();
  });

  it('reports a missing store as not found unless asked to create it', () => {
    expect(() => openStore(path)).toThrow(NotFoundError);
    expect(() => openStore(path)).toThrow(`no event store at ${path}`);
  });

  it('refuses a file that is not SQLite, and leaves it untouched', () => {
    writeFileSync(path, 'hello, I am a text file\n'.repeat(100));
    expect(() => openStore(path, { create: true })).toThrow(`${path} is not a SQLite database`);
  });

  it('refuses another application’s SQLite database', () => {
    const raw = new Database(path);
    raw.exec('CREATE TABLE customers (id INTEGER)');
    raw.close();
    expect(() => openStore(path, { create: true })).toThrow(
      `${path} is a SQLite database but not an eventlite event store`,
    );
  });

  it('refuses a store written by a newer eventlite', () => {
    openStore(path, { create: true }).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${STORE_SCHEMA_VERSION + 1}`);
    raw.close();
    let error: unknown;
    try {
      openStore(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /written by a newer eventlite \(schema 2; this version reads up to 1\)/,
    );
  });
});

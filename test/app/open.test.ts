import { describe, expect, it } from 'vitest';
import { defaultReadDb } from '../../src/app/open.js';

describe('defaultReadDb', () => {
  it('replaces .db with .read.db, or else adds .read.db, in the same folder', () => {
    expect(defaultReadDb('eventlite.db')).toBe('eventlite.read.db');
    expect(defaultReadDb('/data/bank.db')).toBe('/data/bank.read.db');
    expect(defaultReadDb('store')).toBe('store.read.db');
    expect(defaultReadDb('events.sqlite')).toBe('events.sqlite.read.db');
    expect(defaultReadDb('data/events.sqlite')).toBe('data/events.sqlite.read.db');
    expect(defaultReadDb('dir.db/store')).toBe('dir.db/store.read.db');
  });
});

import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealValue } from '../../src/app/seal.js';
import { InputError, NotFoundError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import { StreamDeletedError, SYSTEM_STREAM } from '../../src/core/lifecycle.js';
import { personalFieldsOf } from '../../src/core/personal-data.js';
import type { EventStore, ImportedEvent } from '../../src/core/ports.js';
import { eventJsonLine } from '../../src/core/recorded-event.js';
import { caught, type OpenedStore } from './event-store.suite.js';

// The lifecycle port methods (docs/lifecycle.md) on every adapter: the same answers, messages
// included, on SQLite and PostgreSQL. Sealed fields are made as `exec` makes them.

const T0 = new Date('2026-01-02T03:04:05.678Z');
const now = () => T0;

async function collect(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pages) events.push(...page);
  return events;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An opened store, and what only its backend's test can do. */
export interface LifecycleStore extends OpenedStore {
  /** Another empty store beside it, closed by `cleanup`. */
  fresh(): Promise<EventStore>;
  /** Deletes an event the way only someone bypassing eventlite could. */
  removeEvent(position: number): Promise<void>;
  /** How many snapshot rows the store's table holds for `stream`, read or not. */
  snapshotRows(stream: string): Promise<number>;
}

export function describeLifecycle(label: string, open: () => Promise<LifecycleStore>): void {
  describe(`EventStore lifecycle: ${label}`, () => {
    let opened: LifecycleStore;
    let store: EventStore;
    const log = (options: { sealed?: boolean } = {}) => collect(store.readLog(options));
    /** A snapshot of each of streams a and b, at their last event. */
    const snapshotBoth = async () => {
      const events = await log();
      for (const stream of ['a', 'b']) {
        const last = events.filter((event) => event.stream === stream).at(-1)!;
        await store.writeSnapshot({
          stream,
          decider: 'd',
          version: last.version,
          eventId: last.id,
          state: '{}',
        });
        expect(await opened.snapshotRows(stream)).toBe(1);
      }
    };

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.append('a', [
        { type: 'Opened', data: { owner: 'Ann', n: 1 } },
        { type: 'Deposited', data: { amount: 5 } },
      ]);
      await store.append('b', [{ type: 'Opened', data: { owner: 'Bob', n: 2 } }]);
      await store.append('a', [{ type: 'Deposited', data: { amount: 7 } }]);
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it('a soft delete hides the stream from listings and appends, keeps its events, and restores', async () => {
      await store.writeSnapshot({
        stream: 'a',
        decider: 'd',
        version: 3,
        eventId: (await log())[3]!.id,
        state: '{}',
      });
      const { audit } = await store.deleteStream('a', { hard: false, now });
      expect(audit).toMatchObject({
        position: 5,
        stream: SYSTEM_STREAM,
        version: 1,
        type: 'StreamDeleted',
      });
      expect(audit.data).toEqual({
        store: await store.storeId(),
        stream: 'a',
        hard: false,
        version: 3,
      });
      expect(await store.deletedStream('a')).toEqual({ hard: false, version: 3, position: 5 });
      expect(await store.deletedStream('b')).toBeUndefined();
      const listed: string[] = [];
      for await (const page of store.listStreams()) listed.push(...page.map((row) => row.stream));
      expect(listed).toEqual([SYSTEM_STREAM, 'b']);
      expect(await store.readSnapshot('a', 'd')).toBeUndefined();
      expect((await log()).map((event) => event.stream)).toEqual([
        'a',
        'a',
        'b',
        'a',
        SYSTEM_STREAM,
      ]);
      const refused = await caught(store.append('a', [{ type: 'T', data: {} }]));
      expect(refused).toBeInstanceOf(StreamDeletedError);
      expect(refused.message).toBe(
        'stream "a" was deleted at version 3 (position 5); "eventlite streams restore a" brings it back',
      );
      // Deleting it again is refused the same way; a hard delete still may follow.
      expect((await caught(store.deleteStream('a', { hard: false }))).message).toBe(
        refused.message,
      );

      const restored = await store.restoreStream('a', { now });
      expect(restored.audit).toMatchObject({
        position: 6,
        type: 'StreamRestored',
        data: { stream: 'a', version: 3 },
      });
      expect(await store.deletedStream('a')).toBeUndefined();
      const next = await store.append('a', [{ type: 'T', data: {} }], { expectedVersion: 3 });
      expect(next.events.map((event) => [event.position, event.version])).toEqual([[7, 4]]);
      expect((await caught(store.restoreStream('a'))).message).toBe(
        'stream "a" is not deleted; nothing to restore',
      );
      expect(await caught(store.restoreStream('zz'))).toBeInstanceOf(NotFoundError);
      expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('a hard delete removes the events, audits the hole with a hash of them, and never reuses a position', async () => {
      const removed = (await log()).filter((event) => event.stream === 'a');
      await snapshotBoth();
      const { audit } = await store.deleteStream('a', { hard: true, now });
      expect(audit.position).toBe(5);
      // The stream's snapshot rows went with it (no longer readable is not enough); another
      // stream's stay.
      expect(await opened.snapshotRows('a')).toBe(0);
      expect(await store.readSnapshot('b', 'd')).toMatchObject({ stream: 'b', version: 1 });
      expect(audit.data).toEqual({
        store: await store.storeId(),
        stream: 'a',
        hard: true,
        version: 3,
        events: 3,
        versions: [[1, 3]],
        positions: [
          [1, 2],
          [4, 4],
        ],
        types: { Opened: 1, Deposited: 2 },
        sha256: sha256(removed.map((event) => `${eventJsonLine(event)}\n`).join('')),
      });
      expect((await log()).map((event) => event.position)).toEqual([3, 5]);
      expect(await store.streamVersion('a')).toBe(0);
      expect(await store.deletedStream('a')).toEqual({ hard: true, version: 3, position: 5 });
      expect((await caught(store.append('a', [{ type: 'T', data: {} }]))).message).toBe(
        'stream "a" was deleted for good at version 3 (position 5)',
      );
      // One at a time: a second call started before the first is awaited would reject unheard.
      for (const again of [
        () => store.deleteStream('a', { hard: true }),
        () => store.restoreStream('a'),
      ]) {
        expect(await caught(again())).toBeInstanceOf(StreamDeletedError);
      }
      const positions = (await store.verify()).find((check) => check.name === 'positions gapless');
      expect(positions).toEqual({
        name: 'positions gapless',
        ok: true,
        detail: 'positions 1..5, less 3 removed by audited hard deletes (1..2, 4)',
      });

      // Removing the highest positions: the next append still gets a new one.
      await store.append('c', [{ type: 'T', data: {} }]);
      await store.deleteStream('c', { hard: true });
      const after = await store.append('d', [{ type: 'T', data: {} }]);
      expect(after.events[0]!.position).toBe(8);
      expect(await store.head()).toBe(8);
      expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('an import leaves out the events of a stream deleted for good, and refuses new events of a hidden one', async () => {
      const exported: ImportedEvent[] = (await log()).map(
        ({ stream, type, id, data, metadata, recordedAt }) => ({
          stream,
          type,
          id,
          data,
          metadata,
          recordedAt,
        }),
      );
      await store.deleteStream('a', { hard: true });
      await store.deleteStream('b', { hard: false });
      const session = await store.beginImport();
      await session.add(exported);
      expect(await session.commit()).toEqual({ imported: 0, skipped: 1, leftOut: 3, head: 6 });
      const fresh = {
        stream: 'b',
        type: 'T',
        id: '00000000-0000-7000-8000-000000000099',
        data: {},
        metadata: {},
        recordedAt: T0.toISOString(),
      };
      const refusing = await store.beginImport();
      const error = await caught(refusing.add([fresh]));
      await refusing.rollback();
      expect(error).toBeInstanceOf(StreamDeletedError);
      expect(await store.head()).toBe(6);
      expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('an import follows the deletions its audit events record', async () => {
      await store.deleteStream('b', { hard: false });
      await store.append('c', [{ type: 'T', data: {} }]);
      await store.deleteStream('c', { hard: true });
      const exported = await log();
      const other = await opened.fresh();
      const session = await other.beginImport();
      await session.add(
        exported.map(({ stream, type, id, data, metadata, recordedAt }) => ({
          stream,
          type,
          id,
          data,
          metadata,
          recordedAt,
        })),
      );
      await session.commit();
      expect(await other.deletedStream('b')).toMatchObject({ hard: false, version: 1 });
      // c's events are not in the export; the name stays deleted for good.
      expect(await other.deletedStream('c')).toMatchObject({ hard: true, version: 0 });
      expect(await other.deletedStream('a')).toBeUndefined();
      // The other store's holes are not this one's: positions here have none to account for.
      expect((await other.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('redact replaces fields of the chosen versions, keeps everything else, and refuses what changes nothing', async () => {
      const before = await log();
      await snapshotBoth();
      const { audit } = await store.redactEvents('a', {
        fields: ['owner', 'amount'],
        versions: [1, 3],
        now,
      });
      // A snapshot folded from what was replaced goes; another stream's stays.
      expect(await opened.snapshotRows('a')).toBe(0);
      expect(await store.readSnapshot('b', 'd')).toMatchObject({ stream: 'b', version: 1 });
      expect(audit.data).toMatchObject({
        stream: 'a',
        fields: ['owner', 'amount'],
        events: 2,
        versions: [
          [1, 1],
          [3, 3],
        ],
        positions: [
          [1, 1],
          [4, 4],
        ],
        types: { Opened: 1, Deposited: 4 },
        sha256: sha256(`${eventJsonLine(before[0]!)}\n${eventJsonLine(before[3]!)}\n`),
      });
      const after = await log();
      expect(after.slice(0, 4).map((event) => event.data)).toEqual([
        { owner: '[redacted]', n: 1 },
        { amount: 5 },
        { owner: 'Bob', n: 2 },
        { amount: '[redacted]' },
      ]);
      expect(after.slice(0, 4).map(({ id, version, type }) => [id, version, type])).toEqual(
        before.map(({ id, version, type }) => [id, version, type]),
      );
      const nothing = await caught(store.redactEvents('a', { fields: ['owner'], versions: [1] }));
      expect(nothing).toBeInstanceOf(InputError);
      expect(nothing.message).toBe(
        'no event of stream "a" holds the field "owner" (or it is redacted already); nothing changed',
      );
      const past = await caught(store.redactEvents('a', { fields: ['owner'], versions: [4] }));
      expect(past.message).toBe('--version 4: stream "a" has versions 1 to 3');
      expect(await caught(store.redactEvents('zz', { fields: ['owner'] }))).toBeInstanceOf(
        NotFoundError,
      );
      expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('forget deletes the keys: sealed fields read as "[forgotten]", unsealed declared ones are overwritten', async () => {
      const keys = await store.subjectKeys(['ann', 'bob', 'ann'], { now });
      expect([...keys.keys()]).toEqual(['ann', 'bob']);
      expect(await store.subjectKeys(['ann'])).toEqual(new Map([['ann', keys.get('ann')]]));
      const sealed = (value: unknown, subject: string) => sealValue(value, keys.get(subject)!);
      await store.append('p', [
        {
          type: 'Person',
          data: { id: 'ann', name: sealed('Ann', 'ann'), tags: sealed([{ x: 1 }], 'ann') },
        },
        { type: 'Person', data: { id: 'bob', name: sealed('Bob', 'bob') } },
        // Stored unsealed (by an append without the domain): overwritten when the domain is at hand.
        { type: 'Person', data: { id: 'ann', name: 'Ann plain' } },
      ]);
      await store.writeSnapshot({
        stream: 'p',
        decider: 'd',
        version: 3,
        eventId: (await log())[6]!.id,
        state: '{"name":"Ann"}',
      });
      const read = (await log()).filter((event) => event.stream === 'p').map((event) => event.data);
      expect(read).toEqual([
        { id: 'ann', name: 'Ann', tags: [{ x: 1 }] },
        { id: 'bob', name: 'Bob' },
        { id: 'ann', name: 'Ann plain' },
      ]);
      const declared = personalFieldsOf({
        deciders: {},
        events: { Person: { personalData: { subject: 'id', fields: ['name', 'tags'] } } },
      });
      const { audit } = await store.forgetSubject('ann', { declared, now });
      expect(audit.data).toMatchObject({
        subject: 'ann',
        keys: 1,
        rewritten: 1,
        streams: ['p'],
        events: 2,
        positions: [
          [5, 5],
          [7, 7],
        ],
        types: { Person: 5 },
      });
      const forgotten = (await log())
        .filter((event) => event.stream === 'p')
        .map((event) => event.data);
      expect(forgotten).toEqual([
        { id: 'ann', name: '[forgotten]', tags: '[forgotten]' },
        { id: 'bob', name: 'Bob' },
        { id: 'ann', name: '[forgotten]' },
      ]);
      expect(JSON.stringify((await log({ sealed: true }))[4]!.data.name)).toMatch(
        /eventlite:sealed/,
      );
      expect(await store.readSnapshot('p', 'd')).toBeUndefined();
      expect(await store.readKeys([keys.get('ann')!.keyId, keys.get('bob')!.keyId])).toEqual([
        keys.get('bob'),
      ]);
      expect((await caught(store.forgetSubject('ann'))).message).toBe(
        'subject "ann" was forgotten already (position 8); nothing of theirs is left to forget',
      );
      // A new key for the same subject after a forget: new data is readable, old stays forgotten.
      const renewed = await store.subjectKeys(['ann']);
      expect(renewed.get('ann')!.keyId).not.toBe(keys.get('ann')!.keyId);
      // An import never brings a forgotten key back.
      const session = await store.beginImport();
      await session.addKeys([keys.get('ann')!, keys.get('bob')!]);
      expect(await session.commit()).toEqual({
        imported: 0,
        skipped: 0,
        head: 8,
        forgottenKeys: 1,
      });
      expect((await log()).filter((event) => event.stream === 'p')[0]!.data.name).toBe(
        '[forgotten]',
      );
      expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
    });

    it('verify still fails on a hole that no audit event accounts for', async () => {
      await store.deleteStream('b', { hard: true });
      await opened.removeEvent(4);
      const positions = (await store.verify()).find((check) => check.name === 'positions gapless');
      expect(positions!.ok).toBe(false);
      expect(positions!.detail).toBe(
        '3 events span positions 1..5: no audit event accounts for the missing position 4',
      );
    });
  });
}

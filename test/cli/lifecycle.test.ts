import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultReadDb, runOn, shown, storeFingerprint } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { writeLifecycleDomain } from './lifecycle-domain.js';

// The lifecycle commands through the CLI, in process, on both backends: streams delete (soft
// and hard), streams restore, redact and forget, with what follows each (refusals, verify, the
// audit events, the projections rebuilt or handling the audit event themselves).

interface Logged {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  data: Record<string, unknown>;
}

describe.each(backends())(
  'lifecycle commands, on $name',
  (backend) => {
    let dir: string;
    let done: () => void;
    let store: StoreUnderTest;
    const cli = (args: readonly string[], input?: string) =>
      runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir, input });
    const ok = async (args: readonly string[]) => {
      const result = await cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    const log = async (args: readonly string[] = []) =>
      parseNdjson((await ok(['log', '--format', 'ndjson', ...args])).stdout) as Logged[];
    const rows = async (sql: string) =>
      parseNdjson((await ok(['query', sql, '--format', 'ndjson'])).stdout);

    beforeEach(async () => {
      ({ dir, cleanup: done } = tempDir());
      store = await backend.freshStore();
      writeLifecycleDomain(dir);
      const lines = [
        {
          command: 'OpenAccount',
          data: { accountId: 'a1', owner: 'Ada Lovelace', address: { street: 'Ada Road 1' } },
        },
        { command: 'Deposit', data: { accountId: 'a1', amount: 10, note: 'rent' } },
        { command: 'OpenAccount', data: { accountId: 'a2', owner: 'Grace Hopper' } },
        { command: 'Deposit', data: { accountId: 'a2', amount: 5, note: 'gift' } },
        { command: 'Deposit', data: { accountId: 'a1', amount: 7, note: 'pay' } },
      ];
      writeFileSync(
        join(dir, 'story.ndjson'),
        lines.map((line) => JSON.stringify(line)).join('\n'),
      );
      await ok(['replay', 'story.ndjson', '--quiet']);
      await ok(['projections', 'run']);
    });
    afterEach(async () => {
      await store.cleanup();
      done();
    });

    it('a soft-deleted stream is refused by read, state and exec, left out of streams, kept in log and export; restore brings it back', async () => {
      const deleted = await ok(['streams', 'delete', 'account-a2', '--yes']);
      expect(deleted.stderr).toBe(
        'deleted stream "account-a2" at version 2 (audit event at position 6); "eventlite streams restore account-a2" brings it back\n',
      );
      const [audit] = parseNdjson(deleted.stdout) as Logged[];
      expect(audit).toMatchObject({
        position: 6,
        stream: '$eventlite',
        version: 1,
        type: 'StreamDeleted',
        data: { stream: 'account-a2', hard: false, version: 2 },
      });
      const refusal =
        'error: stream "account-a2" was deleted at version 2 (position 6); "eventlite streams restore account-a2" brings it back\n';
      for (const args of [
        ['read', 'account-a2'],
        ['state', 'account-a2'],
        ['exec', 'Deposit', '{"accountId":"a2","amount":1}'],
        ['exec', 'Deposit', '{"accountId":"a2","amount":1}', '--dry-run'],
        ['append', 'account-a2', 'MoneyDeposited', '{"accountId":"a2","amount":1}'],
        ['streams', 'delete', 'account-a2', '--yes'],
      ]) {
        const refused = await cli(args);
        expect(refused.code, args.join(' ')).toBe(5);
        expect(refused.stderr, args.join(' ')).toBe(refusal);
      }
      const streams = await ok(['streams', '--format', 'ndjson']);
      expect(
        (parseNdjson(streams.stdout) as { stream: string }[]).map((row) => row.stream),
      ).toEqual(['$eventlite', 'account-a1']);
      expect((await log()).filter((event) => event.stream === 'account-a2')).toHaveLength(2);
      const exported = parseNdjson((await ok(['export', '--stream', 'account-a2'])).stdout);
      expect(exported).toHaveLength(2);
      // Nothing was removed: the read models are as they were, and verify passes.
      expect((await ok(['projections', 'run'])).stderr).toBe(
        'accounts: at position 6\nstream_events: at position 6\n',
      );
      await ok(['verify']);

      const restored = await ok(['streams', 'restore', 'account-a2']);
      expect(restored.stderr).toBe(
        'restored stream "account-a2" at version 2 (audit event at position 7)\n',
      );
      expect(parseNdjson((await ok(['read', 'account-a2'])).stdout)).toHaveLength(2);
      // Reopened as it was: the next command continues at version 3.
      const next = await ok(['exec', 'Deposit', '{"accountId":"a2","amount":1}']);
      expect(parseNdjson(next.stdout)).toMatchObject([{ stream: 'account-a2', version: 3 }]);
      const again = await cli(['streams', 'restore', 'account-a2']);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe('error: stream "account-a2" is not deleted; nothing to restore\n');
      const missing = await cli(['streams', 'restore', 'account-zz']);
      expect(missing.code).toBe(5);
      expect(missing.stderr).toBe('error: stream "account-zz" does not exist\n');
    });

    it('asks first: without a terminal and without --yes each command is refused and changes nothing', async () => {
      const before = await storeFingerprint(store.db, dir);
      const where = shown(store.db);
      const cases: [string[], string][] = [
        [
          ['streams', 'delete', 'account-a2'],
          `delete hides stream "account-a2" (version 2) in ${where}; its events stay in the log`,
        ],
        [
          ['streams', 'delete', 'account-a2', '--hard'],
          `delete removes the 2 events of stream "account-a2" from ${where} for good`,
        ],
        [
          ['redact', 'account-a1', '--field', 'note', '--version', '2', '3'],
          `redact overwrites note in versions 2, 3 of stream "account-a1" in ${where} for good`,
        ],
        [
          ['forget', 'a1'],
          `forget makes the personal data of subject "a1" in ${where} unreadable for good`,
        ],
      ];
      for (const [args, question] of cases) {
        const refused = await cli(args);
        expect(refused.code, args.join(' ')).toBe(2);
        expect(refused.stderr).toBe(
          `error: ${question}: give --yes to confirm (stdin is not a terminal to ask on)\n`,
        );
      }
      // A stream that is not there needs no question.
      const missing = await cli(['streams', 'delete', 'account-zz', '--hard']);
      expect(missing.code).toBe(5);
      expect(missing.stderr).toBe('error: stream "account-zz" does not exist\n');
      expect(await storeFingerprint(store.db, dir)).toBe(before);

      // On a terminal each asks, as reset does: anything but "y" stops with nothing changed.
      const onTerminal = (args: readonly string[], answer: string) =>
        runOn(store, ['--domain', 'domain.mjs', ...args], {
          cwd: dir,
          input: answer,
          terminal: true,
        });
      for (const [args, question] of cases) {
        const declined = await onTerminal(args, 'n\n');
        expect(declined.code, args.join(' ')).toBe(2);
        expect(declined.stderr).toBe(
          `${question}. Go on? [y/N] error: not confirmed; nothing changed\n`,
        );
      }
      // What was typed is quoted escaped: a control character cannot rewrite the terminal.
      const hostile = await onTerminal(['redact', 'account-a1', '--field', 'note\u001b[2J'], 'n\n');
      expect(hostile.stderr).toBe(
        `redact overwrites note\\u001b[2J in every event of stream "account-a1" in ${where} for good. Go on? [y/N] error: not confirmed; nothing changed\n`,
      );
      expect(await storeFingerprint(store.db, dir)).toBe(before);
      const confirmed = await onTerminal(['streams', 'delete', 'account-a2', '--hard'], 'y\n');
      expect(confirmed.code, confirmed.stderr).toBe(0);
      expect(confirmed.stderr).toMatch(
        /^delete removes the 2 events of stream "account-a2" from .* for good\. Go on\? \[y\/N\] deleted stream "account-a2" for good: 2 events removed/,
      );
      expect((await cli(['read', 'account-a2'])).code).toBe(5);
    });

    it('a hard delete removes the events for good: verify accounts for the hole, positions are never reused, import leaves them out', async () => {
      const exported = (await ok(['export'])).stdout;
      const removed = (await log()).filter((event) => event.stream === 'account-a2');
      const deleted = await ok(['streams', 'delete', 'account-a2', '--hard', '--yes']);
      expect(deleted.stderr).toBe(
        'deleted stream "account-a2" for good: 2 events removed (audit event at position 6); projections that read them are rebuilt by the next "eventlite projections run"\n',
      );
      const [audit] = parseNdjson(deleted.stdout) as Logged[];
      expect(audit!.data).toMatchObject({
        stream: 'account-a2',
        hard: true,
        version: 2,
        events: 2,
        versions: [[1, 2]],
        positions: [[3, 4]],
        types: { AccountOpened: 3, MoneyDeposited: 4 },
      });
      expect(audit!.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(removed.map((event) => event.position)).toEqual([3, 4]);

      const after = await log();
      expect(after.map((event) => event.position)).toEqual([1, 2, 5, 6]);
      const verify = await ok(['verify', '--format', 'ndjson']);
      expect(parseNdjson(verify.stdout)).toContainEqual({
        check: 'positions gapless',
        ok: true,
        detail: 'positions 1..6, less 2 removed by audited hard deletes (3..4)',
      });
      for (const args of [
        ['read', 'account-a2'],
        ['exec', 'OpenAccount', '{"accountId":"a2","owner":"X"}'],
      ]) {
        const refused = await cli(args);
        expect(refused.code).toBe(5);
        expect(refused.stderr).toBe(
          'error: stream "account-a2" was deleted for good at version 2 (position 6)\n',
        );
      }
      // The stream's events are gone from the read models too: the projection that read them
      // was rebuilt; the one with onLifecycle deleted its row itself.
      const run = await ok(['projections', 'run']);
      expect(run.stderr).toBe(
        'rebuilding projection "accounts" from event 1 (stream "account-a2" was deleted for good at position 6)\naccounts: at position 6\nstream_events: at position 6\n',
      );
      expect(await rows('SELECT account_id FROM accounts ORDER BY 1')).toEqual([
        { account_id: 'a1' },
      ]);
      expect(await rows('SELECT stream, events FROM stream_events ORDER BY 1')).toEqual([
        { stream: 'account-a1', events: 3 },
      ]);

      // The next append takes a new position, after the audit event.
      const appended = await ok(['exec', 'Deposit', '{"accountId":"a1","amount":1}']);
      expect(parseNdjson(appended.stdout)).toMatchObject([{ position: 7 }]);
      // An earlier export imported again brings nothing back.
      writeFileSync(join(dir, 'old.ndjson'), exported);
      const imported = await ok(['import', 'old.ndjson']);
      expect(imported.stderr).toBe(
        'imported 0 events (3 already stored, skipped; 2 of streams deleted here, left out); head is at 7\n',
      );
      await ok(['verify']);
    });

    it('redact overwrites fields of the chosen versions; their snapshots go and the projections are rebuilt', async () => {
      const before = await log(['--type', 'MoneyDeposited']);
      const redacted = await ok([
        'redact',
        'account-a1',
        '--field',
        'note',
        '--version',
        '3',
        '--yes',
      ]);
      expect(redacted.stderr).toBe(
        'redacted note in 1 event of stream "account-a1" (audit event at position 6); projections that read them are rebuilt by the next "eventlite projections run"\n',
      );
      const [audit] = parseNdjson(redacted.stdout) as Logged[];
      expect(audit!.data).toMatchObject({
        stream: 'account-a1',
        fields: ['note'],
        events: 1,
        versions: [[3, 3]],
        positions: [[5, 5]],
        types: { MoneyDeposited: 5 },
      });
      const after = await log(['--type', 'MoneyDeposited']);
      // Position, version, id and type stay; only the field changed.
      expect(after).toEqual(
        before.map((event) =>
          event.position === 5 ? { ...event, data: { ...event.data, note: '[redacted]' } } : event,
        ),
      );
      // Nothing left to redact there: bad input, nothing changed.
      const again = await cli([
        'redact',
        'account-a1',
        '--field',
        'note',
        '--version',
        '3',
        '--yes',
      ]);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(
        'error: no event of stream "account-a1" holds the field "note" (or it is redacted already); nothing changed\n',
      );
      const past = await cli([
        'redact',
        'account-a1',
        '--field',
        'note',
        '--version',
        '9',
        '--yes',
      ]);
      expect(past.code).toBe(2);
      expect(past.stderr).toBe('error: --version 9: stream "account-a1" has versions 1 to 3\n');
      const badPath = await cli(['redact', 'account-a1', '--field', 'address.', '--yes']);
      expect(badPath.code).toBe(2);
      expect(badPath.stderr).toBe(
        'error: --field must name a field like owner or address.street, got "address."\n',
      );
      // A sealed field is redacted whole; a path inside it reaches nothing.
      await ok(['redact', 'account-a1', '--field', 'address', '--yes']);
      const [opened] = await log(['--type', 'AccountOpened']);
      expect(opened!.data).toEqual({
        accountId: 'a1',
        owner: 'Ada Lovelace',
        address: '[redacted]',
      });
      expect((await ok(['projections', 'run'])).stderr).toBe(
        'rebuilding projection "accounts" from event 1 (events of stream "account-a1" were redacted at position 6)\naccounts: at position 7\nstream_events: at position 7\n',
      );
      await ok(['verify']);
    });

    it('forget: sealed in the store, plaintext on every read, "[forgotten]" on every path after', async () => {
      const stored = await ok(['export']);
      const opened = (parseNdjson(stored.stdout) as Logged[]).find(
        (event) => event.position === 1,
      )!;
      expect(opened.data.accountId).toBe('a1');
      expect(JSON.stringify(opened.data.owner)).toMatch(/^\{"eventlite:sealed":"[0-9a-f]{16}\./);
      expect(stored.stderr).toBe(
        'the export holds personal fields sealed with 2 subject keys, which it does not carry: without them they import as "[forgotten]" (give --keys FILE to write them)\n',
      );
      expect((await log(['--limit', '1']))[0]!.data).toEqual({
        accountId: 'a1',
        owner: 'Ada Lovelace',
        address: { street: 'Ada Road 1' },
      });
      const badWait = await runOn(store, ['--domain', 'domain.mjs', 'forget', 'a1', '--yes'], {
        cwd: dir,
        env: { EVENTLITE_PURGE_WAIT: 'soon' },
      });
      expect(badWait.code).toBe(2);
      expect(badWait.stderr).toBe(
        'error: EVENTLITE_PURGE_WAIT must be a number of seconds, got "soon"\n',
      );
      expect((await log(['--limit', '1']))[0]!.data.owner).toBe('Ada Lovelace');
      expect(JSON.parse((await ok(['state', 'account-a1', '--json'])).stdout)).toMatchObject({
        owner: 'Ada Lovelace',
      });
      expect(await rows('SELECT owner FROM accounts ORDER BY account_id')).toEqual([
        { owner: 'Ada Lovelace' },
        { owner: 'Grace Hopper' },
      ]);

      const forgot = await ok(['forget', 'a1', '--yes']);
      expect(forgot.stderr).toBe(
        'forgot subject "a1": 1 key deleted, 1 event held their data (audit event at position 6); projections that read them are rebuilt by the next "eventlite projections run"\n',
      );
      const [audit] = parseNdjson(forgot.stdout) as Logged[];
      expect(audit!.data).toMatchObject({
        subject: 'a1',
        keys: 1,
        rewritten: 0,
        streams: ['account-a1'],
        events: 1,
        positions: [[1, 1]],
        types: { AccountOpened: 1 },
      });
      const forgotten = { accountId: 'a1', owner: '[forgotten]', address: '[forgotten]' };
      expect((await log(['--limit', '1']))[0]!.data).toEqual(forgotten);
      expect((parseNdjson((await ok(['read', 'account-a1'])).stdout) as Logged[])[0]!.data).toEqual(
        forgotten,
      );
      expect(JSON.parse((await ok(['state', 'account-a1', '--json'])).stdout)).toEqual({
        open: true,
        owner: '[forgotten]',
        balance: 17,
      });
      const listed = await ok(['projections', '--format', 'ndjson']);
      expect(parseNdjson(listed.stdout)).toMatchObject([
        { name: 'accounts', status: 'stale', detail: 'subject "a1" was forgotten at position 6' },
        { name: 'stream_events', status: 'behind', detail: null },
      ]);
      expect((await ok(['projections', 'run'])).stderr).toBe(
        'rebuilding projection "accounts" from event 1 (subject "a1" was forgotten at position 6)\naccounts: at position 6\nstream_events: at position 6\n',
      );
      expect(await rows('SELECT owner FROM accounts ORDER BY account_id')).toEqual([
        { owner: '[forgotten]' },
        { owner: 'Grace Hopper' },
      ]);
      // The other subject is untouched, and the next command folds and seals as before.
      expect((await log(['--type', 'AccountOpened']))[1]!.data.owner).toBe('Grace Hopper');
      await ok(['exec', 'Deposit', '{"accountId":"a1","amount":3}']);
      await ok(['verify']);
      const twice = await cli(['forget', 'a1', '--yes']);
      expect(twice.code).toBe(5);
      expect(twice.stderr).toBe(
        'error: subject "a1" was forgotten already (position 6); nothing of theirs is left to forget\n',
      );
      const nobody = await cli(['forget', 'nobody', '--yes']);
      expect(nobody.code).toBe(5);
      expect(nobody.stderr).toBe(
        'error: no personal data of subject "nobody" is stored (no key, and no declared field holds it)\n',
      );
    });

    it('export --keys and import --keys move a store with its subjects readable; a forgotten key never comes back', async () => {
      await ok(['forget', 'a2', '--yes']);
      const exported = await ok(['export', '--keys', 'keys.ndjson']);
      expect(exported.stderr).toBe('wrote 1 subject key to keys.ndjson\n');
      expect(readFileSync(join(dir, 'keys.ndjson'), 'utf8')).toMatch(
        /^\{"keyId":"[0-9a-f]{16}","subject":"a1","key":"[A-Za-z0-9+/]{43}="\}\n$/,
      );
      writeFileSync(join(dir, 'events.ndjson'), exported.stdout);
      const other = await backend.otherStore('moved.db');
      try {
        const into = (args: readonly string[]) =>
          runOn(other, ['--domain', 'domain.mjs', ...args], { cwd: dir });
        const imported = await into(['import', 'events.ndjson', '--keys', 'keys.ndjson']);
        expect(imported.code, imported.stderr).toBe(0);
        expect(imported.stderr).toBe('imported 6 events (1 subject key added); head is at 6\n');
        const owners = parseNdjson(
          (await into(['log', '--type', 'AccountOpened', '--format', 'ndjson'])).stdout,
        ) as Logged[];
        expect(owners.map((event) => event.data.owner)).toEqual(['Ada Lovelace', '[forgotten]']);
        // The moved store's export gives back the same bytes.
        expect((await into(['export'])).stdout).toBe(exported.stdout);
      } finally {
        await other.cleanup();
      }
      // Here, the key of a1 forgotten after the export stays forgotten when it is imported again.
      await ok(['forget', 'a1', '--yes']);
      const back = await ok(['import', 'events.ndjson', '--keys', 'keys.ndjson']);
      expect(back.stderr).toBe(
        'imported 0 events (6 already stored, skipped; 1 key forgotten here, left out); head is at 7\n',
      );
      const owners = (await log(['--type', 'AccountOpened'])).map((event) => event.data.owner);
      expect(owners).toEqual(['[forgotten]', '[forgotten]']);
    });

    it("the store's audit stream takes no appends and cannot be deleted or redacted", async () => {
      await ok(['streams', 'delete', 'account-a2', '--yes']);
      const cases: [string[], string][] = [
        [['append', '$eventlite', 'StreamDeleted', '{}'], 'takes no appends'],
        [['streams', 'delete', '$eventlite', '--yes'], 'cannot be deleted'],
        [['redact', '$eventlite', '--field', 'stream', '--yes'], 'cannot be redacted'],
      ];
      for (const [args, what] of cases) {
        const refused = await cli(args);
        expect(refused.code, args.join(' ')).toBe(2);
        expect(refused.stderr).toBe(
          `error: stream "$eventlite" is eventlite's own audit log; it ${what}\n`,
        );
      }
      expect(parseNdjson((await ok(['read', '$eventlite'])).stdout)).toMatchObject([
        { type: 'StreamDeleted', data: { stream: 'account-a2' } },
      ]);
      expect(defaultReadDb(store.db)).toBeTruthy();
    });
  },
  120_000,
);

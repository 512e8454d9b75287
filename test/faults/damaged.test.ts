import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_SCHEMA_VERSION } from '../../src/store/sqlite/read/schema.js';
import { BIN, cliEnv, tempDir, type CliResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { bankFolderWithReadModels, type Folder } from '../helpers/bank-folder.js';
import { digest, expectRefused, snapshot } from '../hostile/hostile-helpers.js';

// Damaged files: the store cut short or overwritten, a read database from a newer eventlite,
// deleted or damaged, a read-only folder, a full disk. Each is refused with exit 1 and one line
// that names the right file, and changes nothing; a lost read database comes back from the
// store with `projections run`, since read models are derived data.

const STORE = 'eventlite.db';
const READ_DB = 'eventlite.read.db';
const REBUILD_HINT =
  '; it holds only read models: delete it and run "eventlite projections run" to rebuild them from the store';

let pristine: Folder;
let baselineRows: string;
let baselineExport: string;
const made: Folder[] = [];

/** A copy of the pristine folder (bank example, 300 more events, a built read database). */
function copyOfPristine(): string {
  const folder = tempDir('eventlite-damaged-');
  made.push(folder);
  cpSync(pristine.dir, folder.dir, { recursive: true });
  return folder.dir;
}

/**
 * The CLI in process: the same output as bin/eventlite.js, without a Node start-up per command
 * (the read-only folder below needs another user, so it spawns).
 */
const cli = (dir: string, args: string[]) => runInProcess(args, { cwd: dir });
const summaryRows = async (dir: string) =>
  (await cli(dir, ['query', 'SELECT * FROM account_summary ORDER BY account_id', '--json'])).stdout;

/** Overwrites every page after the first (the header and the schema stay readable). */
function damagePages(path: string, fromPage = 1, pages = Infinity): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  const start = fromPage * pageSize;
  const end = Math.min(bytes.length, start + pages * pageSize);
  const garbage = Buffer.from('garbage!'.repeat(Math.ceil((end - start) / 8)));
  garbage.copy(bytes, start, 0, end - start);
  writeFileSync(path, bytes);
}

/**
 * Where in the file (as damagePages counts, from 0) the middle leaf page of the events table
 * is, found rather than written down: each store migration that adds a table moves it.
 */
function middleEventsPage(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const pages = db
      .prepare(
        `SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno`,
      )
      .pluck()
      .all() as number[];
    return pages[Math.floor(pages.length / 2)]! - 1;
  } finally {
    db.close();
  }
}

/** Every table of the read database, row by row: its content, whatever its bytes. */
function readDbContent(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]),
    );
  } finally {
    db.close();
  }
}

function removeReadDb(dir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, READ_DB + suffix), { force: true });
}

beforeAll(async () => {
  pristine = await bankFolderWithReadModels('eventlite-damaged-pristine-');
  const notes = Array.from({ length: 300 }, (_, n) =>
    JSON.stringify({ type: 'Noted', data: { n, text: 'x'.repeat(200) } }),
  );
  writeFileSync(join(pristine.dir, 'notes.ndjson'), notes.join('\n'));
  const appended = await cli(pristine.dir, ['append', 'notes', '--file', 'notes.ndjson']);
  expect(appended.code, appended.stderr).toBe(0);
  expect((await cli(pristine.dir, ['projections', 'run'])).code).toBe(0);
  baselineRows = await summaryRows(pristine.dir);
  baselineExport = (await cli(pristine.dir, ['export'])).stdout;
  expect(JSON.parse(baselineRows)).toHaveLength(2);
});
afterAll(() => {
  for (const folder of made) folder.cleanup();
  pristine.cleanup();
});

describe('a damaged store', () => {
  const commands = [
    ['log'],
    ['export'],
    ['verify'],
    ['status'],
    ['append', 's', 'T', '{}'],
    ['projections', 'run'],
  ];

  // SQLite notices damage in the pages a statement reads; only `verify` (quick_check) reads
  // them all. So with pages overwritten in the middle, an append that touches only the end of
  // the file may still succeed; every command that reads the events must refuse.
  // `projections run` finds the read models caught up and reads nothing; a rebuild reads (below).
  const readers = commands.filter(([name]) => name !== 'append' && name !== 'projections');
  it.each([
    [
      'cut in half',
      (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2)),
      commands,
    ],
    ['cut to 100 bytes', (path: string) => truncateSync(path, 100), commands],
    // From page 9 on: every b-tree of the events (the table and each index, which a count
    // may scan instead) has pages there, wherever the schema's other tables put them.
    ['overwritten from the middle on', (path: string) => damagePages(path, 8), readers],
  ])('%s: exit 1, one line naming the store, nothing written', async (_label, damage, run) => {
    const dir = copyOfPristine();
    damage(join(dir, STORE));
    const before = snapshot(dir);
    for (const args of run) {
      const result = await cli(dir, args);
      expectRefused(
        result,
        1,
        /^error: eventlite\.db (is damaged: database disk image is malformed|is not a SQLite database)\n$/,
        args.join(' '),
      );
      expect(snapshot(dir), args.join(' ')).toEqual(before);
    }
  });

  it('overwritten in the middle: a rebuild fails naming the store, and leaves the read models as they were', async () => {
    const dir = copyOfPristine();
    damagePages(join(dir, STORE), middleEventsPage(join(dir, STORE)), 5);
    const storeBefore = digest(readFileSync(join(dir, STORE)));
    const readBefore = readDbContent(join(dir, READ_DB));
    const result = await cli(dir, ['--quiet', 'projections', 'rebuild']);
    expectRefused(
      result,
      1,
      /^error: eventlite\.db is damaged: database disk image is malformed\n$/,
    );
    expect(digest(readFileSync(join(dir, STORE)))).toBe(storeBefore);
    // Compared as content, not bytes: a rebuild marks the projection as rebuilding (a commit)
    // before it reads the store, and clears the mark when it fails (another commit).
    expect(readDbContent(join(dir, READ_DB))).toEqual(readBefore);
    expect(readdirSync(dir).filter((name) => name.includes('.rebuild-'))).toEqual([]);
  });

  it('when the read models live in the store file, no message advises deleting it', async () => {
    const dir = copyOfPristine();
    truncateSync(join(dir, STORE), 100);
    for (const args of [['query', 'SELECT 1'], ['tables'], ['projections', 'run']]) {
      const result = await cli(dir, ['--read-db', STORE, ...args]);
      expectRefused(result, 1, /^error: eventlite\.db is (damaged|not a SQLite database)/);
      expect(result.stderr).not.toContain('delete');
    }
  });
});

describe('a damaged read database, with the store fine', () => {
  const commands = [
    ['query', 'SELECT * FROM account_summary'],
    ['tables'],
    ['projections'],
    ['projections', 'run'],
    ['status'],
    ['verify'],
  ];

  async function expectRecoveredByRun(dir: string, storeDigest: string): Promise<void> {
    // The store commands never needed the read database.
    expect((await cli(dir, ['export'])).stdout).toBe(baselineExport);
    removeReadDb(dir);
    const missing = await cli(dir, ['query', 'SELECT 1']);
    expectRefused(missing, 5, /no read database at eventlite\.read\.db yet/);
    const run = await cli(dir, ['projections', 'run']);
    expect(run.code, run.stderr).toBe(0);
    expect(await summaryRows(dir)).toBe(baselineRows);
    expect((await cli(dir, ['verify'])).code).toBe(0);
    expect(digest(readFileSync(join(dir, STORE)))).toBe(storeDigest);
  }

  it.each([
    [
      'overwritten with garbage',
      (path: string) => writeFileSync(path, Buffer.alloc(8192, 'not sqlite ')),
      'is not a SQLite database',
    ],
    [
      'its pages overwritten, the header intact',
      (path: string) => damagePages(path),
      'is damaged: database disk image is malformed',
    ],
  ])(
    '%s: exit 1 naming the read database and how to rebuild it; deleting it and running recovers',
    async (_label, damage, problem) => {
      const dir = copyOfPristine();
      const storeDigest = digest(readFileSync(join(dir, STORE)));
      damage(join(dir, READ_DB));
      const before = snapshot(dir);
      for (const args of commands) {
        const result = await cli(dir, args);
        expectRefused(result, 1, /^error: /, args.join(' '));
        // Never blamed on the store: that would send the user after the wrong file.
        expect(result.stderr, args.join(' ')).toBe(
          `error: eventlite.read.db ${problem}${REBUILD_HINT}\n`,
        );
        expect(snapshot(dir), args.join(' ')).toEqual(before);
      }
      await expectRecoveredByRun(dir, storeDigest);
    },
  );

  it('deleted: run rebuilds it from the store and queries give the same rows', async () => {
    const dir = copyOfPristine();
    await expectRecoveredByRun(dir, digest(readFileSync(join(dir, STORE))));
  });

  it('from a newer eventlite: refused with exit 1 and left as it was', async () => {
    const dir = copyOfPristine();
    const raw = new Database(join(dir, READ_DB));
    raw.prepare(`UPDATE eventlite_read_meta SET value = 99 WHERE key = 'schema_version'`).run();
    raw.close();
    const before = snapshot(dir);
    for (const args of [
      ['projections', 'run'],
      ['projections', 'rebuild'],
    ]) {
      const result = await cli(dir, args);
      expectRefused(
        result,
        1,
        new RegExp(
          `^error: eventlite\\.read\\.db holds read models from a newer eventlite \\(read schema 99; this version reads up to ${READ_SCHEMA_VERSION}\\); upgrade eventlite\n$`,
        ),
        args.join(' '),
      );
      expect(snapshot(dir)).toEqual(before);
    }
  });
});

describe('a read-only folder', () => {
  // root ignores permissions, so as root the CLI runs as nobody (via setpriv).
  const asRoot = process.getuid?.() === 0;
  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  const reason = asRoot && !setpriv ? 'running as root without setpriv to drop privileges' : '';
  if (reason) console.warn(`skipping the read-only folder test: ${reason}`);

  function runAsUser(cwd: string, args: string[]): CliResult {
    const [command, prefix] = asRoot
      ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]]
      : [process.execPath, []];
    const result = spawnSync(command, [...prefix, BIN, ...args], {
      cwd,
      encoding: 'utf8',
      env: cliEnv(),
    });
    return {
      code: result.status,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  }

  it.skipIf(reason !== '')(
    'refuses writes with exit 1 and one line, creating and changing nothing',
    () => {
      const outer = mkdtempSync(join(tmpdir(), 'eventlite-readonly-'));
      const dir = join(outer, 'locked');
      try {
        mkdirSync(dir);
        for (const name of [STORE, READ_DB, 'eventlite.config.ts']) {
          cpSync(join(pristine.dir, name), join(dir, name));
        }
        chmodSync(outer, 0o755);
        // Only the folder is read-only: the files themselves stay writable.
        for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o666);
        chmodSync(dir, 0o555);
        const before = snapshot(dir);
        for (const args of [
          ['append', 's', 'T', '{}'],
          ['import', '-'],
          ['projections', 'run'],
          // Even a query: in WAL mode a reader needs the -shm file, which cannot be created.
          ['query', 'SELECT count(*) FROM account_summary'],
        ]) {
          const result = runAsUser(dir, args);
          expectRefused(
            result,
            1,
            /^error: cannot open eventlite(\.read)?\.db: its folder is read-only, and SQLite must create eventlite(\.read)?\.db-wal and -shm there\n$/,
            args.join(' '),
          );
          expect(snapshot(dir)).toEqual(before);
        }
        // With the folder writable again, the same files work.
        chmodSync(dir, 0o777);
        const query = runAsUser(dir, [
          'query',
          'SELECT count(*) AS n FROM account_summary',
          '--json',
        ]);
        expect(query.stdout, query.stderr).toBe('[\n{"n":2}\n]\n');
      } finally {
        chmodSync(dir, 0o755);
        rmSync(outer, { recursive: true, force: true });
      }
    },
  );
});

describe('a full disk', () => {
  // A 2 MB tmpfs is a disk that fills in a second. Mounting needs root (or a container that
  // allows it); elsewhere the test is skipped and says why.
  const mountPoint = mkdtempSync(join(tmpdir(), 'eventlite-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], {
    encoding: 'utf8',
  });
  const reason =
    mounted.status === 0
      ? ''
      : `cannot mount a small tmpfs (${(mounted.stderr || mounted.error?.message || 'unknown').trim()})`;
  if (reason) console.warn(`skipping the full-disk tests: ${reason}`);
  afterAll(() => {
    if (!reason) spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });
  const FULL =
    /^error: cannot write [^:]*\.db: (the disk is full|no room to grow [^:]*-shm; the disk may be full)\n$/;

  it.skipIf(reason !== '')(
    'appends until the disk is full: exit 1 in one line, and every earlier event intact',
    async () => {
      const dir = join(mountPoint, 'store');
      mkdirSync(dir);
      try {
        const pad = 'p'.repeat(200_000);
        const padFile = join(copyOfPristine(), 'pad.ndjson');
        writeFileSync(padFile, JSON.stringify({ type: 'Padded', data: { pad } }));
        let appended = 0;
        let refused: CliResult | undefined;
        for (let attempt = 0; attempt < 40 && !refused; attempt += 1) {
          const result = await cli(dir, ['append', 'pad', '--file', padFile, '--quiet']);
          if (result.code === 0) appended += 1;
          else refused = result;
        }
        expect(refused, 'the disk never filled').toBeDefined();
        expectRefused({ ...refused!, stdout: '' }, 1, FULL);
        expect(appended).toBeGreaterThan(3);
        expect((await cli(dir, ['verify'])).code).toBe(0);
        const status = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as {
          events: number;
        };
        expect(status.events).toBe(appended);
        const read = await cli(dir, ['read', 'pad', '--format', 'ndjson']);
        const events = read.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { version: number; data: { pad: string } });
        expect(events.map((event) => event.version)).toEqual(
          Array.from({ length: appended }, (_, n) => n + 1),
        );
        expect(events.every((event) => event.data.pad === pad)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(reason !== '')(
    'a read database on a full disk: exit 1, the projection not marked failed, and run finishes once there is room',
    async () => {
      const dir = copyOfPristine();
      removeReadDb(dir);
      const readDb = join(mountPoint, 'bank.read.db');
      const filler = join(mountPoint, 'filler');
      const free = Number(
        spawnSync('df', ['--output=avail', '-B1', mountPoint], { encoding: 'utf8' }).stdout.split(
          '\n',
        )[1],
      );
      for (const room of [16 * 1024, 40 * 1024]) {
        writeFileSync(filler, Buffer.alloc(free - room));
        try {
          const result = await cli(dir, ['--read-db', readDb, 'projections', 'run']);
          expectRefused(result, 1, FULL, `room ${room}`);
          const listed = await cli(dir, ['--read-db', readDb, 'projections', '--json']);
          if (listed.code === 0) {
            const [row] = JSON.parse(listed.stdout) as { status: string }[];
            expect(row!.status).not.toBe('failed');
          }
        } finally {
          rmSync(filler, { force: true });
        }
        const run = await cli(dir, ['--read-db', readDb, 'projections', 'run']);
        expect(run.code, run.stderr).toBe(0);
        expect(
          (
            await cli(dir, [
              '--read-db',
              readDb,
              'query',
              'SELECT * FROM account_summary ORDER BY account_id',
              '--json',
            ])
          ).stdout,
        ).toBe(baselineRows);
        for (const suffix of ['', '-wal', '-shm']) rmSync(readDb + suffix, { force: true });
      }
    },
  );
});

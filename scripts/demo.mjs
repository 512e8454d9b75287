// `npm run demo`: the bank example, then the orders example over three months, told through
// real eventlite commands in a fresh folder.
// Each command is printed before it runs, so the class sees exactly what to type.
// Options: --delay MS paces the replay (default 0), --keep leaves the folder (and the stores)
// for exploring, --db postgres://… (or EVENTLITE_DB set to one) runs it on PostgreSQL: the bank
// store in that database, the orders store in a database beside it (NAME_orders), both created
// when missing and emptied again at the end unless --keep.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'eventlite.js');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const delayAt = args.indexOf('--delay');
const delay = delayAt === -1 ? '0' : (args[delayAt + 1] ?? '0');
const dbAt = args.indexOf('--db');
const server = dbAt === -1 ? process.env.EVENTLITE_DB || undefined : args[dbAt + 1];
if (server !== undefined && !/^postgres(ql)?:\/\//i.test(server)) {
  process.stderr.write(
    `demo: --db (or EVENTLITE_DB) takes a postgres:// URL, got "${server}"; without one the demo runs on SQLite files in a fresh folder\n`,
  );
  process.exit(2);
}
/** Each example's store on the server: the bank in the database given, the orders beside it. */
const stores = server && { bank: server, orders: besideDatabase(server, '_orders') };

const folder = mkdtempSync(join(tmpdir(), 'eventlite-demo-'));
/** The store the commands run on: undefined on SQLite (each example's folder has its file). */
let store = stores?.bank;

/**
 * Runs one eventlite command in the demo folder; `allowed` lists the exit codes the story
 * expects. On PostgreSQL the store comes from EVENTLITE_DB, so the commands read as they would
 * on SQLite (and show no password). `capture` returns stdout instead of printing it.
 */
function eventlite(commandArgs, { allowed = [0], title, cwd = folder, db = store, capture } = {}) {
  if (title) process.stdout.write(`\n# ${title}\n`);
  const shown = commandArgs.map((arg) => (/^[\w./=:-]+$/.test(arg) ? arg : `'${arg}'`)).join(' ');
  if (!capture) process.stdout.write(`$ eventlite ${shown}\n`);
  const result = spawnSync(process.execPath, [BIN, ...commandArgs], {
    cwd,
    stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
    env: {
      ...process.env,
      EVENTLITE_DB: db,
      EVENTLITE_READ_DB: undefined,
      EVENTLITE_QUERY_DB: undefined,
      EVENTLITE_DOMAIN: undefined,
    },
  });
  if (!allowed.includes(result.status)) {
    throw new Error(`eventlite ${shown} exited ${result.status ?? result.signal}`);
  }
  return result.stdout;
}

/** The same server and credentials, another database: NAME + suffix. */
function besideDatabase(url, suffix) {
  const other = new URL(url);
  const name = decodeURIComponent(other.pathname.slice(1)) || decodeURIComponent(other.username);
  other.pathname = `/${encodeURIComponent(`${name}${suffix}`)}`;
  return other.toString();
}

/** A URL as it may be printed: without its password. */
function withoutPassword(url) {
  const shown = new URL(url);
  shown.password = '';
  return shown.toString();
}

/** The story starts from an empty store: one that holds events is left alone. */
function checkEmpty(db, cwd = folder) {
  const { events } = JSON.parse(
    eventlite(['status', '--format', 'json'], { db, cwd, capture: true }),
  );
  if (events > 0) {
    throw new Error(
      `${withoutPassword(db)} already holds ${events} events; the demo needs an empty store (another database, or eventlite reset)`,
    );
  }
}

try {
  process.stdout.write(`A fresh folder for the demo: ${folder}\n`);
  if (stores) {
    process.stdout.write(
      `On PostgreSQL: the store is the database in EVENTLITE_DB\n$ export EVENTLITE_DB=${withoutPassword(stores.bank)}\n`,
    );
  }
  eventlite(['init', '--example', 'bank'], {
    title: 'Scaffold the bank example: a domain module, a scenario, specs',
  });
  if (stores) checkEmpty(stores.bank);
  eventlite(['test', '--format', 'table'], { title: 'The deciders meet their specs' });
  eventlite(['replay', 'scenario.ndjson', '--keep-going', '--delay', delay, '--format', 'table'], {
    title: 'Replay the story: commands become events (one is refused)',
  });
  eventlite(['state', 'account-acc-1', '--format', 'table'], {
    title: 'The state is folded from the events, on demand',
  });
  eventlite(['state', 'account-acc-2', '--format', 'table']);
  eventlite(['state', 'account-acc-2', '--at', '2', '--format', 'table'], {
    title: 'Time travel: the same stream as of version 2',
  });
  eventlite(['exec', 'Withdraw', '{"accountId":"acc-1","amount":500}', '--trace'], {
    title: 'One command, step by step: read, fold, decide... and a rejection (exit 4)',
    allowed: [4],
  });
  eventlite(
    ['exec', 'Withdraw', '{"accountId":"acc-1","amount":20}', '--trace', '--format', 'table'],
    {
      title: 'The same, within the balance: the events are appended',
    },
  );
  eventlite(['streams', '--format', 'table'], { title: 'The streams and the global log' });
  eventlite(['log', '--format', 'table']);
  eventlite(['projections', 'run'], {
    title: 'The read side: the projection turns the events into a table',
  });
  eventlite(['projections', '--format', 'table']);
  eventlite(['query', 'SELECT * FROM account_summary ORDER BY account_id', '--format', 'table'], {
    title: 'Query the read model with plain SQL',
  });

  // The orders example in a folder of its own: its scenario has comments and says when each
  // line happens ("at"), so the monthly summary has three months to show.
  const orders = join(folder, 'orders');
  mkdirSync(orders);
  process.stdout.write(`\nThe orders example, in ${orders}\n`);
  if (stores) {
    store = stores.orders;
    process.stdout.write(`$ export EVENTLITE_DB=${withoutPassword(stores.orders)}\n`);
  }
  eventlite(['init', '--example', 'orders'], {
    title: 'Scaffold the orders example: customers, orders and a monthly summary',
    cwd: orders,
  });
  if (stores) checkEmpty(stores.orders, orders);
  eventlite(['replay', 'scenario.ndjson', '--keep-going', '--delay', delay, '--format', 'table'], {
    title: 'Replay three months of orders (the scenario says when each line happens)',
    cwd: orders,
  });
  eventlite(['projections', 'run'], { title: 'Build the read models', cwd: orders });
  eventlite(
    [
      'query',
      'SELECT * FROM monthly_customer_summary ORDER BY customer_id, month',
      '--format',
      'table',
    ],
    { title: 'The monthly summary: what each customer spent, month by month', cwd: orders },
  );
  if (stores && !keep) {
    process.stdout.write("\n# Empty the demo's stores again (--keep leaves them)\n");
    eventlite(['reset', '--yes'], { db: stores.bank });
    eventlite(['reset', '--yes'], { db: stores.orders, cwd: orders });
  }
} catch (error) {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  if (keep) {
    process.stdout.write(`\nThe demo folder stays at ${folder}\n`);
    if (stores) {
      process.stdout.write(
        `and its stores in ${withoutPassword(stores.bank)} and ${withoutPassword(stores.orders)}\n`,
      );
    }
  } else rmSync(folder, { recursive: true, force: true });
}

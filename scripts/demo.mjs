// `npm run demo`: the bank example, then the orders example over three months, told through
// real eventlite commands in a fresh folder.
// Each command is printed before it runs, so the class sees exactly what to type.
// Options: --delay MS paces the replay (default 0), --keep leaves the folder for exploring.
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

const folder = mkdtempSync(join(tmpdir(), 'eventlite-demo-'));

/** Runs one eventlite command in the demo folder; `allowed` lists the exit codes the story expects. */
function eventlite(commandArgs, { allowed = [0], title, cwd = folder } = {}) {
  if (title) process.stdout.write(`\n# ${title}\n`);
  const shown = commandArgs.map((arg) => (/^[\w./=:-]+$/.test(arg) ? arg : `'${arg}'`)).join(' ');
  process.stdout.write(`$ eventlite ${shown}\n`);
  const result = spawnSync(process.execPath, [BIN, ...commandArgs], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, EVENTLITE_DB: undefined, EVENTLITE_DOMAIN: undefined },
  });
  if (!allowed.includes(result.status)) {
    throw new Error(`eventlite ${shown} exited ${result.status ?? result.signal}`);
  }
}

try {
  process.stdout.write(`A fresh folder for the demo: ${folder}\n`);
  eventlite(['init', '--example', 'bank'], {
    title: 'Scaffold the bank example: a domain module, a scenario, specs',
  });
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
  eventlite(['init', '--example', 'orders'], {
    title: 'Scaffold the orders example: customers, orders and a monthly summary',
    cwd: orders,
  });
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
} catch (error) {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  if (keep) process.stdout.write(`\nThe demo folder stays at ${folder}\n`);
  else rmSync(folder, { recursive: true, force: true });
}

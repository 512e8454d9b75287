import type { Command } from 'commander';
import {
  dropSubscription,
  listSubscriptions,
  retrySubscription,
  subscriptionSetAside,
} from '../../app/subscriptions/manage.js';
import { validateSubscriptionName } from '../../app/subscriptions/subscribe.js';
import type { SetAsideRow } from '../../core/set-aside.js';
import { confirm } from '../confirm.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printRows } from '../output/print.js';

const COLUMNS = [
  'name',
  'member',
  'of',
  'checkpoint',
  'head',
  'lag',
  'parked',
  'skipped',
  'filter',
  'lastAckAt',
];
const SET_ASIDE_COLUMNS = [
  'position',
  'stream',
  'type',
  'kind',
  'member',
  'attempts',
  'queued',
  'at',
  'error',
];

/** `subscriptions` (the list) and its subcommands parked, retry and drop. */
export function registerSubscriptions(program: Command, io: CliIo): void {
  const subscriptions = program
    .command('subscriptions')
    .description('list subscriptions, a row per member: checkpoint, head, lag, parked and skipped')
    .argument('[name]', 'only this subscription');
  withFormatOptions(subscriptions, DATA_FORMATS).action(
    async (name: string | undefined, flags: FormatFlags, command: Command) => {
      const run = startRun(command, io);
      const format = formatOf(run, flags, DATA_FORMATS);
      if (name !== undefined) validateSubscriptionName(name);
      const rows = await withApp(run, { store: 'existing' }, (app) => listSubscriptions(app, name));
      await printRows(run.out, format, rows, COLUMNS);
    },
  );

  withFormatOptions(
    subscriptions
      .command('parked')
      .description(
        "list a subscription's set-aside events: parked (to deliver again) and skipped, with the error",
      )
      .argument('<name>', 'the subscription'),
    DATA_FORMATS,
  ).action(async (name: string, flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, withParentFormat(flags, command), DATA_FORMATS);
    validateSubscriptionName(name);
    const rows = await withApp(run, { store: 'existing' }, (app) =>
      subscriptionSetAside(app, name),
    );
    await printRows(run.out, format, rows.map(shownRow), SET_ASIDE_COLUMNS);
  });

  subscriptions
    .command('retry')
    .description(
      "deliver a subscription's parked events again, before new ones: at once to a running subscribe --follow, else on the next run",
    )
    .argument('<name>', 'the subscription')
    .option('--skipped', 'its skipped events too')
    .action(async (name: string, flags: { skipped?: boolean }, command: Command) => {
      const run = startRun(command, io);
      validateSubscriptionName(name);
      const queued = await withApp(run, { store: 'existing' }, (app) =>
        retrySubscription(app, name, flags),
      );
      run.note(
        queued === 0
          ? `subscription "${name}": nothing to deliver again`
          : `subscription "${name}": ${queued} event${queued === 1 ? '' : 's'} queued to be delivered again, before new ones`,
      );
    });

  subscriptions
    .command('drop')
    .description(
      "forget a subscription: every member's checkpoint and set-aside events (asks first; --yes for scripts)",
    )
    .argument('<name>', 'the subscription')
    .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)')
    .action(async (name: string, flags: { yes?: boolean }, command: Command) => {
      const run = startRun(command, io);
      validateSubscriptionName(name);
      await withApp(run, { store: 'existing' }, async (app) => {
        // Looked for first: a name that is not there needs no confirmation.
        await listSubscriptions(app, name);
        await confirm(
          run,
          `drop forgets subscription "${name}": its next run delivers every event again`,
          flags.yes,
        );
        await dropSubscription(app, name);
      });
      run.note(`dropped subscription "${name}"`);
    });
}

/** A set-aside event as listed, keys in the columns' order. */
function shownRow(row: SetAsideRow): Record<string, unknown> {
  const { position, stream, type, kind, member, attempts, queued, at, error } = row;
  return { position, stream, type, kind, member, attempts, queued, at, error };
}

/**
 * The flags with `--format`/`--json` wherever commander put them: the list has the same
 * options, and commander hands a subcommand's options to the parent first when it has them.
 */
export function withParentFormat(flags: FormatFlags, command: Command): FormatFlags {
  const parent = command.parent?.opts<FormatFlags>() ?? {};
  return { format: flags.format ?? parent.format, json: flags.json ?? parent.json };
}

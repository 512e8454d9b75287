import type { Command } from 'commander';
import { forgetSubject } from '../../app/forget.js';
import { shownLocation } from '../../app/open.js';
import { validateName } from '../../core/input.js';
import { confirm } from '../confirm.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printLifecycleResult, REBUILD_HINT } from '../output/lifecycle.js';

export function registerForget(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('forget')
      .description(
        'crypto-shred a subject: delete their key, so the personal fields the domain declares read as "[forgotten]" everywhere. Audited; asks first (--yes for scripts)',
      )
      .argument('<subject>', 'the value of the subject field, e.g. the accountId a1')
      .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)'),
    DATA_FORMATS,
  ).action(async (subject: string, flags: FormatFlags & { yes?: boolean }, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('subject', subject);
    await withApp(run, { store: 'existing' }, async (app) => {
      await confirm(
        run,
        `forget makes the personal data of subject "${subject}" in ${shownLocation(run.ctx.locations.db)} unreadable for good`,
        flags.yes,
      );
      const result = await forgetSubject(app, subject);
      const { keys, events } = result.audit.data as { keys: number; events: number };
      const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
      await printLifecycleResult(
        run,
        format,
        result,
        `forgot subject "${subject}": ${plural(keys, 'key')} deleted, ${plural(events, 'event')} held their data`,
        REBUILD_HINT,
      );
    });
  });
}

import type { Command } from 'commander';
import { StoreError } from '../../core/errors.js';
import { checkCheckpoints } from '../../projections/index.js';
import { verifyStore } from '../../store/index.js';
import { withFormatOptions } from '../format-options.js';
import { DATA_FORMATS, type FormatFlags } from '../formats.js';
import { type CliStreams, formatOf, startRun, withStore } from '../io.js';
import { printRows } from '../print.js';

export function registerVerify(program: Command, streams: CliStreams): void {
  withFormatOptions(
    program
      .command('verify')
      .description(
        'check integrity (gapless positions, contiguous versions, schema, checkpoints); exit 0 only if all hold',
      ),
    DATA_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, streams);
    const format = formatOf(run, flags, DATA_FORMATS);
    const checks = await withStore(run.ctx, { create: false }, (db) => {
      // With a read database: its checkpoints must not be past the head.
      const checkpoints = checkCheckpoints(db, run.ctx.readDbPath);
      return checkpoints ? [...verifyStore(db), checkpoints] : verifyStore(db);
    });
    const rows = checks.map((check) => ({
      check: check.name,
      ok:
        format === 'table'
          ? check.ok
            ? run.out.style.green('ok')
            : run.out.style.red('FAIL')
          : check.ok,
      detail: check.detail,
    }));
    await printRows(run.out, format, rows, ['check', 'ok', 'detail']);
    const failed = checks.filter((check) => !check.ok);
    if (failed.length > 0) {
      throw new StoreError(`verify: ${failed.length} of ${checks.length} checks failed`);
    }
  });
}

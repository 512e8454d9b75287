import type { Command } from 'commander';
import { verifyStore } from '../../app/status.js';
import { StoreError } from '../../core/errors.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printRows } from '../output/print.js';
import { StyledCell } from '../output/styled.js';

export function registerVerify(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('verify')
      .description(
        'check integrity (gapless positions, contiguous versions, schema, checkpoints); exit 0 only if all hold',
      ),
    DATA_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    // With read models: their checkpoints must not be past the head.
    const checks = await withApp(run, { store: 'existing', read: 'read' }, verifyStore);
    const { style } = run.out;
    const rows = checks.map((check) => ({
      check: check.name,
      ok:
        format === 'table'
          ? check.ok
            ? new StyledCell('ok', style.green)
            : new StyledCell('FAIL', style.red)
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

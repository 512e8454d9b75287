import { type Command, Option } from 'commander';
import { type CaseResult } from '../../app/specs/spec-case.js';
import { runSpecs } from '../../app/test-specs.js';
import { InputError } from '../../core/errors.js';
import { CommandFailed } from '../command-failed.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, type Run, startRun } from '../run.js';
import { domainLoader } from '../with-app.js';
import { printRows } from '../output/print.js';
import { printable } from '../output/printable.js';
import { REPORTERS, renderSpecReport, type Reporter } from '../output/spec-reports.js';

interface TestFlags extends FormatFlags {
  reporter?: Reporter;
}

export function registerTest(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('test')
      .description(
        "run given/when/then specs (YAML or JSON): given events, when a command, then events or a rejection, or then a query's rows",
      )
      .argument('[spec...]', 'spec files or folders (default: ./specs)')
      .addOption(
        new Option(
          '--reporter <name>',
          'print a report for CI instead: junit (XML) or tap (TAP version 13)',
        ).choices(REPORTERS),
      ),
    DATA_FORMATS,
  ).action(async (paths: string[], flags: TestFlags, command: Command) => {
    const run = startRun(command, io);
    if (flags.reporter && (flags.format !== undefined || flags.json)) {
      throw new InputError('--reporter and --format both say what to print; give one of them');
    }
    const format = formatOf(run, flags, DATA_FORMATS);
    const results = await runSpecs(paths, {
      cwd: io.cwd,
      loadDomain: domainLoader(run),
      // Projection cases run on the read models' backend, in scratch read models of their own.
      readDb: run.ctx.locations.readDb,
      onWarning: (warning) => io.stderr.write(`warning: ${warning}\n`),
    });
    if (flags.reporter) {
      await run.out.write(renderSpecReport(flags.reporter, results));
      await run.out.flush();
    } else if (format === 'table') await printCaseLines(run, results);
    else
      await printRows(
        run.out,
        format,
        results.map((result) => ({ ...result })),
      );
    const failed = results.filter((result) => !result.passed).length;
    const passed = results.length - failed;
    if (failed > 0) throw new CommandFailed(`${failed} of ${results.length} specs failed`);
    run.note(`${passed} of ${results.length} specs passed`);
  });
}

async function printCaseLines(run: Run, results: readonly CaseResult[]): Promise<void> {
  const { style } = run.out;
  let file: string | undefined;
  for (const result of results) {
    if (result.file !== file) {
      file = result.file;
      await run.out.line(style.bold(printable(file)));
    }
    const mark = result.passed ? style.green('✓') : style.red('✗');
    await run.out.line(
      `  ${mark} ${printable(result.name)}${style.dim(`  (line ${result.line})`)}`,
    );
    if (result.passed || !result.message) continue;
    // A projection case's message lists expected and actual rows, one per line: keep them indented.
    for (const line of result.message.split('\n')) {
      await run.out.line(`      ${style.red(printable(line))}`);
    }
  }
  await run.out.flush();
}

import type { Command } from 'commander';
import {
  checkAgainstStore,
  syntaxErrorReport,
  typeCheckDomain,
  type UnknownHandler,
} from '../../app/check.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';

interface CheckFlags {
  types?: boolean;
  requireTypes?: boolean;
}

export function registerCheck(program: Command, io: CliIo): void {
  program
    .command('check')
    .description(
      "check the domain module for CI: it loads and has the right shape, it type-checks (TypeScript), every stored event can be read as today's, and its projections handle only event types there are",
    )
    .option('--no-types', 'do not type-check')
    .option(
      '--require-types',
      'fail (exit 5) when a TypeScript module cannot be type-checked for want of TypeScript; the default when CI is set',
    )
    .action(async (flags: CheckFlags, command: Command) => {
      const run = startRun(command, io);
      if (flags.requireTypes && flags.types === false) {
        throw new InputError('--require-types and --no-types contradict each other; give one');
      }
      const domain = await domainLoader(run)().catch(async (error: unknown) => {
        // A module that does not parse: TypeScript's syntax errors in it and the files it
        // imports, in tsc's format, before the loader's line (which shows the first).
        if (flags.types !== false && run.ctx.domainPath !== undefined) {
          const report = await syntaxErrorReport(run.ctx.domainPath, io.cwd);
          if (report !== undefined) io.stderr.write(report);
        }
        throw error;
      });
      const label = run.ctx.domainPath!;
      const deciders = Object.keys(domain.deciders).length;
      const projections = domain.projections?.length ?? 0;
      await run.out.line(
        `${label}: loads, ${plural(deciders, 'decider')} and ${plural(projections, 'projection')}`,
      );
      // Every failure is told, not only the first: the type errors are reported here, and the
      // store's findings (warnings included) still follow them.
      const failures: string[] = [];
      if (flags.types !== false) {
        const result = await typeCheckDomain(label, io.cwd);
        if (result.status === 'ok') {
          await run.out.line(`${label}: type-checks (TypeScript ${result.version})`);
        } else if (result.status === 'errors') {
          await run.out.flush();
          io.stderr.write(result.report);
          failures.push(
            `${plural(result.errorCount, 'type error')} (TypeScript ${result.version})`,
          );
        } else if (result.status === 'unavailable' && (flags.requireTypes || isCi(io.env))) {
          // Not found (5), not bad input (2): the job lacks a tool, the module may be fine.
          await run.out.flush();
          const why = flags.requireTypes ? '--require-types' : `CI=${io.env.CI}`;
          throw new NotFoundError(
            `${label}: not type-checked: ${result.reason}; ${why} makes that a failure (--no-types checks without types)`,
          );
        } else {
          await run.out.line(`${label}: not type-checked: ${result.reason}`);
        }
      }
      const found = await withApp(run, { store: 'peek' }, (app) =>
        checkAgainstStore(app.store, domain),
      );
      if (found.types === undefined) {
        await run.out.line(`${label}: projection handlers not compared: the store has no events`);
      } else {
        if (found.unreadable.length === 0 && domain.events !== undefined) {
          await run.out.line(`${label}: every stored event reads as a declared type of today`);
        }
        if (found.neverCalled.length === 0) {
          await run.out.line(`${label}: every projection handler's event type is in the store`);
        }
      }
      await run.out.flush();
      for (const handler of found.neverCalled) {
        io.stderr.write(`warning: ${neverCalled(handler)}\n`);
      }
      failures.push(...found.unreadable);
      if (failures.length > 0) throw new InputError(`${label}: ${failures.join('; ')}`);
    });
}

function neverCalled({ projection, type, why, readsAs }: UnknownHandler): string {
  const handles = `projection "${projection}" handles ${type}`;
  if (why === 'old-name') {
    return `${handles}, an old name whose events read as ${readsAs}: it is never called`;
  }
  if (why === 'undeclared') {
    return `${handles}, which events does not declare: it is never called (a typo?)`;
  }
  return `${handles}, which no stored event has: it is never called (a typo?)`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A CI job, as CI services announce one (CI=true on GitHub Actions, GitLab, CircleCI and the
 * rest): there a check that quietly checked less than it says would turn the job green.
 */
function isCi(env: Record<string, string | undefined>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

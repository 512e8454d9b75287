import type { LifecycleResult } from '../../core/ports.js';
import type { Format } from './formats.js';
import type { Run } from '../run.js';
import { printEvents } from './print.js';
import { printableLines } from './printable.js';

/**
 * What every lifecycle command prints: its audit event on stdout (data for scripts), a line
 * on stderr saying what it did, and a warning when the removed bytes may still be on disk.
 */
export async function printLifecycleResult(
  run: Run,
  format: Format,
  result: LifecycleResult,
  said: string,
  then?: string,
): Promise<void> {
  await printEvents(run.out, format, [[result.audit]]);
  run.note(`${said} (audit event at position ${result.audit.position})${then ? `; ${then}` : ''}`);
  if (result.purgeWarning) run.io.stderr.write(`warning: ${printableLines(result.purgeWarning)}\n`);
}

/** The hint after a command that removed or rewrote events projections may have read. */
export const REBUILD_HINT =
  'projections that read them are rebuilt by the next "eventlite projections run"';

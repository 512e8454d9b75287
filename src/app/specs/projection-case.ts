import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Domain } from '../../core/domain.js';
import { EventliteError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import type { EventStore } from '../../core/ports.js';
import { runProjections } from '../../projections/index.js';
import { openEventStore, openReadStore, scratchReadModels } from '../open.js';
import { rowsMismatch } from './rows-match.js';
import { recordGiven } from './run-specs.js';
import { PROJECTION_SPEC_STREAM, type CaseOutcome, type ProjectionCase } from './spec-case.js';

/** `last_run_at` in the scratch bookkeeping: fixed, so nothing in a spec run reads the clock. */
const SPEC_RUN_AT = '2026-01-01T00:00:00.000Z';

/**
 * The projection half of `eventlite test`: given events, then a query's rows. Each case builds
 * its read models from nothing, the way `projections run` and `query` would: the given events
 * go into a scratch in-memory store, the domain's projections run over them with the real
 * runner into scratch read models, and the query runs there on a read-only connection, with
 * the same refusals as `eventlite query`. The read models are a SQLite file in a temporary
 * folder, or, when `readDb` is a PostgreSQL URL, a schema of their own in that database (so
 * that per-dialect SQL is checked in the dialect it will run in); either is removed afterwards.
 *
 * A failing handler or query fails the case (with its message) rather than the whole run.
 */
export async function runProjectionCase(
  domain: Domain,
  specCase: ProjectionCase,
  options: { readDb?: string } = {},
): Promise<CaseOutcome> {
  const folder = mkdtempSync(join(tmpdir(), 'eventlite-spec-'));
  const scratch = scratchReadModels(options.readDb, folder);
  const { locations } = scratch;
  const store = await openEventStore(locations, 'create');
  try {
    await storeGiven(store, specCase);
    const write = (await openReadStore(locations, 'write', { scratch: true }))!;
    try {
      await runProjections({ events: store, read: write }, domain.projections ?? [], {
        now: () => SPEC_RUN_AT,
      });
    } finally {
      await write.close();
    }
    const read = (await openReadStore(locations, 'read', { scratch: true }))!;
    try {
      const result = await read.query(specCase.query, specCase.params);
      const problem = rowsMismatch(specCase.rows, result);
      return problem === undefined ? { passed: true } : { passed: false, message: problem };
    } finally {
      await read.close();
    }
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return { passed: false, message: error.message };
  } finally {
    await store.close();
    await scratch.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * An import rather than an append: it keeps each event's id and recordedAt (append stamps one
 * time per batch from the clock), so the given events land exactly as recordGiven makes them
 * for command specs: positions in order, versions per stream, fixed ids and times.
 */
async function storeGiven(store: EventStore, specCase: ProjectionCase): Promise<void> {
  const session = await store.beginImport();
  try {
    const events = recordGiven(specCase.given, PROJECTION_SPEC_STREAM).map((event) => ({
      stream: validateName('stream', event.stream),
      type: validateName('event type', event.type),
      id: event.id,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt,
      schemaVersion: event.schemaVersion,
    }));
    await session.add(events);
    await session.commit();
  } catch (error) {
    await session.rollback();
    throw error;
  }
}

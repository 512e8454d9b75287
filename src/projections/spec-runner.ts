import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Domain } from '../core/domain.js';
import { EventliteError } from '../core/errors.js';
import { validateName } from '../core/input.js';
import { rowsMismatch } from '../domain/specs/rows-match.js';
import { recordGiven } from '../domain/specs/run-specs.js';
import {
  PROJECTION_SPEC_STREAM,
  type CaseOutcome,
  type ProjectionCase,
} from '../domain/specs/spec-case.js';
import { beginImport, openStore, type Db } from '../store/index.js';
import { runQuery } from './query.js';
import { openReadDatabase } from './read-schema.js';
import { runProjections } from './runner.js';

/** `last_run_at` in the scratch bookkeeping: fixed, so nothing in a spec run reads the clock. */
const SPEC_RUN_AT = '2026-01-01T00:00:00.000Z';

/**
 * The projection half of `eventlite test`: given events, then a query's rows. Each case builds
 * its read models from nothing, the way `projections run` and `query` would: the given events
 * go into a scratch in-memory store, the domain's projections run over them with the real
 * runner into a scratch read database, and the query runs there read-only, with the same
 * refusals as `eventlite query`. The read database is a temporary file rather than memory
 * because the query opens its own read-only connection; the folder is removed afterwards.
 *
 * A failing handler or query fails the case (with its message) rather than the whole run.
 */
export async function runProjectionCase(
  domain: Domain,
  specCase: ProjectionCase,
): Promise<CaseOutcome> {
  const folder = mkdtempSync(join(tmpdir(), 'eventlite-spec-'));
  const readDbPath = join(folder, 'read.db');
  const store = openStore(':memory:', { create: true });
  try {
    storeGiven(store, specCase);
    await buildReadModels(store, readDbPath, domain);
    const problem = rowsMismatch(
      specCase.rows,
      runQuery(readDbPath, specCase.query, specCase.params),
    );
    return problem === undefined ? { passed: true } : { passed: false, message: problem };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return { passed: false, message: error.message };
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * An import rather than appendToStream: it keeps each event's id and recordedAt (append
 * stamps one time per batch from the clock), so the given events land exactly as recordGiven
 * makes them for command specs: positions in order, versions per stream, fixed ids and times.
 */
function storeGiven(store: Db, specCase: ProjectionCase): void {
  const session = beginImport(store);
  try {
    for (const event of recordGiven(specCase.given, PROJECTION_SPEC_STREAM)) {
      session.add({
        stream: validateName('stream', event.stream),
        type: validateName('event type', event.type),
        id: event.id,
        data: event.data,
        metadata: event.metadata,
        recordedAt: event.recordedAt,
      });
    }
    session.commit();
  } catch (error) {
    session.rollback();
    throw error;
  }
}

async function buildReadModels(store: Db, readDbPath: string, domain: Domain): Promise<void> {
  const read = openReadDatabase({ readDbPath, storePath: ':memory:' }, { create: true });
  try {
    // A scratch file dies with the case: a sync on every commit would only slow specs down.
    read.pragma('synchronous = OFF');
    await runProjections(store, { db: read, path: readDbPath }, domain.projections ?? [], {
      now: () => SPEC_RUN_AT,
    });
  } finally {
    read.close();
  }
}

import type { RecordedEvent } from '../core/events.js';
import { EventliteError } from '../core/errors.js';
import { todaysReader } from '../core/event-reading.js';
import { foldEvents, streamOfCommand } from '../domain/decide.js';
import { deciderForCommand, deciderForStream } from '../domain/lookup.js';
import { domainOf, type AppContext } from './context.js';
import { readWholeStream } from './exec.js';
import { runProjections } from './projections-run.js';

// What `replay --step` shows around each line: the state of the stream the line touches,
// before and after, and the read-model rows the line changed. Read-only except for catching
// the projections up, which is what makes the read models change before the class's eyes.

export interface StreamStateView {
  stream: string;
  version: number;
  state: unknown;
}

/** The stream a scenario line will write to, when that can be told (else undefined). */
export async function streamOfLine(ctx: AppContext, text: string): Promise<string | undefined> {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.stream === 'string') return value.stream;
    if (typeof value.command !== 'string') return undefined;
    const named = deciderForCommand(await domainOf(ctx), value.command);
    return streamOfCommand(named, { type: value.command, data: (value.data ?? {}) as never });
  } catch (error) {
    // A line that cannot be told will fail when it runs, and say why then.
    if (error instanceof EventliteError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The state a stream's decider folds from it now; undefined when no decider owns it. */
export async function stateOfStream(
  ctx: AppContext,
  stream: string,
): Promise<StreamStateView | undefined> {
  let domain, named;
  try {
    domain = await domainOf(ctx);
    named = deciderForStream(domain, stream);
  } catch (error) {
    if (error instanceof EventliteError) return undefined;
    throw error;
  }
  const version = await ctx.store.streamVersion(stream);
  const events: RecordedEvent[] =
    version === 0 ? [] : await readWholeStream(ctx.store, stream, { limit: version });
  // Folded as exec folds it: old events read as today's.
  return { stream, version, state: foldEvents(named, events, undefined, todaysReader(domain)) };
}

/** Every row of every read table and view, each as JSON text, by table. */
export type ReadModelRows = Map<string, string[]>;

export interface RowChange {
  table: string;
  change: '+' | '-';
  row: string;
}

/** The rows of the read models as they are now; empty without read models or projections. */
export async function readModelRows(ctx: AppContext): Promise<ReadModelRows> {
  const rows: ReadModelRows = new Map();
  if (!ctx.read) return rows;
  for (const table of await ctx.read.tables()) {
    const result = await ctx.read.query(selectAllFrom(table.name));
    rows.set(table.name, result.rows.map((row) => JSON.stringify(row)).sort());
  }
  return rows;
}

/** Every row of a read table or view (its name quoted, whatever it holds). */
export function selectAllFrom(table: string): string {
  return `SELECT * FROM "${table.replace(/"/g, '""')}"`;
}

/** Catches the domain's projections up, so that the read models show what a line did. */
export async function catchUpReadModels(ctx: AppContext): Promise<void> {
  if (!ctx.read) return;
  const domain = await domainOf(ctx);
  // Bookkeeping times come from the system clock: a clock given for the run (`--clock`)
  // steps once per reading, and the story's events should not skip the seconds it took.
  if ((domain.projections ?? []).length > 0) await runProjections({ ...ctx, clock: undefined });
}

/** Rows gone (`-`) and rows new (`+`), table by table; a changed row is one of each. */
export function changedRows(before: ReadModelRows, after: ReadModelRows): RowChange[] {
  const changes: RowChange[] = [];
  const tables = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const table of tables) {
    const old = before.get(table) ?? [];
    const now = after.get(table) ?? [];
    for (const row of without(old, now)) changes.push({ table, change: '-', row });
    for (const row of without(now, old)) changes.push({ table, change: '+', row });
  }
  return changes;
}

/** `rows` less one of each row in `others` (rows may repeat). */
function without(rows: readonly string[], others: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const row of others) left.set(row, (left.get(row) ?? 0) + 1);
  return rows.filter((row) => {
    const count = left.get(row) ?? 0;
    if (count === 0) return true;
    left.set(row, count - 1);
    return false;
  });
}

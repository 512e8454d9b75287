import type { ReadTable } from '../core/ports.js';
import type { AppContext } from './context.js';
import { listProjections } from './projections-list.js';
import { selectAllFrom, type ReadModelRows, type RowChange } from './replay-step.js';
import { storeStatus } from './status.js';

// What `eventlite ui` shows of the read side: each projection's checkpoint and lag, and the
// rows of each read table, with the rows that the last change inserted, changed or deleted
// marked. Read-only: the page may look as often as it likes.

/** A projection's place, as `projections` lists it (without a domain: as the read models record it). */
export interface ProjectionLag {
  name: string;
  version: number;
  status: string;
  checkpoint: number;
  lag: number;
  detail: string | null;
}

/** One read table or view: its rows as JSON text, sorted by their values, column by column. */
export interface TableRows extends Omit<ReadTable, 'rows'> {
  /** How many rows it holds. */
  count: number;
  columns: string[];
  rows: string[];
  /** More rows than the limit: only the first `rows.length` (in no set order) were read. */
  truncated: boolean;
}

export type RowMark = 'inserted' | 'changed' | 'deleted';

export interface MarkedRow {
  values: Record<string, unknown>;
  mark?: RowMark;
}

/** Each projection's status, checkpoint and lag; none when there is no domain and no read models. */
export async function projectionLags(ctx: AppContext): Promise<ProjectionLag[]> {
  if (ctx.domain !== undefined) {
    return (await listProjections(ctx)).map(
      ({ name, version, status, checkpoint, lag, detail }) => ({
        name,
        version,
        status,
        checkpoint,
        lag,
        detail,
      }),
    );
  }
  const recorded = (await storeStatus(ctx)).projections ?? [];
  return recorded.map((row) => ({ ...row, detail: null }));
}

/** The read tables and views with their rows, at most `rowLimit` of each. */
export async function readTableRows(
  ctx: AppContext,
  options: { rowLimit: number },
): Promise<TableRows[]> {
  if (!ctx.read) return [];
  const tables: TableRows[] = [];
  for (const table of await ctx.read.tables()) {
    const result = await ctx.read.query(
      `${selectAllFrom(table.name)} LIMIT ${options.rowLimit + 1}`,
    );
    const truncated = result.rows.length > options.rowLimit;
    const rows = result.rows.slice(0, options.rowLimit).sort(compareRows);
    tables.push({
      name: table.name,
      type: table.type,
      projection: table.projection,
      count: table.rows,
      columns: result.columns,
      rows: rows.map((row) => JSON.stringify(row)),
      truncated,
    });
  }
  return tables;
}

/** The tables as replay-step's diff takes them; a truncated table is left out (its diff would lie). */
export function rowsByTable(tables: readonly TableRows[]): ReadModelRows {
  return new Map(
    tables.filter((table) => !table.truncated).map((table) => [table.name, table.rows]),
  );
}

/**
 * A table's rows with the marks `changes` give them: a new row is `changed` when a row gone
 * from the same table had the same first value (the key, in most tables), else `inserted`; a
 * row gone with no new row of its key is shown again, `deleted`, in its sorted place.
 */
export function markRows(table: TableRows, changes: readonly RowChange[]): MarkedRow[] {
  const mine = changes.filter((change) => change.table === table.name);
  const added = countOf(mine.filter((change) => change.change === '+').map((change) => change.row));
  const removed = mine.filter((change) => change.change === '-').map((change) => change.row);
  const removedKeys = new Set(removed.map(keyOf));
  const addedKeys = new Set([...added.keys()].map(keyOf));
  const marked = table.rows.map((text) => {
    const values = JSON.parse(text) as Record<string, unknown>;
    const count = added.get(text) ?? 0;
    if (count === 0) return { values };
    added.set(text, count - 1);
    return { values, mark: removedKeys.has(keyOf(text)) ? 'changed' : 'inserted' } as MarkedRow;
  });
  const deleted = removed
    .filter((text) => !addedKeys.has(keyOf(text)))
    .map((text) => ({
      values: JSON.parse(text) as Record<string, unknown>,
      mark: 'deleted' as const,
    }));
  return [...marked, ...deleted].sort((a, b) => compareRows(a.values, b.values));
}

function countOf(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return counts;
}

/** A row's first value, as JSON text. */
function keyOf(text: string): string {
  return JSON.stringify(Object.values(JSON.parse(text) as Record<string, unknown>)[0] ?? null);
}

/** Column by column: nulls first, numbers by value, anything else by its text. */
export function compareRows(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const left = Object.values(a);
  const right = Object.values(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const order = compareValues(left[index], right[index]);
    if (order !== 0) return order;
  }
  return 0;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

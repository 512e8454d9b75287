import { InputError } from '../core/errors.js';
import { parseExportedEvent } from '../core/exported-event.js';
import { parseKeyLine } from '../core/key-file.js';
import type { ImportSummary } from '../core/ports.js';
import type { AppContext } from './context.js';
import type { Line } from './lines.js';

export interface ImportOptions {
  /** The input's name for `file:line` messages (`stdin` for `-`). */
  source: string;
  /** Called after each batch with the number of events read so far. */
  onProgress?: (read: number) => void;
  /** Called once every line is read, before the commit. */
  onCommitting?: (read: number) => void;
  /** `--keys FILE`: the subject keys that travel with the export, and the file's name. */
  keys?: { lines: AsyncIterable<readonly Line[]>; source: string };
}

/**
 * Appends an export (the contract's event shape, one per line) keeping ids, data, metadata and
 * recordedAt, in one transaction: all or nothing. Re-importing the same export adds nothing.
 */
export async function importEvents(
  ctx: AppContext,
  batches: AsyncIterable<readonly Line[]>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const session = await ctx.store.beginImport();
  let read = 0;
  try {
    if (options.keys) {
      for await (const batch of options.keys.lines) {
        const where = (line: Line) => `${options.keys!.source}:${line.number}`;
        await session.addKeys(batch.map((line) => parseKeyLine(line.text, where(line))));
      }
    }
    for await (const batch of batches) {
      const events = batch.map((line) =>
        parseExportedEvent(line.text, `${options.source}:${line.number}`),
      );
      await session.add(events);
      read += batch.length;
      options.onProgress?.(read);
    }
    options.onCommitting?.(read);
    return await session.commit();
  } catch (error) {
    await session.rollback();
    if (error instanceof SyntaxError) throw new InputError(error.message);
    throw error;
  }
}

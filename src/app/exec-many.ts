import { toCommand } from '../core/command-input.js';
import { InputError } from '../core/errors.js';
import { checkJsonLimits } from '../core/input.js';
import type { AppContext } from './context.js';
import { correlationIdOf } from './correlation.js';
import { executeCommand, type ExecuteOptions, type ExecuteResult } from './exec.js';
import type { Line } from './lines.js';
import { StateCache } from './load-state.js';

export interface ExecuteManyOptions extends Omit<ExecuteOptions, 'states' | 'correlationId'> {
  /** The file's name as the user gave it (`stdin` for `-`), for `file:line` messages. */
  source: string;
  /** Stored in every command's events (default: a new UUID per command, as `exec` does). */
  correlationId?: string;
}

/**
 * `exec --file`: each line `{"command","data"}` handled as one `exec` would handle it, in
 * order, in one process that keeps the states it folds (so a command reads only what was
 * appended to its stream since the one before). Yields each command's result; the first
 * failure is thrown as that command's own error, and the lines after it are not run.
 */
export async function* executeCommands(
  ctx: AppContext,
  lines: AsyncIterable<Line>,
  options: ExecuteManyOptions,
): AsyncGenerator<{ where: string; type: string; result: ExecuteResult }> {
  const { source, correlationId, ...execute } = options;
  const states = new StateCache();
  for await (const line of lines) {
    const where = `${source}:${line.number}`;
    const command = toCommand(parseLine(line.text, where), where);
    const result = await executeCommand(ctx, command, {
      ...execute,
      correlationId: correlationIdOf(correlationId),
      states,
    });
    yield { where, type: command.type, result };
  }
}

function parseLine(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  checkJsonLimits(value, text, where);
  return value;
}

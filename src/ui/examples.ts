import type { Line } from '../app/lines.js';
import type { JsonObject } from '../core/events.js';

/**
 * The data of the first `{"command","data"}` line for each command, in scenario lines: what
 * the command box offers to start from when the command's schema cannot describe its data
 * (see command-forms.ts).
 */
export function commandExamples(lines: Iterable<Line>): Map<string, JsonObject> {
  const examples = new Map<string, JsonObject>();
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const { command, data } = value as { command?: unknown; data?: unknown };
    if (typeof command !== 'string' || examples.has(command)) continue;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      examples.set(command, data as JsonObject);
    }
  }
  return examples;
}

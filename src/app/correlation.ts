import { randomUUID } from 'node:crypto';
import { InputError } from '../core/errors.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The given correlation id, checked, or a new UUID: ids come from the edge, not the core. */
export function correlationIdOf(given: string | undefined): string {
  if (given === undefined) return randomUUID();
  if (given === '' || given.length > 200 || CONTROL_CHARACTER.test(given)) {
    throw new InputError(
      `--correlation-id must be 1 to 200 printable characters, got ${JSON.stringify(given)}`,
    );
  }
  return given;
}

import { createRequire } from 'node:module';
import { InputError } from '../core/errors.js';
import { hasControlCharacter, quoteText } from '../core/input.js';

/**
 * The given correlation id, checked as stream names are (no C0 or C1 control character, no
 * DEL: it is printed back in `log`), or a new UUID: ids come from the edge, not the core.
 */
export function correlationIdOf(given: string | undefined): string {
  // Required here, not imported at the top: `log --correlation-id` loads this module and
  // starts without node:crypto (scripts/startup/README.md, rule 2).
  if (given === undefined) {
    return (
      createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
    ).randomUUID();
  }
  if (given === '' || given.length > 200 || hasControlCharacter(given)) {
    throw new InputError(
      `--correlation-id must be 1 to 200 printable characters, got ${quoteText(given)}`,
    );
  }
  return given;
}

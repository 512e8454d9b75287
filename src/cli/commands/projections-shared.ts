import { InputError } from '../../core/errors.js';

/** `--timeout 2.5` → 2500 ms. */
export function parseSeconds(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new InputError(`${flag} must be a number of seconds, got "${text}"`);
  }
  return Math.round(Number(text) * 1000);
}

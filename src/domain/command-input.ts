import type { Command } from '../core/decider.js';
import { InputError } from '../core/errors.js';
import { describeJson, requireObject } from '../core/input.js';

/** Checks a `{"command","data"}` value (a replay line, a spec's `when`). */
export function toCommand(value: unknown, where: string): Command {
  const object = requireObject(value, where);
  const type = object.command;
  if (typeof type !== 'string' || type === '') {
    throw new InputError(
      `${where}: "command" must be a command name, got ${describeJson(type ?? null)}`,
    );
  }
  const data = object.data === undefined ? {} : requireObject(object.data, `${where}: "data"`);
  return { type, data };
}

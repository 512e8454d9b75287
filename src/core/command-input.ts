import type { Command } from './decider.js';
import { InputError } from './errors.js';
import { describeJson, requireObject } from './input.js';

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

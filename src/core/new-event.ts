import { isSchemaVersion } from './batch.js';
import { InputError } from './errors.js';
import type { NewEvent } from './events.js';
import { describeJson, requireObject, validateEventId, validateName } from './input.js';

/**
 * Checks one `{"type","data","metadata"?,"id"?,"schemaVersion"?}` value (a line of
 * `append --file`) and returns it as a NewEvent. `where` prefixes messages, e.g.
 * "events.ndjson:3".
 */
export function toNewEvent(value: unknown, where: string): NewEvent {
  const object = requireObject(value, where);
  const type = validateNameAt(where, 'event type', object.type);
  const data = object.data === undefined ? {} : requireObject(object.data, `${where}: "data"`);
  const event: NewEvent = { type, data };
  if (object.metadata !== undefined) {
    event.metadata = requireObject(object.metadata, `${where}: "metadata"`);
  }
  if (object.id !== undefined) event.id = validateEventId(object.id, `${where}: "id"`);
  if (object.schemaVersion !== undefined) {
    event.schemaVersion = validateSchemaVersion(object.schemaVersion, where);
  }
  return event;
}

/** A stored event's `schemaVersion`: a positive integer (absent means 1). */
export function validateSchemaVersion(value: unknown, where: string): number {
  if (isSchemaVersion(value)) return value;
  throw new InputError(
    `${where}: "schemaVersion" must be a positive integer, got ${describeJson(value)}`,
  );
}

export function validateNameAt(where: string, kind: 'stream' | 'event type', value: unknown) {
  if (value === undefined) {
    const field = kind === 'stream' ? 'stream' : 'type';
    throw new InputError(`${where}: "${field}" is missing`);
  }
  try {
    return validateName(kind, value);
  } catch (error) {
    if (typeof value !== 'string') {
      throw new InputError(`${where}: ${kind} must be a string, got ${describeJson(value)}`);
    }
    throw new InputError(`${where}: ${(error as Error).message}`);
  }
}

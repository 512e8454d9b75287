import { InputError } from './errors.js';
import { parseJsonObject, requireObject, validateEventId } from './input.js';
import { validateNameAt } from './new-event.js';
import type { ImportedEvent } from './ports.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** One line of an export, checked; `where` is `file:line` for messages. */
export function parseExportedEvent(text: string, where: string): ImportedEvent {
  const object = parseJsonObject(text, where, { envelope: true });
  const recordedAt = object.recordedAt;
  if (
    typeof recordedAt !== 'string' ||
    !ISO_TIME.test(recordedAt) ||
    Number.isNaN(Date.parse(recordedAt))
  ) {
    throw new InputError(
      `${where}: "recordedAt" must be an ISO 8601 UTC time like 2026-11-26T10:00:00.000Z`,
    );
  }
  return {
    stream: validateNameAt(where, 'stream', object.stream),
    type: validateNameAt(where, 'event type', object.type),
    id: validateEventId(object.id, `${where}: "id"`),
    data: requireObject(object.data, `${where}: "data"`),
    metadata:
      object.metadata === undefined ? {} : requireObject(object.metadata, `${where}: "metadata"`),
    recordedAt,
  };
}

import type { Domain } from './domain.js';
import type { JsonObject, NewEvent } from './events.js';
import { fieldAt, parseFieldPath, type FieldPath } from './field-path.js';

// Which fields of which events are a person's data, as a domain declares them beside its event
// types (docs/lifecycle.md):
//
//   events: { AccountOpened: { personalData: { subject: 'accountId', fields: ['owner'] } } }
//
// `subject` names the field that says whose data it is; `fields` are sealed with that
// subject's key on every write that has the domain at hand, and `forget SUBJECT` shreds them.
// It is one key of an `events` entry (src/core/event-types.ts, beside schema and version).

export interface PersonalData {
  /** The data field naming the person (`accountId`, or a path like `customer.id`). */
  subject: string;
  /** The fields that hold the person's data (`owner`, `address.street`). */
  fields: readonly string[];
}

/** A declaration with its paths parsed. */
export interface PersonalFields {
  subject: FieldPath;
  fields: readonly FieldPath[];
}

/** The personal-data declaration of each event type that has one. */
export function personalFieldsOf(domain: Domain): Map<string, PersonalFields> {
  const found = new Map<string, PersonalFields>();
  for (const [type, declaration] of Object.entries(domain.events ?? {})) {
    const personal = declaration?.personalData;
    if (!personal) continue;
    found.set(type, {
      subject: parseFieldPath(personal.subject, `events.${type}.personalData.subject`),
      fields: personal.fields.map((field, index) =>
        parseFieldPath(field, `events.${type}.personalData.fields[${index}]`),
      ),
    });
  }
  return found;
}

/** The subject an event's data names, as text; undefined when it names none. */
export function subjectOf(data: JsonObject, personal: PersonalFields): string | undefined {
  const value = fieldAt(data, personal.subject);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Why `event` cannot be written with its personal data sealed (it names no subject), or
 * undefined when it can (or declares none).
 */
export function personalDataProblem(
  event: NewEvent,
  declared: ReadonlyMap<string, PersonalFields>,
): string | undefined {
  const personal = declared.get(event.type);
  if (!personal || subjectOf(event.data, personal) !== undefined) return undefined;
  return `its personal data needs a subject, but data.${personal.subject.join('.')} is not a non-empty string or a number`;
}

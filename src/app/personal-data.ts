import type { Command } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { DomainError, InputError } from '../core/errors.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../core/events.js';
import { replaceFieldAt } from '../core/field-path.js';
import {
  personalDataProblem,
  personalFieldsOf,
  subjectOf,
  type PersonalFields,
} from '../core/personal-data.js';
import type { AppendOptions, AppendResult, EventStore } from '../core/ports.js';
import { StoredEvent } from '../core/recorded-event.js';
import { isSealed, type SubjectKey } from '../core/sealing.js';
import type { NamedDecider } from '../domain/lookup.js';
import { sealValue } from './seal.js';

// Sealing on the way in (docs/lifecycle.md): every write that has the domain at hand (`exec`,
// `replay`, `test`) stores a declared personal field encrypted with its subject's key. The
// caller still gets back the events as decided: what it prints or folds next is plaintext,
// exactly what a read gives until the subject is forgotten.

const declarations = new WeakMap<Domain, Map<string, PersonalFields>>();

/** The domain's personal-data declarations by event type, parsed once per domain. */
export function declaredPersonalData(domain: Domain): Map<string, PersonalFields> {
  let declared = declarations.get(domain);
  if (!declared) declarations.set(domain, (declared = personalFieldsOf(domain)));
  return declared;
}

/** Why an event cannot be sealed (it names no subject), for the caller's own message. */
export function sealingProblem(domain: Domain, event: NewEvent): string | undefined {
  const declared = declaredPersonalData(domain);
  return declared.size === 0 ? undefined : personalDataProblem(event, declared);
}

/** A declared personal event that names no subject cannot be sealed: the decider's fault. */
export function refuseUnsealable(
  domain: Domain,
  named: NamedDecider,
  command: Command,
  decided: readonly NewEvent[],
): void {
  for (const [index, event] of decided.entries()) {
    const problem = sealingProblem(domain, event);
    if (problem === undefined) continue;
    throw new DomainError(
      `command "${command.type}": decider "${named.name}" decide.${command.type}(): event ${index + 1} (${event.type}): ${problem}`,
    );
  }
}

/**
 * `store.append` with the declared personal fields sealed. Without declarations (or without a
 * domain) it is `store.append` itself. The result's events hold the data as given.
 */
export async function appendSealed(
  store: EventStore,
  domain: Domain | undefined,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions,
): Promise<AppendResult> {
  const declared = domain ? declaredPersonalData(domain) : new Map<string, PersonalFields>();
  const subjects = subjectsOf(events, declared);
  if (subjects.size === 0) return store.append(stream, events, options);
  const keys = await store.subjectKeys([...subjects], { now: options.now });
  const sealed = events.map((event) => sealEvent(event, declared.get(event.type), keys));
  const result = await store.append(stream, sealed, options);
  return { ...result, events: result.events.map((event, index) => asGiven(event, events[index]!)) };
}

function subjectsOf(
  events: readonly NewEvent[],
  declared: ReadonlyMap<string, PersonalFields>,
): Set<string> {
  const subjects = new Set<string>();
  if (declared.size === 0) return subjects;
  for (const [index, event] of events.entries()) {
    const personal = declared.get(event.type);
    if (!personal) continue;
    const subject = subjectOf(event.data, personal);
    if (subject === undefined) {
      const problem = personalDataProblem(event, declared)!;
      throw new InputError(`event ${index + 1} (${event.type}): ${problem}`);
    }
    subjects.add(subject);
  }
  return subjects;
}

function sealEvent(
  event: NewEvent,
  personal: PersonalFields | undefined,
  keys: ReadonlyMap<string, SubjectKey>,
): NewEvent {
  if (!personal) return event;
  const key = keys.get(subjectOf(event.data, personal)!)!;
  const data = structuredClone(event.data) as JsonObject;
  for (const path of personal.fields) {
    replaceFieldAt(data, path, (value) => (isSealed(value) ? value : sealValue(value, key)));
  }
  return { ...event, data };
}

/** A stored event with the data it was given, before sealing. */
function asGiven(event: RecordedEvent, given: NewEvent): RecordedEvent {
  return new StoredEvent(
    event.position,
    event.stream,
    event.version,
    event.type,
    event.id,
    JSON.stringify(given.data),
    JSON.stringify(event.metadata),
    event.recordedAt,
  );
}

import type { Domain } from './domain.js';
import { DomainError } from './errors.js';
import type { EventDeclarations, Upcaster } from './event-types.js';
import type { JsonObject, RecordedEvent } from './events.js';
import type { Projection } from './projection.js';
import { UpcastEvent } from './upcast-event.js';

// How a domain reads its stored events: each stored type under its name of today
// (`renamedTo`), its data upcast from the version it was stored in to the version declared
// (`upcast`, one step at a time). Stored rows never change; every path that hands events to
// domain code (folds, projections, specs) reads them through here. A domain whose declaration
// changes nothing (none, or no rename and every type at version 1) has no EventReading at all,
// so those paths do exactly what they did before.

/** What a stored type reads as. */
interface TypePlan {
  /** The type it reads as: itself, or the end of its chain of renames. */
  current: string;
  /** That type's declared version. */
  version: number;
  upcast: Readonly<Record<number, Upcaster>>;
  renamed: boolean;
}

export class EventReading {
  readonly #plans = new Map<string, TypePlan>();

  constructor(declarations: EventDeclarations) {
    for (const type of Object.keys(declarations)) {
      const current = currentTypeName(declarations, type);
      const target = declarations[current]!;
      this.#plans.set(type, {
        current,
        version: target.version ?? 1,
        upcast: target.upcast ?? {},
        renamed: current !== type,
      });
    }
  }

  /** The event as the domain reads it today; the very same object when nothing changes. */
  upcast(event: RecordedEvent): RecordedEvent {
    const plan = this.#plans.get(event.type);
    if (plan === undefined) return event;
    const stored = event.schemaVersion ?? 1;
    if (stored === plan.version && !plan.renamed) return event;
    if (stored > plan.version) {
      throw new DomainError(
        `${event.type} version ${stored} (${whereStored(event)}) is newer than the version ${plan.version} this domain declares: was it written by a newer edition of the domain?`,
      );
    }
    let data = freshData(event);
    for (let version = stored; version < plan.version; version += 1) {
      const step = plan.upcast[version];
      if (step === undefined) {
        throw new DomainError(
          `${event.type} version ${stored} (${whereStored(event)}) cannot be read: ${plan.current} declares version ${plan.version} and no upcast[${version}]`,
        );
      }
      data = upcastStep(step, `events.${plan.current}.upcast[${version}]()`, data, event);
    }
    return new UpcastEvent(event, plan.current, plan.version, data);
  }

  /** The name a stored type reads as today. */
  currentName(type: string): string {
    return this.#plans.get(type)?.current ?? type;
  }

  /** The stored names that read as one of `types`: the types themselves and their old names. */
  storedNames(types: readonly string[]): string[] {
    const wanted = new Set(types);
    const names = [...types];
    for (const [stored, plan] of this.#plans) {
      if (plan.renamed && wanted.has(plan.current) && !wanted.has(stored)) names.push(stored);
    }
    return names;
  }

  /**
   * What reading events of `types` (default: every type) is made of, as text to hash: their
   * versions, old names and upcasters' source. Undefined when none of them is read otherwise
   * than stored, so that a hash that takes it in is the same as before upcasting existed.
   */
  fingerprint(types?: readonly string[]): string | undefined {
    const wanted = types === undefined ? undefined : new Set(types);
    const parts: string[] = [];
    for (const [stored, plan] of [...this.#plans].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (wanted !== undefined && !wanted.has(plan.current)) continue;
      if (plan.renamed) parts.push(`${stored}→${plan.current}`);
      else if (plan.version !== 1) parts.push(`${stored}@${plan.version}${upcastText(plan)}`);
    }
    return parts.length === 0 ? undefined : parts.join('\n');
  }
}

/**
 * Why stored events of `type` at `version` cannot be read as today's, or undefined when they
 * can (or when `type` is not declared: that is the caller's to judge).
 */
export function readProblem(
  declarations: EventDeclarations,
  type: string,
  version: number,
): string | undefined {
  if (!Object.hasOwn(declarations, type)) return undefined;
  const current = currentTypeName(declarations, type);
  const { version: declared = 1, upcast = {} } = declarations[current]!;
  if (version > declared) return `newer than the version ${declared} that ${current} declares`;
  for (let step = version; step < declared; step += 1) {
    if (upcast[step] === undefined) {
      return `no path to ${current} version ${declared}: there is no upcast[${step}]`;
    }
  }
  return undefined;
}

/** The end of a chain of renames; validateDomain has refused loops and dangling names. */
export function currentTypeName(declarations: EventDeclarations, type: string): string {
  let name = type;
  for (let hops = 0; hops <= Object.keys(declarations).length; hops += 1) {
    const next = declarations[name]?.renamedTo;
    if (next === undefined) return name;
    name = next;
  }
  throw new DomainError(`events.${type}: its renamedTo names go round in a loop`);
}

function upcastText(plan: TypePlan): string {
  return Object.keys(plan.upcast)
    .sort()
    .map((version) => `\n${version}: ${String(plan.upcast[Number(version)])}`)
    .join('');
}

/**
 * The event's data as a new object, parsed from its stored text when it has that: an upcaster
 * may change what it is given without touching the stored event, and the stored event does
 * not keep a parsed copy beside the upcast one (twice the objects a long fold holds on to,
 * and the garbage collector's time with them).
 */
function freshData(event: RecordedEvent): JsonObject {
  const text = (event as { dataJson?: unknown }).dataJson;
  return typeof text === 'string' ? (JSON.parse(text) as JsonObject) : structuredClone(event.data);
}

function upcastStep(step: Upcaster, where: string, data: JsonObject, event: RecordedEvent) {
  let result: unknown;
  try {
    result = step(data, event);
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'a non-error value';
    const message = error instanceof Error ? error.message : String(error);
    throw new DomainError(`${where} threw ${kind} on ${whereStored(event)}: ${message}`, {
      cause: error,
    });
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    Promise.resolve(result).catch(() => {});
    throw new DomainError(`${where} returned a Promise: upcasters must be synchronous`);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new DomainError(
      `${where} must return the data as an object, got ${result === undefined ? 'nothing' : JSON.stringify(result)} (on ${whereStored(event)})`,
    );
  }
  return result as JsonObject;
}

function whereStored(event: RecordedEvent): string {
  return `${event.stream} version ${event.version}, position ${event.position}`;
}

const readings = new WeakMap<object, EventReading | null>();

/**
 * How `domain` reads its stored events, or undefined when it reads them as stored (no
 * `events`, or none renamed or past version 1). Made once per domain; its projections are
 * registered with it, so that the runner (which sees projections, not domains) reads their
 * events the same way and hashes what reading them takes (see definition.ts).
 */
export function eventReadingOf(domain: Domain): EventReading | undefined {
  const known = readings.get(domain);
  if (known !== undefined) return known ?? undefined;
  const declarations = domain.events;
  const changes =
    declarations !== undefined &&
    Object.values(declarations).some(
      (entry) => entry.renamedTo !== undefined || (entry.version ?? 1) !== 1,
    );
  const reading = changes ? new EventReading(declarations) : undefined;
  readings.set(domain, reading ?? null);
  for (const projection of domain.projections ?? []) readings.set(projection, reading ?? null);
  return reading;
}

/**
 * One stored event as `domain` reads it today, for a fold to call as it reaches each event;
 * undefined when the domain reads its events as stored.
 */
export function todaysReader(
  domain: Domain,
): ((event: RecordedEvent) => RecordedEvent) | undefined {
  const reading = eventReadingOf(domain);
  return reading && ((event) => reading.upcast(event));
}

/** The EventReading of the domain a projection came with, once eventReadingOf has seen it. */
export function eventReadingOfProjection(projection: Projection): EventReading | undefined {
  return readings.get(projection) ?? undefined;
}

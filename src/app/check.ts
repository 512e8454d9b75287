import { resolve } from 'node:path';
import type { Domain } from '../core/domain.js';
import { currentTypeName, readProblem } from '../core/event-reading.js';
import type { EventTypeCount, EventStore } from '../core/ports.js';
import type { TypeCheckResult } from '../domain/typecheck.js';

// What `eventlite check` holds the domain against in the store: that every stored event can be
// read as today's (its type declared, a path of upcasters from its version), and that every
// projection handler can be called.

export interface UnknownHandler {
  projection: string;
  type: string;
  /**
   * never-stored: no stored event reads as this type (a typo?); old-name: the type is an old
   * name, whose events read as `readsAs`; undeclared: `events` does not declare it.
   */
  why: 'never-stored' | 'old-name' | 'undeclared';
  readsAs?: string;
}

export interface StoreCheck {
  /** Undefined when the store holds no event: there is no evidence to compare with. */
  types: EventTypeCount[] | undefined;
  /** Projection handlers that are never called. */
  neverCalled: UnknownHandler[];
  /** One line per stored type and version that cannot be read as today's. */
  unreadable: string[];
}

export async function checkAgainstStore(store: EventStore, domain: Domain): Promise<StoreCheck> {
  const types = (await store.head()) === 0 ? undefined : await store.eventTypes();
  return {
    types,
    neverCalled: neverCalledHandlers(domain, types),
    unreadable: types === undefined ? [] : unreadableTypes(domain, types),
  };
}

/**
 * Handlers a typo or a rename has left uncalled. Deciders need not declare what they decide,
 * so without `events` the stored events are the only evidence (and an empty store has none).
 */
function neverCalledHandlers(
  domain: Domain,
  types: readonly EventTypeCount[] | undefined,
): UnknownHandler[] {
  const declared = domain.events;
  const read = (type: string) =>
    declared !== undefined && Object.hasOwn(declared, type)
      ? currentTypeName(declared, type)
      : type;
  const stored = new Set((types ?? []).map((count) => read(count.type)));
  const found: UnknownHandler[] = [];
  for (const projection of domain.projections ?? []) {
    for (const type of Object.keys(projection.on)) {
      const readsAs = read(type);
      const name = projection.name;
      if (readsAs !== type) found.push({ projection: name, type, why: 'old-name', readsAs });
      else if (stored.has(type)) continue;
      else if (declared !== undefined && !Object.hasOwn(declared, type)) {
        found.push({ projection: name, type, why: 'undeclared' });
      } else if (types !== undefined) found.push({ projection: name, type, why: 'never-stored' });
    }
  }
  return found;
}

/** With `events` declared, every stored type must be declared and have a path to today. */
function unreadableTypes(domain: Domain, types: readonly EventTypeCount[]): string[] {
  const declared = domain.events;
  if (declared === undefined) return [];
  return types.flatMap(({ type, schemaVersion, events }) => {
    const what = `stored ${type} version ${schemaVersion} (${events} event${events === 1 ? '' : 's'})`;
    if (!Object.hasOwn(declared, type)) {
      return [
        `${what} is not declared in events: declare it, or give its name of today with renamedTo`,
      ];
    }
    const problem = readProblem(declared, type, schemaVersion);
    return problem === undefined ? [] : [`${what} cannot be read: ${problem}`];
  });
}

/**
 * Type-checks the domain module at `path` (TypeScript only) with the compiler the user's
 * project has, else the one beside eventlite; skipped, and saying why, when there is none. The
 * checker is loaded only here: no other command pays for it.
 */
export async function typeCheckDomain(path: string, cwd: string): Promise<TypeCheckResult> {
  const { typeCheckModule } = await import('../domain/typecheck.js');
  return typeCheckModule(resolve(cwd, path), cwd);
}

/**
 * TypeScript's syntax errors in the domain module at `path` and the files it imports, in tsc's
 * format, for a module that does not load; undefined when there are none or no TypeScript.
 */
export async function syntaxErrorReport(path: string, cwd: string): Promise<string | undefined> {
  const { syntaxReport } = await import('../domain/typecheck.js');
  return syntaxReport(resolve(cwd, path), cwd);
}

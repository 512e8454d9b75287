import { resolve } from 'node:path';
import type { Domain } from '../core/domain.js';
import type { EventStore } from '../core/ports.js';
import type { TypeCheckResult } from '../domain/typecheck.js';

export interface UnknownHandler {
  projection: string;
  type: string;
}

/**
 * The projection handlers for event types the store has never held: a typo there
 * (`MoneyDeposted`) is never called and says nothing. Deciders do not declare the events
 * they decide, so the stored events are the evidence; an empty store has none, and then
 * nothing is reported (undefined).
 */
export async function unknownHandlerTypes(
  store: EventStore,
  domain: Domain,
): Promise<UnknownHandler[] | undefined> {
  if ((await store.head()) === 0) return undefined;
  const unknown: UnknownHandler[] = [];
  for (const projection of domain.projections ?? []) {
    for (const type of Object.keys(projection.on)) {
      if (!(await isStored(store, type))) unknown.push({ projection: projection.name, type });
    }
  }
  return unknown;
}

async function isStored(store: EventStore, type: string): Promise<boolean> {
  for await (const page of store.readLog({ types: [type], limit: 1 })) {
    if (page.length > 0) return true;
  }
  return false;
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

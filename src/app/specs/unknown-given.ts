import type { Domain } from '../../core/domain.js';
import { didYouMean } from '../../core/did-you-mean.js';
import type { SpecCase } from './spec-case.js';

/**
 * Warnings for given events of a type that nothing in the domain knows: no projection handles
 * it, no case expects a decider to emit it, and (when the module declares its event types) it
 * is not declared. No evolve branch folds such an event and no handler applies it, so it is
 * most often a typo (`MoneyDeposted`) that makes a case test less than it says. A warning, not
 * a failure: deciders do not declare what they emit, so the evidence is what the specs and
 * projections name.
 */
export function unknownGivenTypes(domain: Domain, cases: readonly SpecCase[]): string[] {
  const known = new Set<string>(declaredEventTypes(domain));
  for (const projection of domain.projections ?? []) {
    for (const type of Object.keys(projection.on)) known.add(type);
  }
  for (const specCase of cases) {
    if (specCase.kind !== 'command' || !('events' in specCase.then)) continue;
    for (const event of specCase.then.events) known.add(event.type);
  }
  const warnings: string[] = [];
  for (const specCase of cases) {
    const seen = new Set<string>();
    for (const [index, event] of specCase.given.entries()) {
      if (known.has(event.type) || seen.has(event.type)) continue;
      seen.add(event.type);
      warnings.push(
        `${specCase.file}:${specCase.line} (${specCase.name}): given event ${index + 1} has ` +
          `type ${event.type}, which no projection handles and no case expects a decider to emit` +
          `${didYouMean(event.type, [...known]) || ' (a typo?)'}`,
      );
    }
  }
  return warnings;
}

/** The event types a module declares (`events: { … }`, old names included), if it does. */
function declaredEventTypes(domain: Domain): string[] {
  const events = (domain as { events?: unknown }).events;
  return events !== null && typeof events === 'object' ? Object.keys(events) : [];
}

import type { Domain } from '../core/domain.js';
import { commandTypes } from '../domain/lookup.js';

/**
 * What a shell completes an argument with (`eventlite completion`): the domain's command
 * and projection names, the store's streams, the read tables.
 */
export const COMPLETION_KINDS = ['commands', 'projections', 'streams', 'tables'] as const;
export type CompletionKind = (typeof COMPLETION_KINDS)[number];

/** The command types the domain's deciders take, or its projections' names. */
export function domainNames(domain: Domain, kind: 'commands' | 'projections'): string[] {
  if (kind === 'commands') return commandTypes(domain);
  return (domain.projections ?? []).map((projection) => projection.name);
}

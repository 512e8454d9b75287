import type { Domain } from '../core/domain.js';
import { InputError, NotFoundError } from '../core/errors.js';
import type { Projection } from '../core/projection.js';

/** The domain's projections, or the named ones in the order given. */
export function selectProjections(domain: Domain, names: readonly string[]): Projection[] {
  const all = domain.projections ?? [];
  if (all.length === 0) throw new InputError('the domain module defines no projections');
  if (names.length === 0) return [...all];
  return names.map((name) => {
    const projection = all.find((candidate) => candidate.name === name);
    if (!projection) {
      const known = all.map((candidate) => candidate.name).join(', ');
      throw new NotFoundError(`no projection named "${name}" (the domain defines: ${known})`);
    }
    return projection;
  });
}

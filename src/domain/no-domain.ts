import { InputError } from '../core/errors.js';

export const NO_DOMAIN_MESSAGE =
  'no domain module: give --domain or create eventlite.config.ts (see eventlite init --example bank)';

/**
 * No flag, variable or default file names a domain module. Its own class, in a file of its
 * own, so that a command that can do without a domain tells it apart without loading the
 * loader.
 */
export class NoDomainError extends InputError {
  constructor() {
    super(NO_DOMAIN_MESSAGE);
  }
}

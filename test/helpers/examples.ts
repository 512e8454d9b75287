import { join } from 'node:path';
import type { Domain } from '../../src/core/domain.js';
import { loadDomain } from '../../src/app/load-domain.js';
import { ROOT } from './cli.js';

/** An example's domain, loaded the way the CLI loads it (jiti, `eventlite` as this package). */
export function loadExample(name: 'bank' | 'orders'): Promise<Domain> {
  return loadDomain(join(ROOT, 'fixtures', name, 'eventlite.config.ts'));
}

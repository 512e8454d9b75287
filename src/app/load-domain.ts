import * as authoring from '../core/authoring.js';
import type { Domain } from '../core/domain.js';
import { loadDomainModule } from '../domain/load.js';
import { defaultCacheDir } from '../domain/transform-cache.js';

export interface LoadDomainOptions {
  /** Where compiled TypeScript is kept; default the user's cache folder, as `env` names it. */
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  /** Told what the user should know but that does not stop the load (an unsafe cache). */
  onWarning?: (text: string) => void;
  /** False: compiled code already kept is used, none is written (see domain/load.ts). */
  writeCache?: boolean;
}

/**
 * Loads and validates the user's domain module. Its `import … from 'eventlite'` gets the
 * authoring API (src/core/authoring.ts), not the package entry: loading a module loads no use
 * case and no adapter.
 */
export function loadDomain(
  path: string | undefined,
  cwd = process.cwd(),
  options: LoadDomainOptions = {},
): Promise<Domain> {
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env);
  return loadDomainModule(path, cwd, {
    eventlite: authoring,
    cacheDir,
    onWarning: options.onWarning,
    writeCache: options.writeCache,
  });
}

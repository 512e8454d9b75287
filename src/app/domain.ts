// Loading the user's domain module, for the callers of the use cases that need one.
export { loadDomain } from '../domain/load.js';
export { defaultCacheDir } from '../domain/transform-cache.js';

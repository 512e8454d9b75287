// The authoring API: what a domain module imports from 'eventlite' (defineDomain, defineDecider,
// defineProjection, reject, invalidData, the error family). The package entry exports it beside
// the use cases; the domain loader hands a module this alone, so that loading a module loads no
// use case and no adapter.
export * from './decider.js';
export * from './domain.js';
export * from './errors.js';

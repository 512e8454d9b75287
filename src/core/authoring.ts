// The authoring API: what a domain module imports from 'eventlite' (defineDomain, defineDecider,
// defineProjection, reject, invalidData, the error family, and the types of the commands and
// events declarations). The package entry exports it beside
// the use cases; the domain loader hands a module this alone, so that loading a module loads no
// use case and no adapter.
export * from './decider.js';
export * from './domain.js';
export * from './errors.js';
export type { CommandTypeOf, EventTypeOf } from './domain-types.js';
export type { CommandDeclaration, EventTypeDeclaration, Upcaster } from './event-types.js';
export type { SchemaIssue, StandardJSONSchemaV1, StandardSchemaV1 } from './standard-schema.js';

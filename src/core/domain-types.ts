import type { Domain } from './domain.js';

// What a domain's own types say about it, for the library functions that take its commands
// and events (`executeCommand`, `given()` in eventlite/testing): with a typed domain, a
// misspelled command or event type is a compile error there; with an untyped one (a
// JavaScript module, a decider without type arguments) any name goes, as before.

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Both forms of a decider take the command in streamId(command). */
type CommandOfDecider<Decider> = Decider extends { streamId(command: infer C): unknown }
  ? C
  : never;

type DeciderEventOf<Decider> = Decider extends { evolve(state: any, event: infer E): unknown }
  ? E
  : never;

type TypeNameOf<T> = IsAny<T> extends true ? string : T extends { type: infer N } ? N : never;

type DecidersOf<D extends Domain> = D['deciders'][keyof D['deciders']];

type OrString<T> = [T] extends [never] ? string : IsAny<T> extends true ? string : T;

/** The command types the domain's deciders handle (`string` when they are untyped). */
export type CommandTypeOf<D extends Domain> = OrString<
  TypeNameOf<CommandOfDecider<DecidersOf<D>>> & string
>;

/**
 * The event types a stored event of the domain may have: the keys of its `events` declaration
 * (today's types and old names), else what its deciders' evolve() takes.
 */
export type EventTypeOf<D extends Domain> = D extends { events: infer Declared }
  ? string extends keyof Declared
    ? string
    : keyof Declared & string
  : OrString<TypeNameOf<DeciderEventOf<DecidersOf<D>>> & string>;

import type { JsonObject, RecordedEvent } from './events.js';
import type { PersonalData } from './personal-data.js';
import type { StandardSchemaV1 } from './standard-schema.js';

// What a domain module may declare about its commands and events, beside its deciders:
//
//   commands: { Deposit: { schema: depositSchema } },
//   events: {
//     AccountOpened: {
//       schema: openedSchema,
//       personalData: { subject: 'accountId', fields: ['owner'] },
//     },
//     MoneyDeposited: { version: 2, upcast: { 1: (data) => ({ ...data, currency: 'EUR' }) } },
//     Deposited: { renamedTo: 'MoneyDeposited' },
//   },
//
// The one place these declarations are typed; src/domain/validate-events.ts checks them when
// a module loads (validate-personal-data.ts checks personalData), and event-reading.ts turns
// `events` into how stored events are read.

/**
 * One step of an upcast: stored data of version N as version N + 1. Pure and synchronous; it
 * gets the event as stored too (its recordedAt, say), and returns the new data.
 */
export type Upcaster = (data: JsonObject, event: RecordedEvent) => JsonObject;

/**
 * One entry of `events`, by event type. An open shape: a feature that says more about an
 * event type adds its key here and to EVENT_DECLARATION_KEYS, and checks it in
 * src/domain/validate-events.ts.
 */
export interface EventTypeDeclaration {
  /** New events of this type must have data that passes it (any Standard Schema). */
  schema?: StandardSchemaV1;
  /** The version of the data shape the domain writes today (default 1). */
  version?: number;
  /** `upcast[N]` reads stored data of version N as version N + 1: one step each. */
  upcast?: Readonly<Record<number, Upcaster>>;
  /** An old name: stored events of this type read as that type, their version kept. */
  renamedTo?: string;
  /** Which fields are a person's data, sealed per subject; `forget` shreds them (docs/lifecycle.md). */
  personalData?: PersonalData;
}

/** The keys an `events` entry may have; anything else is refused, so a typo is never ignored. */
export const EVENT_DECLARATION_KEYS: readonly string[] = [
  'schema',
  'version',
  'upcast',
  'renamedTo',
  'personalData',
];

/** One entry of `commands`, by command type. */
export interface CommandDeclaration {
  /**
   * The command's data must pass it before the decider sees it (any Standard Schema). One that
   * also implements Standard JSON Schema fills the data in `eventlite ui`'s command box.
   */
  schema?: StandardSchemaV1;
}

export const COMMAND_DECLARATION_KEYS: readonly string[] = ['schema'];

export type EventDeclarations = Readonly<Record<string, EventTypeDeclaration>>;
export type CommandDeclarations = Readonly<Record<string, CommandDeclaration>>;

/** The version a declared type writes today. */
export function declaredVersion(declaration: EventTypeDeclaration | undefined): number {
  return declaration?.version ?? 1;
}

import type { Command } from '../../core/decider.js';
import type { Domain } from '../../core/domain.js';
import type { JsonObject } from '../../core/events.js';

/**
 * An event a spec starts from, as it is stored: an old type name or data shape may be given
 * with its `schemaVersion`, and the domain reads it as today's. Without `stream`, a command
 * case puts it in the command's stream and a projection case in the stream `spec`
 * (PROJECTION_SPEC_STREAM).
 */
export interface GivenEvent<Type extends string = string> {
  stream?: string;
  type: Type;
  /** The version of its type's data shape it is stored in (default 1). */
  schemaVersion?: number;
  data: JsonObject;
  metadata?: JsonObject;
  recordedAt?: string;
}

/** An expected event: the type, and the fields of data that must match (a subset). */
export interface ExpectedEvent<Type extends string = string> {
  type: Type;
  data?: JsonObject;
}

export type CommandExpectation =
  | { events: ExpectedEvent[] }
  /** `true`, or a text that the rejection's reason equals or its message contains. */
  | { rejected: string | true }
  /** Malformed command data (exit 2 from `exec`); same matching as `rejected`. */
  | { invalid: string | true };

interface CaseBase {
  /** As the user named the file, for messages. */
  file: string;
  /** The line where the case starts. */
  line: number;
  name: string;
  given: GivenEvent[];
}

/** given events, when a command, then events or a rejection. */
export interface CommandCase extends CaseBase {
  kind: 'command';
  when: Command;
  then: CommandExpectation;
}

/** Where a projection case's given events go when they name no stream. */
export const PROJECTION_SPEC_STREAM = 'spec';

/** Values a query binds to `:name`, as `eventlite query --param` does: text or numbers. */
export type SpecQueryParams = Record<string, string | number>;

/** given events, then a projection's rows for a query. */
export interface ProjectionCase extends CaseBase {
  kind: 'projection';
  query: string;
  params: SpecQueryParams;
  /** The rows the query must return, in order; each row a subset of the returned columns. */
  rows: JsonObject[];
}

/** given stored events, then what they read as today (renamed and upcast). */
export interface ReadingCase extends CaseBase {
  kind: 'reading';
  /** In order, one per given event: its type today and the fields of its data (a subset). */
  readAs: ExpectedEvent[];
}

export type SpecCase = CommandCase | ProjectionCase | ReadingCase;

export interface CaseOutcome {
  passed: boolean;
  /** Why it failed (or a note on a pass). */
  message?: string;
}

export interface CaseResult extends CaseOutcome {
  file: string;
  line: number;
  name: string;
}

/**
 * The extension point for projection specs: projections need the runner (the read database,
 * the statements applied in order), which lives outside this folder. The CLI passes one in;
 * without it, projection cases fail with a message saying so rather than passing unseen.
 */
export type ProjectionCaseRunner = (
  domain: Domain,
  specCase: ProjectionCase,
) => Promise<CaseOutcome>;

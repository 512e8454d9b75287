import type { SchemaIssue } from './standard-schema.js';

/**
 * The error family. Each error carries a stable string `code`; only the CLI maps codes to exit
 * statuses and stderr text, so library code can throw without knowing how it will be shown.
 *
 * Four errors stay outside the family on purpose, because no user or script ever sees them as
 * a command's failure: HandlerFailure and SetupFailure (core/ports.ts) and MaterializedViewError
 * (core/projection.ts) pass from a read store to the projection runner, which records them as
 * the projection's failure and reports a ProjectionFailedError; ExpectationError (testing.ts)
 * is thrown into the user's own test runner, as a plain Error any runner reports. A command's
 * failed outcome (`eventlite test` with failing specs) is the CLI's CommandFailed.
 */
export type ErrorCode =
  | 'CONCURRENCY'
  | 'DOMAIN_REJECTION'
  | 'NOT_FOUND'
  | 'INPUT'
  | 'STORE_BUSY'
  | 'TIMEOUT'
  | 'STORE'
  | 'INTERRUPTED'
  | 'PROJECTION_FAILED'
  | 'DOMAIN'
  | 'SUBSCRIBER_FAILED';

export class EventliteError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stream was not at the version the writer expected. */
export class ConcurrencyError extends EventliteError {
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: number,
    message = `version conflict on stream "${stream}": expected ${expected}, actual ${actual}`,
  ) {
    super('CONCURRENCY', message);
  }
}

/**
 * An event id is already stored: in another stream, beside new events, or (`differs`, for an
 * import) in the same stream with other content.
 */
export class DuplicateEventIdError extends EventliteError {
  constructor(
    readonly id: string,
    readonly stream: string,
    readonly storedIn: string,
    /** What differs from the stored event of that id (`data differs`), when it is content. */
    differs?: string,
  ) {
    super(
      'CONCURRENCY',
      differs !== undefined
        ? `duplicate event id ${id}: already stored in "${storedIn}" with other content (${differs}); an import adds what the store lacks and never changes a stored event`
        : storedIn === stream
          ? `duplicate event id ${id}: already stored in "${stream}", but not the whole batch is`
          : `duplicate event id ${id}: already stored in stream "${storedIn}"`,
    );
  }
}

/** The domain refused a command; the message is the domain's own reason. */
export class DomainRejection extends EventliteError {
  constructor(
    message: string,
    readonly reason?: string,
  ) {
    super('DOMAIN_REJECTION', message);
  }
}

export class NotFoundError extends EventliteError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** Bad input from the user: a flag, an argument, a payload. Raised before anything is written. */
export class InputError extends EventliteError {
  constructor(message: string) {
    super('INPUT', message);
  }
}

/**
 * Data that fails its declared schema (a command's, before the decider sees it): bad input,
 * with each issue the schema found.
 */
export class SchemaIssuesError extends InputError {
  constructor(
    message: string,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(message);
  }
}

/** The store stayed locked by another writer past the busy timeout. Safe to retry. */
export class StoreBusyError extends EventliteError {
  constructor(message: string) {
    super('STORE_BUSY', message);
  }
}

/** A wait ran out of time. Safe to retry. */
export class TimeoutError extends EventliteError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/** The file is damaged, foreign, or from a newer eventlite: nothing the user typed can fix it. */
export class StoreError extends EventliteError {
  /** The file, when the trouble is that it is damaged or not SQLite (not a full disk, say). */
  readonly damagedFile?: string;

  constructor(message: string, options?: { cause?: unknown; damagedFile?: string }) {
    super('STORE', message, options);
    if (options?.damagedFile !== undefined) this.damagedFile = options.damagedFile;
  }
}

/**
 * The store this command opened was deleted or made anew (a `reset`) while it ran: a follower
 * must stop rather than follow a store that is gone.
 */
export function storeReplacedError(location: string): StoreError {
  return new StoreError(
    `the store at ${location} was reset or deleted while this command was following it; stopped (run it again to follow the new store)`,
  );
}

/** The user pressed Ctrl-C (or the process got SIGTERM) while a command was running. */
export class InterruptedError extends EventliteError {
  constructor(message = 'interrupted') {
    super('INTERRUPTED', message);
  }
}

/**
 * A projection's handler (or the SQL it issued) failed on one event. The batch was rolled back,
 * the checkpoint stayed on the last good batch, and the projection is marked failed.
 */
export class ProjectionFailedError extends EventliteError {
  constructor(
    readonly projection: string,
    readonly position: number | null,
    readonly stream: string | null,
    readonly type: string | null,
    readonly reason: string,
    /** The setup statement that failed, when it was not an event. */
    readonly statement?: string,
  ) {
    super(
      'PROJECTION_FAILED',
      position === null
        ? `projection "${projection}" failed in its setup${statement === undefined ? '' : ` (${oneLine(statement)})`}: ${reason}`
        : `projection "${projection}" failed at event ${position} (stream "${stream}", type ${type}): ${reason}`,
    );
  }
}

/** Several projections failed in one run; each one's own error is kept, in order. */
export class ProjectionsFailedError extends EventliteError {
  constructor(readonly failures: readonly ProjectionFailedError[]) {
    super(
      'PROJECTION_FAILED',
      failures.length === 1
        ? failures[0]!.message
        : `${failures.length} projections failed: ${failures.map((failure) => failure.message).join('; ')}`,
    );
  }
}

/** SQL text on one line, for a message: runs of whitespace become one space. */
function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/**
 * A domain module's own code failed: a decider threw something other than a rejection, or
 * returned something that is not a list of events. The message names the command and the
 * function; the original error (with its line in the user's file) is kept as the cause.
 */
export class DomainError extends EventliteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DOMAIN', message, options);
    // The CLI prints `stack` with --debug: show where the user's code failed, not only here.
    const cause = options?.cause;
    if (cause instanceof Error && cause.stack)
      this.stack = `${this.stack}\nCaused by: ${cause.stack}`;
  }
}

/**
 * A subscription's consumer failed on a batch (or an event) and the error policy said stop
 * (or retry, and the retries ran out). Nothing of it was acknowledged: the next run delivers it
 * again.
 */
export class SubscriberFailedError extends EventliteError {
  constructor(message: string) {
    super('SUBSCRIBER_FAILED', message);
  }
}

/**
 * The same failure told with another message (a replay prefixes `file:line`), keeping what a
 * script reads from it: a rejection's reason, a conflict's stream and versions.
 */
export function withMessage(error: EventliteError, message: string): EventliteError {
  if (error instanceof DomainRejection) return new DomainRejection(message, error.reason);
  if (error instanceof SchemaIssuesError) return new SchemaIssuesError(message, error.issues);
  if (error instanceof ConcurrencyError)
    return new ConcurrencyError(error.stream, error.expected, error.actual, message);
  return new EventliteError(error.code, message);
}

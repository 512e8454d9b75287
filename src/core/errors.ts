/**
 * The error family. Each error carries a stable string `code`; only the CLI maps codes to exit
 * statuses and stderr text, so library code can throw without knowing how it will be shown.
 */
export type ErrorCode =
  | 'CONCURRENCY'
  | 'DOMAIN_REJECTION'
  | 'NOT_FOUND'
  | 'INPUT'
  | 'STORE_BUSY'
  | 'TIMEOUT'
  | 'STORE'
  | 'INTERRUPTED';

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

/** An event id is already stored, in another stream or beside new events. */
export class DuplicateEventIdError extends EventliteError {
  constructor(
    readonly id: string,
    readonly stream: string,
    readonly storedIn: string,
  ) {
    super(
      'CONCURRENCY',
      storedIn === stream
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
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM) while a command was running. */
export class InterruptedError extends EventliteError {
  constructor(message = 'interrupted') {
    super('INTERRUPTED', message);
  }
}

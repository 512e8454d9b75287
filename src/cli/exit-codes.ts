import type { ErrorCode } from '../core/errors.js';

/** The contract's exit codes. Only the CLI knows these numbers. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  conflict: 3,
  rejected: 4,
  notFound: 5,
  notYet: 6,
  interrupted: 130,
  terminated: 143,
} as const;

export const EXIT_CODE_OF: Record<ErrorCode, number> = {
  CONCURRENCY: EXIT.conflict,
  DOMAIN_REJECTION: EXIT.rejected,
  NOT_FOUND: EXIT.notFound,
  INPUT: EXIT.usage,
  STORE_BUSY: EXIT.notYet,
  TIMEOUT: EXIT.notYet,
  STORE: EXIT.failure,
  INTERRUPTED: EXIT.interrupted,
  PROJECTION_FAILED: EXIT.failure,
  DOMAIN: EXIT.failure,
  SUBSCRIBER_FAILED: EXIT.failure,
};

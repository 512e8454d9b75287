import {
  ConcurrencyError,
  DomainRejection,
  DuplicateEventIdError,
  SchemaIssuesError,
} from '../../core/errors.js';
import { EXIT } from '../exit-codes.js';

/** The word a script matches on, one per exit code: stable, unlike the message. */
const KIND_OF: Record<number, string> = {
  [EXIT.failure]: 'failure',
  [EXIT.usage]: 'usage',
  [EXIT.conflict]: 'conflict',
  [EXIT.rejected]: 'rejected',
  [EXIT.notFound]: 'not-found',
  [EXIT.notYet]: 'not-yet',
  [EXIT.interrupted]: 'interrupted',
};

/**
 * Whether the command line asks for JSON (`--json`, `--format json|ndjson`): then a failure is
 * reported as one JSON object on stderr. Read from argv, not from the parsed options, so that a
 * failure while parsing (an unknown flag) is reported the same way.
 */
export function wantsJsonErrors(argv: readonly string[]): boolean {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') break;
    if (arg === '--json') return true;
    const format = arg === '--format' ? argv[index + 1] : /^--format=(.*)$/.exec(arg)?.[1];
    if (format === 'json' || format === 'ndjson') return true;
  }
  return false;
}

/**
 * `{"error":{"exitCode","kind","reason"?,"message","stream"?,"expected"?,"actual"?,"id"?,
 * "issues"?}}` on one line; `issues` are a schema's, `[{"path","message"}]`.
 */
export function failureJson(exitCode: number, error: unknown, message: string): string {
  const body: Record<string, unknown> = { exitCode, kind: KIND_OF[exitCode] ?? 'failure' };
  if (error instanceof DomainRejection && error.reason !== undefined) body.reason = error.reason;
  body.message = message;
  if (error instanceof ConcurrencyError) {
    const expected = expectedValue(error.expected);
    Object.assign(body, { stream: error.stream, expected, actual: error.actual });
  } else if (error instanceof DuplicateEventIdError) {
    Object.assign(body, { stream: error.stream, id: error.id });
  } else if (error instanceof SchemaIssuesError) {
    body.issues = error.issues.map(({ path, message }) => ({ path, message }));
  }
  return `${JSON.stringify({ error: body })}\n`;
}

/** A rejection's human line names its reason, unless the message already does. */
export function withReason(error: unknown, message: string): string {
  if (!(error instanceof DomainRejection) || error.reason === undefined) return message;
  if (message.includes(error.reason)) return message;
  return `${error.reason}: ${message}`;
}

/** The expected version as `--expected-version` spells it: a number, `no-stream` or `exists`. */
function expectedValue(described: string): number | string {
  if (/^\d+$/.test(described)) return Number(described);
  if (described.startsWith('no stream')) return 'no-stream';
  if (described === 'an existing stream') return 'exists';
  return described;
}

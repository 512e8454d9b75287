import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventliteError, InputError } from '../core/errors.js';
import { parseJsonObject } from '../core/input.js';
import type { JsonObject } from '../core/events.js';

// Answers in JSON, and failures as `{"error":{"code","message","reason"?}}`: the error family's
// code (DOMAIN_REJECTION, INPUT, NOT_FOUND, …) with the HTTP status that says the same.

const STATUS_OF: Record<string, number> = {
  INPUT: 400,
  NOT_FOUND: 404,
  CONCURRENCY: 409,
  DOMAIN_REJECTION: 422,
  STORE_BUSY: 503,
  TIMEOUT: 503,
};

/** A request body larger than this is refused: a command or a query is a few lines. */
const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** A refusal of the request itself (403, 401, 404, 405): code HTTP, with a message. */
export function sendRefusal(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { error: { code: 'HTTP', message } });
}

/**
 * A use case's failure as its status and body; anything else (a bug) is a 500 with its message.
 * Returns the status sent.
 */
export function sendFailure(response: ServerResponse, error: unknown): number {
  if (!(error instanceof EventliteError)) {
    sendJson(response, 500, { error: { code: 'FAILURE', message: messageOf(error) } });
    return 500;
  }
  const reason = (error as { reason?: unknown }).reason;
  const status = STATUS_OF[error.code] ?? 500;
  sendJson(response, status, {
    error: {
      code: error.code,
      message: error.message,
      ...(typeof reason === 'string' && { reason }),
    },
  });
  return status;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The body as a JSON object, checked as the CLI checks its input. */
export async function readJsonBody(request: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > MAX_BODY_BYTES)
      throw new InputError(`the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return parseJsonObject(Buffer.concat(chunks).toString('utf8'), 'the request body');
}

import { constants, isUtf8 } from 'node:buffer';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Line } from '../app/lines.js';
import { InputError, NotFoundError } from '../core/errors.js';
import type { CliIo } from './io.js';

/** `-` is standard input; anything else a file that must exist. */
export function describeSource(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** Opened at once, so a missing file is reported before the caller opens the store. */
function openSource(path: string, io: CliIo): NodeJS.ReadableStream {
  if (path === '-') return io.stdin;
  const file = resolve(io.cwd, path);
  if (!existsSync(file)) throw new NotFoundError(`no such file: ${path}`);
  if (statSync(file).isDirectory()) throw new InputError(`${path} is a folder, not a file`);
  return createReadStream(file);
}

const NEWLINE = 0x0a;

/**
 * Input must be UTF-8. Decoding would quietly turn a stray byte (a Latin-1 "é") into U+FFFD,
 * and events are never rewritten, so such a line is refused rather than stored changed.
 */
function notUtf8(where: string): InputError {
  return new InputError(
    `${where}: not valid UTF-8; convert the input first (e.g. iconv -f latin1 -t utf-8)`,
  );
}

function asBuffer(chunk: unknown): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
}

/**
 * The longest line (and stdin text) read, in bytes: V8's longest string, 2^29 - 24 characters
 * on 64-bit Node (just under 512 MiB), since a longer one cannot be decoded at all. A UTF-8
 * byte is at most one character, so any line within the limit decodes. EVENTLITE_MAX_LINE_BYTES
 * lowers it (tests use that instead of writing a 512 MB file).
 */
export function maxLineBytes(env: CliIo['env']): number {
  const given = env.EVENTLITE_MAX_LINE_BYTES;
  const value = given !== undefined && /^\d+$/.test(given) ? Number(given) : NaN;
  if (given !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new InputError(`EVENTLITE_MAX_LINE_BYTES must be a positive integer, got "${given}"`);
  }
  return Number.isNaN(value)
    ? constants.MAX_STRING_LENGTH
    : Math.min(value, constants.MAX_STRING_LENGTH);
}

function tooLong(where: string, limit: number): InputError {
  return new InputError(
    `${where}: line is longer than ${limit} bytes, the most one line may hold; split the input`,
  );
}

/**
 * The non-blank lines of a file or stdin, a chunk's worth at a time. The source is opened at
 * once, so a missing file is reported before the caller opens the store; lines come in batches
 * because an await per line costs more than parsing it.
 */
export function readLineBatches(path: string, io: CliIo): AsyncGenerator<Line[]> {
  const limit = maxLineBytes(io.env);
  const source = openSource(path, io);
  return splitLines(source, describeSource(path), limit);
}

// Lines are cut at the byte 0x0a, which never occurs inside a multi-byte UTF-8 sequence, so a
// block of whole lines can be checked and decoded on its own. The chunks of an unfinished line
// are kept in a list and joined once its end arrives: joining at every chunk makes a 50 MB
// line cost time quadratic in its length.
async function* splitLines(
  source: NodeJS.ReadableStream,
  name: string,
  limit: number,
): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const collect = (bytes: Buffer): Line[] => {
    checkLineLengths(bytes, name, number, limit);
    const texts = decodeLines(bytes, name, number);
    const lines: Line[] = [];
    for (const raw of texts) {
      number += 1;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (text.trim() !== '') lines.push({ number, text });
    }
    return lines;
  };
  for await (const chunk of source) {
    const bytes = asBuffer(chunk);
    const end = bytes.lastIndexOf(NEWLINE);
    if (end < 0) {
      // Refused before it is joined: past V8's limit the join itself would fail.
      pendingBytes += bytes.length;
      if (pendingBytes > limit) throw tooLong(`${name}:${number + 1}`, limit);
      pending.push(bytes);
      continue;
    }
    // Only the line that straddles the chunks is joined; the chunk's other whole lines are
    // decoded where they lie (copying every chunk into a joined buffer cost ~2% of an import).
    let start = 0;
    let lines: Line[] = [];
    if (pendingBytes > 0) {
      start = bytes.indexOf(NEWLINE) + 1;
      lines = collect(Buffer.concat([...pending, bytes.subarray(0, start - 1)]));
    }
    if (start <= end) lines = lines.concat(collect(bytes.subarray(start, end)));
    pending = [bytes.subarray(end + 1)];
    pendingBytes = pending[0]!.length;
    if (lines.length > 0) yield lines;
  }
  const last = collect(Buffer.concat(pending));
  if (last.length > 0) yield last;
}

/** Refuses the first line of `bytes` (whole lines, numbered after `linesBefore`) over `limit`. */
function checkLineLengths(bytes: Buffer, name: string, linesBefore: number, limit: number): void {
  if (bytes.length <= limit) return;
  let line = linesBefore + 1;
  for (let start = 0; start < bytes.length; line += 1) {
    const found = bytes.indexOf(NEWLINE, start);
    const end = found < 0 ? bytes.length : found;
    if (end - start > limit) throw tooLong(`${name}:${line}`, limit);
    start = end + 1;
  }
}

/** `bytes` split into lines (without the newlines), refused when a line is not UTF-8. */
function decodeLines(bytes: Buffer, name: string, linesBefore: number): string[] {
  if (isUtf8(bytes)) return bytes.toString('utf8').split('\n');
  // Some line is not UTF-8: find which, for the message.
  let line = linesBefore + 1;
  for (let start = 0; ; line += 1) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end < 0 || !isUtf8(bytes.subarray(start, end))) break;
    start = end + 1;
  }
  throw notUtf8(`${name}:${line}`);
}

/** The non-blank lines of a file or stdin, one at a time (see readLineBatches). */
export function readLines(path: string, io: CliIo): AsyncGenerator<Line> {
  const batches = readLineBatches(path, io);
  return (async function* () {
    for await (const batch of batches) yield* batch;
  })();
}

/** The whole of a file or stdin as text. */
export async function readAll(path: string, io: CliIo): Promise<string> {
  const limit = maxLineBytes(io.env);
  const source = openSource(path, io);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    chunks.push(asBuffer(chunk));
    length += chunks.at(-1)!.length;
    if (length > limit) {
      throw new InputError(
        `${describeSource(path)} is longer than ${limit} bytes, the most one text may hold`,
      );
    }
  }
  const bytes = Buffer.concat(chunks);
  if (!isUtf8(bytes)) throw notUtf8(describeSource(path));
  return bytes.toString('utf8');
}

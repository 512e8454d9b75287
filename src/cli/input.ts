import { isUtf8 } from 'node:buffer';
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
 * The non-blank lines of a file or stdin, a chunk's worth at a time. The source is opened at
 * once, so a missing file is reported before the caller opens the store; lines come in batches
 * because an await per line costs more than parsing it.
 */
export function readLineBatches(path: string, io: CliIo): AsyncGenerator<Line[]> {
  const source = openSource(path, io);
  return splitLines(source, describeSource(path));
}

// Lines are cut at the byte 0x0a, which never occurs inside a multi-byte UTF-8 sequence, so a
// block of whole lines can be checked and decoded on its own. The chunks of an unfinished line
// are kept in a list and joined once its end arrives: joining at every chunk makes a 50 MB
// line cost time quadratic in its length.
async function* splitLines(source: NodeJS.ReadableStream, name: string): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let number = 0;
  const collect = (bytes: Buffer): Line[] => {
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
      pending.push(bytes);
      continue;
    }
    const complete = Buffer.concat([...pending, bytes.subarray(0, end)]);
    pending = [bytes.subarray(end + 1)];
    const lines = collect(complete);
    if (lines.length > 0) yield lines;
  }
  const last = collect(Buffer.concat(pending));
  if (last.length > 0) yield last;
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
  const source = openSource(path, io);
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(asBuffer(chunk));
  const bytes = Buffer.concat(chunks);
  if (!isUtf8(bytes)) throw notUtf8(describeSource(path));
  return bytes.toString('utf8');
}

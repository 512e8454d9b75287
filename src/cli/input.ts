import { createReadStream, existsSync, statSync } from 'node:fs';
import { InputError, NotFoundError } from '../core/errors.js';

/** `-` is standard input; anything else a file that must exist. */
export function describeSource(path: string): string {
  return path === '-' ? 'stdin' : path;
}

function openSource(path: string): NodeJS.ReadableStream {
  if (path === '-') return process.stdin;
  if (!existsSync(path)) throw new NotFoundError(`no such file: ${path}`);
  if (statSync(path).isDirectory()) throw new InputError(`${path} is a folder, not a file`);
  return createReadStream(path, { encoding: 'utf8' });
}

export interface Line {
  /** 1-based, for `file:line` messages. */
  number: number;
  text: string;
}

/**
 * The non-blank lines of a file or stdin, a chunk's worth at a time. The source is opened at
 * once, so a missing file is reported before the caller opens the store; lines come in batches
 * because an await per line costs more than parsing it.
 */
export function readLineBatches(path: string): AsyncGenerator<Line[]> {
  const source = openSource(path);
  return splitLines(source);
}

async function* splitLines(source: NodeJS.ReadableStream): AsyncGenerator<Line[]> {
  source.setEncoding('utf8');
  let pending = '';
  let number = 0;
  const collect = (texts: string[]): Line[] => {
    const lines: Line[] = [];
    for (const raw of texts) {
      number += 1;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (text.trim() !== '') lines.push({ number, text });
    }
    return lines;
  };
  for await (const chunk of source) {
    const texts = (pending + (chunk as string)).split('\n');
    pending = texts.pop()!;
    const lines = collect(texts);
    if (lines.length > 0) yield lines;
  }
  const last = collect([pending]);
  if (last.length > 0) yield last;
}

/** The non-blank lines of a file or stdin, one at a time (see readLineBatches). */
export function readLines(path: string): AsyncGenerator<Line> {
  const batches = readLineBatches(path);
  return (async function* () {
    for await (const batch of batches) yield* batch;
  })();
}

/** The whole of a file or stdin as text. */
export async function readAll(path: string): Promise<string> {
  const source = openSource(path);
  let text = '';
  source.setEncoding('utf8');
  for await (const chunk of source) text += chunk as string;
  return text;
}

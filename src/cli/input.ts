import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
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

/** The non-blank lines of a file or stdin, read as they arrive. */
export async function* readLines(path: string): AsyncGenerator<Line> {
  const lines = createInterface({ input: openSource(path), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() !== '') yield { number, text };
  }
}

/** The whole of a file or stdin as text. */
export async function readAll(path: string): Promise<string> {
  const source = openSource(path);
  let text = '';
  source.setEncoding('utf8');
  for await (const chunk of source) text += chunk as string;
  return text;
}

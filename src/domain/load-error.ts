import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { typeScriptSyntaxError } from './syntax-error.js';
import { didYouMean } from '../core/did-you-mean.js';

/**
 * What a domain module that cannot be loaded is told: where (`file:line:column`), why, and the
 * offending line with a caret under the column, for TypeScript and JavaScript alike.
 *
 * jiti reports a syntax error as `ParseError: …` with ` file:line:column` on the next line (the
 * column counted from 0, as Babel counts), naming the module or the file of its own that it
 * imports, whichever failed; in TypeScript, TypeScript's own place and message are taken when
 * the compiler is there (see syntax-error.ts). An error thrown while the module runs has the
 * place in its stack, where the line is the source's (source maps) but the column the compiled
 * code's.
 */
export function loadErrorMessage(
  error: unknown,
  absolute: string,
  label: string,
  libraryExports: readonly string[],
): string {
  const text = error instanceof Error ? error.message : String(error);
  const [first = text, ...rest] = text.split('\n');
  const parsed = /^\s*(.+):(\d+):(\d+)\s*$/.exec(rest.join('\n'));
  let reason = first.replace(/^ParseError: /, '').trim();
  let place: { line: number; column?: number } | undefined;
  // The file to blame: the module, or for a syntax error the file of its own it imports.
  let file = absolute;
  let shown = label;
  if (/^ParseError: /.test(first) && parsed) {
    file = resolve(dirname(absolute), parsed[1]!);
    if (file !== absolute) shown = join(dirname(label), relative(dirname(absolute), file));
    place = { line: Number(parsed[2]), column: Number(parsed[3]) + 1 };
    const exact = typeScriptSyntaxError(file);
    if (exact) [place, reason] = [{ line: exact.line, column: exact.column }, exact.message];
  } else {
    const line = lineInStack(error, absolute);
    if (line !== undefined) place = { line };
    if (error instanceof Error && !reason.startsWith(error.name))
      reason = `${error.name}: ${reason}`;
  }
  const missing = missingExport(reason, libraryExports);
  const source = readSource(file);
  const lineText = place && source?.[place.line - 1];
  if (missing) {
    reason = `eventlite has no export "${missing}"${didYouMean(missing, libraryExports)}`;
    const at = lineText?.indexOf(missing) ?? -1;
    if (place && at >= 0) place.column = at + 1;
  }
  const where = place ? `${shown}:${place.line}${place.column ? `:${place.column}` : ''}` : shown;
  const heading = `${where}: cannot load the domain module: ${reason}`;
  // An empty line (the end of the file, say) has nothing to point at.
  if (!place || !lineText?.trim()) return heading;
  return `${heading}\n${codeFrame(place.line, lineText, place.column)}`;
}

function lineInStack(error: unknown, absolute: string): number | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const frame of stack.split('\n')) {
    const at = frame.indexOf(`${absolute}:`);
    if (at < 0) continue;
    const match = /^:(\d+):\d+/.exec(frame.slice(at + absolute.length));
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** `(0 , _eventlite.defineProjector) is not a function`: an import that eventlite lacks. */
function missingExport(reason: string, libraryExports: readonly string[]): string | undefined {
  const match = /_eventlite\.(\w+)\)? is not a (function|constructor)/.exec(reason);
  return match && !libraryExports.includes(match[1]!) ? match[1] : undefined;
}

function readSource(absolute: string): string[] | undefined {
  try {
    return readFileSync(absolute, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
}

function codeFrame(line: number, text: string, column: number | undefined): string {
  const gutter = String(line);
  const shown = `  ${gutter} | ${text.replaceAll('\t', ' ')}`;
  if (column === undefined) return shown;
  return `${shown}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, column - 1))}^`;
}

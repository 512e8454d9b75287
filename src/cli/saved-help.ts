import { readFileSync } from 'node:fs';
import type { CliIo } from './io.js';

/**
 * The command path `argv` asks help for, when it is only command words and then `--help` or
 * `-h` (`projections run --help` → "projections run"); otherwise undefined.
 */
export function helpRequest(argv: readonly string[]): string | undefined {
  const last = argv[argv.length - 1];
  if (last !== '--help' && last !== '-h') return undefined;
  const words = argv.slice(0, -1);
  if (words.some((word) => word.startsWith('-'))) return undefined;
  return words.join(' ');
}

/**
 * The help text saved at build time (scripts/startup/help-texts.mjs) for a help request printed to
 * something other than a terminal, so that it need not build the program, which costs as much
 * as Node's own start-up. Undefined when there is none to use: on a terminal (commander lays
 * the text out for its width), for anything but a plain help request, a path that names no
 * command (commander says so), or when run from the sources, which have no saved texts.
 */
export function savedHelp(argv: readonly string[], io: CliIo): string | undefined {
  if (io.stdout.isTTY) return undefined;
  const path = helpRequest(argv);
  if (path === undefined) return undefined;
  let texts: Record<string, unknown>;
  try {
    texts = JSON.parse(
      readFileSync(new URL('../help-texts.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const text = Object.hasOwn(texts, path) ? texts[path] : undefined;
  return typeof text === 'string' ? text : undefined;
}

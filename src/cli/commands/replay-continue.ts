import type { Command } from 'commander';
import { shownLocation } from '../../app/open.js';

/**
 * The command line that replays the rest of a scenario after `q`: the global and replay flags
 * given on this one, from the line it stopped before, with this replay's correlation id, so
 * that the rest of the story is stored as if it had never stopped. A password in a
 * `postgres://` URL is left out, as in every message (PGPASSWORD or ~/.pgpass supplies it).
 */
export function continuation(
  command: Command,
  at: { file: string; fromLine: number; correlationId: string },
): string {
  const words = [
    'eventlite',
    ...givenOptions(command.parent!),
    'replay',
    at.file,
    ...givenOptions(command, ['fromLine', 'correlationId']),
    '--from-line',
    String(at.fromLine),
    '--correlation-id',
    at.correlationId,
  ];
  return words.map(shellWord).join(' ');
}

/** The options given on the command line (not defaults or the environment), as words. */
function givenOptions(command: Command, except: readonly string[] = []): string[] {
  const words: string[] = [];
  for (const option of command.options) {
    const name = option.attributeName();
    if (except.includes(name) || command.getOptionValueSource(name) !== 'cli') continue;
    const value: unknown = command.getOptionValue(name);
    words.push(option.long!);
    if (option.required || option.optional) words.push(shownLocation(String(value)));
  }
  return words;
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

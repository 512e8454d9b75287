/** Global options that take a value, so that value is not mistaken for the command name. */
export const GLOBAL_OPTIONS_WITH_VALUE = new Set([
  '--db',
  '--read-db',
  '--domain',
  '--query-role',
  '--query-db',
  '--clock',
]);

/** Where the word that names the command is in `argv` (`--db x.db log` → 2), or -1. */
export function commandWordIndex(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) index += 1;
    else if (!arg.startsWith('-')) return index;
  }
  return -1;
}

/** The hidden command the completion scripts run (complete-words.ts), not commander's. */
export const COMPLETE_COMMAND = '__complete';

import type { Command } from 'commander';
import { bashScript } from './completion-bash.js';
import { fishScript } from './completion-fish.js';
import { zshScript } from './completion-zsh.js';
import { dynamicArguments, flagsOf, specOf } from './completion-spec.js';
import { allCommands } from './help.js';

// Shell completion scripts, generated from the commander program itself, so that a command or
// flag added to the program is completed without anyone editing a script. The words that are
// the user's (the domain's commands, the store's streams, the projections and read tables)
// the scripts ask for as they complete, through `eventlite __complete` (complete-words.ts),
// with the --db, --read-db and --domain given on the line.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`, for the whole program. */
export function completionScript(program: Command, shell: Shell): string {
  const root = specOf(program);
  const globals = flagsOf(program);
  // Commands registered lazily would be missing: the caller registers them all first.
  if (allCommands(program).length === 0) throw new Error('completion needs the whole program');
  const dynamic = dynamicArguments(root);
  if (shell === 'bash') return bashScript(root, globals, dynamic);
  if (shell === 'zsh') return zshScript(root, globals, dynamic);
  return fishScript(root, globals, dynamic);
}

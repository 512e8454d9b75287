import type { Command, Option } from 'commander';
import type { CompletionKind } from '../app/completion-words.js';
import { commandPath } from './help.js';

// What the completion scripts are made of (completion.ts): the program's commands and flags
// as read from commander, and the arguments completed with the user's words.

export interface FlagSpec {
  flag: string;
  description: string;
  /** The flag takes a value. */
  takesValue: boolean;
  choices: readonly string[] | undefined;
}

export interface CommandSpec {
  /** `''` for the program itself, else `projections run`. */
  path: string;
  name: string;
  description: string;
  subcommands: CommandSpec[];
  flags: FlagSpec[];
  /** The values its arguments may take, where they are fixed (`completion bash`). */
  argumentChoices: string[];
}

export function flagsOf(command: Command): FlagSpec[] {
  return command.options
    .filter((option: Option) => option.long !== undefined && !option.hidden)
    .map((option: Option) => ({
      flag: option.long!,
      description: option.description,
      takesValue: option.required || option.optional,
      choices: option.argChoices,
    }));
}

export function specOf(command: Command): CommandSpec {
  return {
    path: command.parent ? commandPath(command) : '',
    name: command.name(),
    description: command.description(),
    subcommands: command.commands
      .filter((sub) => !(sub as { _hidden?: boolean })._hidden)
      .map(specOf),
    argumentChoices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
    flags: [
      ...flagsOf(command),
      { flag: '--help', description: 'display help', takesValue: false, choices: undefined },
    ],
  };
}

export function everySpec(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(everySpec)];
}

export const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The `case` pattern that moves from a command's path to one of its subcommands. */
export function pathSteps(root: CommandSpec): string {
  return everySpec(root)
    .flatMap((spec) => spec.subcommands.map((sub) => `"${spec.path}|${sub.name}"`))
    .join('|');
}

/**
 * `case` patterns for a flag that takes a value, as `path|flag`: a global flag after any
 * command, a command's own flag after that command; with what to offer for each.
 */
export function valueFlagCases(
  root: CommandSpec,
  globals: FlagSpec[],
  offer: (flag: FlagSpec) => string,
): [string, string][] {
  const cases: [string, string][] = [];
  for (const spec of everySpec(root).slice(1)) {
    for (const flag of spec.flags.filter((f) => f.takesValue)) {
      cases.push([`"${spec.path}|${flag.flag}"`, offer(flag)]);
    }
  }
  for (const flag of globals.filter((f) => f.takesValue)) {
    cases.push([`*"|${flag.flag}"`, offer(flag)]);
  }
  return cases;
}

/** An argument completed with the user's words, asked of `eventlite __complete KIND`. */
export interface DynamicArgument {
  path: string;
  kind: CompletionKind;
  /** Only the first argument (`exec COMMAND`, not its DATA); else every one (`NAME…`). */
  onlyFirst: boolean;
}

const DYNAMIC: readonly DynamicArgument[] = [
  { path: 'exec', kind: 'commands', onlyFirst: true },
  { path: 'read', kind: 'streams', onlyFirst: true },
  { path: 'state', kind: 'streams', onlyFirst: true },
  { path: 'projections', kind: 'projections', onlyFirst: false },
  { path: 'projections run', kind: 'projections', onlyFirst: false },
  { path: 'projections rebuild', kind: 'projections', onlyFirst: false },
  { path: 'projections wait', kind: 'projections', onlyFirst: false },
  { path: 'projections drop', kind: 'projections', onlyFirst: true },
  { path: 'tables', kind: 'tables', onlyFirst: false },
];

/** Those of the program's commands (a test may build fewer). */
export function dynamicArguments(root: CommandSpec): DynamicArgument[] {
  const paths = new Set(everySpec(root).map((spec) => spec.path));
  return DYNAMIC.filter((argument) => paths.has(argument.path));
}

/** The global flags that say where the store, the read models and the domain are. */
export const LOCATION_FLAGS = ['--db', '--read-db', '--domain', '--query-role'];

/** Every flag that takes a value, so that its value is not counted as an argument. */
export function valueFlags(root: CommandSpec, globals: FlagSpec[]): string[] {
  const flags = [...globals, ...everySpec(root).flatMap((spec) => spec.flags)];
  return [...new Set(flags.filter((flag) => flag.takesValue).map((flag) => flag.flag))];
}

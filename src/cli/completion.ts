import type { Command, Option } from 'commander';
import { allCommands, commandPath } from './help.js';

// Shell completion scripts, generated from the commander program itself, so that a command or
// flag added to the program is completed without anyone editing a script.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface FlagSpec {
  flag: string;
  description: string;
  /** The flag takes a value. */
  takesValue: boolean;
  choices: readonly string[] | undefined;
}

interface CommandSpec {
  /** `''` for the program itself, else `projections run`. */
  path: string;
  name: string;
  description: string;
  subcommands: CommandSpec[];
  flags: FlagSpec[];
  /** The values its arguments may take, where they are fixed (`completion bash`). */
  argumentChoices: string[];
}

function flagsOf(command: Command): FlagSpec[] {
  return command.options
    .filter((option: Option) => option.long !== undefined && !option.hidden)
    .map((option: Option) => ({
      flag: option.long!,
      description: option.description,
      takesValue: option.required || option.optional,
      choices: option.argChoices,
    }));
}

function specOf(command: Command): CommandSpec {
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

function everySpec(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(everySpec)];
}

/** The completion script for `shell`, for the whole program. */
export function completionScript(program: Command, shell: Shell): string {
  const root = specOf(program);
  const globals = flagsOf(program);
  // Commands registered lazily would be missing: the caller registers them all first.
  if (allCommands(program).length === 0) throw new Error('completion needs the whole program');
  if (shell === 'bash') return bashScript(root, globals);
  if (shell === 'zsh') return zshScript(root, globals);
  return fishScript(root, globals);
}

const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The `case` pattern that moves from a command's path to one of its subcommands. */
function pathSteps(root: CommandSpec): string {
  return everySpec(root)
    .flatMap((spec) => spec.subcommands.map((sub) => `"${spec.path}|${sub.name}"`))
    .join('|');
}

/**
 * `case` patterns for a flag that takes a value, as `path|flag`: a global flag after any
 * command, a command's own flag after that command; with what to offer for each.
 */
function valueFlagCases(
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

function bashScript(root: CommandSpec, globals: FlagSpec[]): string {
  const specs = everySpec(root);
  const choiceCases = valueFlagCases(root, globals, (flag) =>
    single((flag.choices ?? []).join(' ')),
  ).map(([pattern, words]) => `    ${pattern}) words=${words} ;;`);
  const wordCases = specs.map((spec) => {
    const words = [
      ...spec.subcommands.map((sub) => sub.name),
      ...spec.argumentChoices,
      ...spec.flags.map((f) => f.flag),
      ...(spec.path === '' ? [] : globals.map((f) => f.flag)),
    ];
    return `    "${spec.path}") words=${single(words.join(' '))} ;;`;
  });
  return `# eventlite completion for bash. Load it with
#   eval "$(eventlite completion bash)"
# or save it as ~/.local/share/bash-completion/completions/eventlite
_eventlite() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmdpath="" word words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$cmdpath|$word" in
      ${pathSteps(root)}) cmdpath="\${cmdpath:+$cmdpath }$word" ;;
    esac
  done
  # A flag that takes a value: its choices, or (none known) files.
  words="-"
  case "$cmdpath|$prev" in
${choiceCases.join('\n')}
  esac
  if [[ "$words" != "-" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$cmdpath" in
${wordCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _eventlite eventlite
`;
}

const zshEntry = (name: string, description: string) =>
  single(`${name.replace(/:/g, '\\:')}:${description}`);

function zshScript(root: CommandSpec, globals: FlagSpec[]): string {
  const specs = everySpec(root);
  const choiceCases = valueFlagCases(root, globals, (flag) =>
    flag.choices ? `compadd -- ${flag.choices.map(single).join(' ')}` : '_files',
  ).map(([pattern, action]) => `    ${pattern}) ${action}; return ;;`);
  const listCases = specs.map((spec) => {
    const commands = [
      ...spec.subcommands.map((sub) => zshEntry(sub.name, sub.description)),
      ...spec.argumentChoices.map((choice) => zshEntry(choice, spec.name)),
    ];
    const flags = [...spec.flags, ...(spec.path === '' ? [] : globals)].map((flag) =>
      zshEntry(flag.flag, flag.description),
    );
    return `    "${spec.path}") commands=(${commands.join(' ')}); flags=(${flags.join(' ')}) ;;`;
  });
  return `#compdef eventlite
# eventlite completion for zsh. Load it with
#   source <(eventlite completion zsh)
# or save it as _eventlite in a folder of your $fpath
_eventlite() {
  local cmdpath="" word i
  local -a commands flags
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$cmdpath|$word" in
      ${pathSteps(root)}) cmdpath="\${cmdpath:+$cmdpath }$word" ;;
    esac
  done
  case "$cmdpath|\${words[CURRENT-1]}" in
${choiceCases.join('\n')}
  esac
  case "$cmdpath" in
${listCases.join('\n')}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    _describe -t flags 'flag' flags
  else
    _describe -t commands 'command' commands
    _files
  fi
}
compdef _eventlite eventlite
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript(root: CommandSpec, globals: FlagSpec[]): string {
  const lines = [
    '# eventlite completion for fish. Load it with',
    '#   eventlite completion fish | source',
    '# or save it as ~/.config/fish/completions/eventlite.fish',
    'complete -c eventlite -f',
  ];
  const flagLine = (condition: string | undefined, flag: FlagSpec) => {
    const when = condition ? ` -n ${fishQuote(condition)}` : '';
    const value = flag.choices
      ? ` -x -a ${fishQuote(flag.choices.join(' '))}`
      : flag.takesValue
        ? ' -r -F'
        : '';
    return `complete -c eventlite${when} -l ${flag.flag.slice(2)}${value} -d ${fishQuote(flag.description)}`;
  };
  for (const flag of globals) lines.push(flagLine(undefined, flag));
  for (const spec of everySpec(root)) {
    const names = spec.path === '' ? [] : spec.path.split(' ');
    const seen = names.map((name) => `__fish_seen_subcommand_from ${name}`);
    const subs = spec.subcommands.map((sub) => sub.name);
    const here =
      spec.path === ''
        ? '__fish_use_subcommand'
        : [
            ...seen,
            ...(subs.length ? [`not __fish_seen_subcommand_from ${subs.join(' ')}`] : []),
          ].join('; and ');
    for (const sub of spec.subcommands) {
      lines.push(
        `complete -c eventlite -n ${fishQuote(here)} -a ${sub.name} -d ${fishQuote(sub.description)}`,
      );
    }
    for (const choice of spec.argumentChoices) {
      lines.push(`complete -c eventlite -n ${fishQuote(here)} -a ${choice}`);
    }
    if (spec.path === '') continue;
    for (const flag of spec.flags) {
      if (flag.flag !== '--help') lines.push(flagLine(here, flag));
    }
  }
  return `${lines.join('\n')}\n`;
}

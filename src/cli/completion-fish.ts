import {
  type CommandSpec,
  type DynamicArgument,
  everySpec,
  type FlagSpec,
  LOCATION_FLAGS,
  valueFlags,
} from './completion-spec.js';

// The fish script: one `complete` line per subcommand, choice and flag, each under the
// condition of where it applies; the user's words come from a function that asks
// `eventlite __complete` with the --db, --read-db and --domain given on the line.

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function fishScript(
  root: CommandSpec,
  globals: FlagSpec[],
  dynamic: readonly DynamicArgument[],
): string {
  const lines = [
    '# eventlite completion for fish. Load it with',
    '#   eventlite completion fish | source',
    '# or save it as ~/.config/fish/completions/eventlite.fish',
    'complete -c eventlite -f',
    ...helpers(valueFlags(root, globals)),
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
    for (const argument of dynamic.filter((candidate) => candidate.path === spec.path)) {
      const first = argument.onlyFirst ? `; and __eventlite_args ${names.at(-1)} 0` : '';
      lines.push(
        `complete -c eventlite -n ${fishQuote(here + first)} -a ${fishQuote(`(__eventlite_words ${argument.kind})`)}`,
      );
    }
    if (spec.path === '') continue;
    for (const flag of spec.flags) {
      if (flag.flag !== '--help') lines.push(flagLine(here, flag));
    }
  }
  return `${lines.join('\n')}\n`;
}

function helpers(flagsWithValues: readonly string[]): string[] {
  return [
    "# The user's words (the domain's commands, streams, projections, read tables), asked of",
    '# eventlite itself with the --db, --read-db and --domain given on the line.',
    'function __eventlite_words',
    '    set -l tokens (commandline -opc)',
    '    set -l located',
    '    for i in (seq 2 (math (count $tokens) - 1))',
    `        if contains -- $tokens[$i] ${LOCATION_FLAGS.join(' ')}`,
    '            set -a located $tokens[$i] $tokens[(math $i + 1)]',
    '        end',
    '    end',
    '    $tokens[1] $located __complete $argv[1] (commandline -ct) 2>/dev/null',
    'end',
    '# Whether $argv[2] arguments (not flags, nor their values) follow the command word $argv[1].',
    'function __eventlite_args',
    '    set -l count 0',
    '    set -l seen 0',
    '    set -l previous',
    '    for token in (commandline -opc)[2..-1]',
    '        if test $seen -eq 1',
    `            if not string match -q -- '-*' $token; and not contains -- "$previous" ${flagsWithValues.join(' ')}`,
    '                set count (math $count + 1)',
    '            end',
    '        else if test "$token" = $argv[1]',
    '            set seen 1',
    '        end',
    '        set previous $token',
    '    end',
    '    test $count -eq $argv[2]',
    'end',
  ];
}

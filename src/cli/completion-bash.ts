import {
  type CommandSpec,
  type DynamicArgument,
  everySpec,
  type FlagSpec,
  LOCATION_FLAGS,
  pathSteps,
  single,
  valueFlagCases,
  valueFlags,
} from './completion-spec.js';

// The bash script: the command path and the count of arguments after it are read from the
// words before the cursor; then a flag's value, or the words of that place (subcommands,
// fixed choices, the user's words from `eventlite __complete`), or flags when the word being
// completed starts with `-` (or nothing else fits), as git and gh complete.

export function bashScript(
  root: CommandSpec,
  globals: FlagSpec[],
  dynamic: readonly DynamicArgument[],
): string {
  const specs = everySpec(root);
  const choiceCases = valueFlagCases(root, globals, (flag) =>
    single((flag.choices ?? []).join(' ')),
  ).map(([pattern, words]) => `    ${pattern}) words=${words} ;;`);
  const wordCases = specs.map((spec) => {
    const words = [...spec.subcommands.map((sub) => sub.name), ...spec.argumentChoices];
    const flags = [
      ...spec.flags.map((f) => f.flag),
      ...(spec.path === '' ? [] : globals.map((f) => f.flag)),
    ];
    return `    "${spec.path}") words=${single(words.join(' '))} flags=${single(flags.join(' '))} ;;`;
  });
  const dynamicCases = dynamic.map(({ path, kind, onlyFirst }) => {
    const pattern = onlyFirst ? `"${path}|0"` : `"${path}|"*`;
    return `      ${pattern}) _eventlite_words ${kind} "$cur" ;;`;
  });
  return `# eventlite completion for bash. Load it with
#   eval "$(eventlite completion bash)"
# or save it as ~/.local/share/bash-completion/completions/eventlite

# The user's words (the domain's commands, streams, projections, read tables), asked of
# eventlite itself with the --db, --read-db and --domain given on the line, added to the
# replies quoted: they are data, never expanded (compgen -W would expand them).
_eventlite_words() {
  local i value name
  local -a located=()
  for ((i = 1; i < COMP_CWORD - 1; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${LOCATION_FLAGS.join('|')})
        value="\${COMP_WORDS[i+1]}"
        located+=("\${COMP_WORDS[i]}" "\${value/#\\~/$HOME}") ;;
    esac
  done
  while IFS= read -r name; do
    COMPREPLY+=("$(printf '%q' "$name")")
  done < <("\${COMP_WORDS[0]}" "\${located[@]}" __complete "$1" "$2" 2>/dev/null)
}

_eventlite() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmdpath="" word words flags i args=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$cmdpath|$word" in
      ${pathSteps(root)}) cmdpath="\${cmdpath:+$cmdpath }$word"; args=0; continue ;;
    esac
    # An argument: not a flag, nor a flag's value.
    case "$word" in -*) continue ;; esac
    case "\${COMP_WORDS[i-1]}" in ${valueFlags(root, globals).join('|')}) ;; *) args=$((args + 1)) ;; esac
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
  COMPREPLY=()
  if [[ "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    case "$cmdpath|$args" in
${dynamicCases.join('\n')}
    esac
  fi
  if [[ "$cur" == -* || \${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  fi
}
complete -o default -F _eventlite eventlite
`;
}

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

// The zsh script: as bash's (completion-bash.ts), with descriptions; the user's words are
// added with compadd, which quotes them.

const zshEntry = (name: string, description: string) =>
  single(`${name.replace(/:/g, '\\:')}:${description}`);

export function zshScript(
  root: CommandSpec,
  globals: FlagSpec[],
  dynamic: readonly DynamicArgument[],
): string {
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
  const dynamicCases = dynamic.map(({ path, kind, onlyFirst }) => {
    const pattern = onlyFirst ? `"${path}|0"` : `"${path}|"*`;
    return `      ${pattern}) _eventlite_words ${kind} ;;`;
  });
  return `#compdef eventlite
# eventlite completion for zsh. Load it with
#   source <(eventlite completion zsh)
# or save it as _eventlite in a folder of your $fpath

# The user's words (the domain's commands, streams, projections, read tables), asked of
# eventlite itself with the --db, --read-db and --domain given on the line.
_eventlite_words() {
  local i value
  local -a located found
  for ((i = 2; i < CURRENT - 1; i++)); do
    case "\${words[i]}" in
      ${LOCATION_FLAGS.join('|')})
        value="\${words[i+1]}"
        located+=("\${words[i]}" "\${value/#\\~/$HOME}") ;;
    esac
  done
  found=("\${(@f)$("\${words[1]}" "\${located[@]}" __complete "$1" "\${words[CURRENT]}" 2>/dev/null)}")
  found=("\${(@)found:#}")
  (( \${#found} )) && compadd -a found
}

_eventlite() {
  local cmdpath="" word i args=0
  local -a commands flags
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$cmdpath|$word" in
      ${pathSteps(root)}) cmdpath="\${cmdpath:+$cmdpath }$word"; args=0; continue ;;
    esac
    # An argument: not a flag, nor a flag's value.
    case "$word" in -*) continue ;; esac
    case "\${words[i-1]}" in ${valueFlags(root, globals).join('|')}) ;; *) args=$((args + 1)) ;; esac
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
    case "$cmdpath|$args" in
${dynamicCases.join('\n')}
    esac
    _files
  fi
}
compdef _eventlite eventlite
`;
}

import { type Command, Help } from 'commander';

// Help that teaches: the top-level list names every command, nested ones included, and each
// command's help ends with a few examples. Kept here, keyed by the command's full name, so a
// command's own file stays about what it does.

/** Two or three examples per command, by its name from the root (`projections run`). */
export const EXAMPLES: Record<string, readonly string[]> = {
  init: ['eventlite init', 'eventlite init --example bank', 'eventlite init --example orders'],
  append: [
    `eventlite append account-acc-1 MoneyDeposited '{"amount":100}'`,
    `eventlite append account-acc-1 MoneyDeposited '{"amount":5}' --expected-version 3`,
    'eventlite append account-acc-1 --file events.ndjson',
  ],
  streams: ['eventlite streams', 'eventlite streams --prefix account- --limit 10'],
  types: ['eventlite types', 'eventlite types --format csv > types.csv'],
  'streams delete': [
    'eventlite streams delete test-1',
    'eventlite streams delete test-1 --hard --yes',
  ],
  'streams restore': [
    'eventlite streams restore test-1',
    'eventlite streams restore test-1 --format json | jq .data.version',
  ],
  redact: [
    'eventlite redact account-acc-1 --field owner',
    'eventlite redact account-acc-1 --field address.street --version 1 3 --yes',
  ],
  forget: ['eventlite forget acc-1', 'eventlite forget acc-1 --yes && eventlite projections run'],
  read: [
    'eventlite read account-acc-1',
    'eventlite read account-acc-1 --from 2 --limit 5',
    'eventlite read account-acc-1 --backwards --format json',
  ],
  log: [
    'eventlite log --from 100 --type MoneyDeposited --format table',
    'eventlite log --category account --since 2h',
    'eventlite log --follow --format ndjson | jq .type',
  ],
  export: [
    'eventlite export > backup.ndjson',
    'eventlite export --stream account-acc-1',
    'eventlite export --upcast | eventlite --db today.db import -',
  ],
  import: ['eventlite import backup.ndjson', 'eventlite --db copy.db import - < backup.ndjson'],
  status: ['eventlite status', 'eventlite status --format json'],
  verify: ['eventlite verify', 'eventlite verify --format json || echo "store damaged"'],
  exec: [
    `eventlite exec OpenAccount '{"accountId":"acc-1","owner":"Ada"}'`,
    `eventlite exec Withdraw '{"accountId":"acc-1","amount":20}' --trace`,
    'eventlite exec --file commands.ndjson',
  ],
  state: ['eventlite state account-acc-1', 'eventlite state account-acc-1 --at 2'],
  replay: [
    'eventlite replay scenario.ndjson --keep-going',
    'eventlite --clock 2026-03-01T09:00:00Z replay scenario.ndjson --delay 500',
    'eventlite replay scenario.ndjson --step',
  ],
  check: [
    'eventlite check',
    'eventlite check --no-types',
    'eventlite check && eventlite test --reporter junit > report.xml',
  ],
  test: ['eventlite test', 'eventlite test specs/account.spec.yaml --format json'],
  projections: ['eventlite projections', 'eventlite projections account_summary --format json'],
  'projections run': [
    'eventlite projections run',
    'eventlite projections run account_summary --until 100 --trace',
    'eventlite projections run --follow',
  ],
  'projections rebuild': [
    'eventlite projections rebuild',
    'eventlite projections rebuild account_summary',
  ],
  'projections drop': [
    'eventlite projections drop account_summary',
    'eventlite projections drop account_summary --yes',
  ],
  'projections parked': [
    'eventlite projections parked account_summary',
    'eventlite projections parked account_summary --format json',
  ],
  'projections retry': [
    'eventlite projections retry account_summary',
    'eventlite projections retry account_summary --skipped',
  ],
  subscribe: [
    'eventlite subscribe copy -- jq -c .',
    "eventlite subscribe webhook --follow -- curl --fail -sS --data-binary @- -H 'Content-Type: application/x-ndjson' https://example.com/events",
    'eventlite subscribe search --category account --member 0 --of 3 --on-error park --follow -- ./index-batch.sh',
  ],
  subscriptions: ['eventlite subscriptions', 'eventlite subscriptions webhook --format json'],
  'subscriptions parked': [
    'eventlite subscriptions parked search',
    'eventlite subscriptions parked search --format json',
  ],
  'subscriptions retry': [
    'eventlite subscriptions retry search',
    'eventlite subscriptions retry search --skipped',
  ],
  'subscriptions drop': [
    'eventlite subscriptions drop search',
    'eventlite subscriptions drop search --yes',
  ],
  'projections wait': [
    'eventlite projections wait',
    'eventlite projections wait orders --timeout 30 || echo "still behind"',
  ],
  query: [
    `eventlite query 'SELECT * FROM account_summary ORDER BY account_id'`,
    `eventlite query 'SELECT * FROM account_summary WHERE balance > :min' --param min=10`,
    `eventlite query 'SELECT * FROM monthly_customer_summary' --format csv > summary.csv`,
  ],
  reset: ['eventlite reset', 'eventlite reset --yes && eventlite replay scenario.ndjson'],
  tables: [
    'eventlite tables',
    'eventlite tables account_summary --columns',
    'eventlite tables --format json',
  ],
  completion: [
    'eventlite completion bash > ~/.local/share/bash-completion/completions/eventlite',
    'eventlite completion zsh > "${fpath[1]}/_eventlite"',
    'eventlite completion fish > ~/.config/fish/completions/eventlite.fish',
  ],
  diagram: ['eventlite diagram', 'eventlite diagram > flow.mmd', 'eventlite diagram --no-log'],
  ui: [
    'eventlite ui',
    'eventlite ui --allow-exec --open',
    'eventlite ui --replay scenario.ndjson --port 8080',
  ],
};

/** `projections run`: the command's names from below the root down. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** The program's commands and their subcommands, depth first, in `--help` order. */
export function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

/** Adds each command's examples to the end of its help. */
export function addExamples(program: Command): void {
  for (const command of allCommands(program)) {
    const examples = EXAMPLES[commandPath(command)];
    if (!examples) continue;
    const lines = examples.map((example) => `  $ ${example}`).join('\n');
    command.addHelpText('after', `\nExamples:\n${lines}`);
  }
}

/** A Help that knows whether it is listing the top level (commander makes one per help text). */
type ListingHelp = Help & { listingTopLevel?: boolean };

/**
 * The top-level help lists nested commands too (`projections run`), so one `--help` shows
 * everything there is; a command's own help lists its subcommands as commander does.
 */
export const nestedCommandHelp = {
  visibleCommands(this: ListingHelp, command: Command): Command[] {
    const visible = Help.prototype.visibleCommands.call(this, command);
    if (command.parent) return visible;
    this.listingTopLevel = true;
    return visible.flatMap((sub) => [
      sub,
      ...allCommands(sub).filter((nested) => !(nested as { _hidden?: boolean })._hidden),
    ]);
  },
  subcommandTerm(this: ListingHelp, command: Command): string {
    const term = Help.prototype.subcommandTerm.call(this, command);
    const parent = command.parent;
    if (!this.listingTopLevel || !parent?.parent) return term;
    return `${commandPath(parent)} ${term}`;
  },
};

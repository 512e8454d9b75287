/**
 * A command that ran to its end and reports a failed outcome, as `eventlite test` does when a
 * spec case fails: exit 1 with the message, in every format (see main.ts). Not one of the
 * error family in core/errors.ts: nothing went wrong in eventlite, the store or the domain
 * module, and no library caller meets it (runSpecs returns the cases' results).
 */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

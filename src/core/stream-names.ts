import { InputError } from './errors.js';

// The parts of a stream name, as message-db defines them (database/functions/category.sql,
// id.sql and cardinal-id.sql): `account-42+eu` is category `account`, id `42+eu`, cardinal
// id `42`. eventlite adds the system streams: names that start with `$` belong to the store
// itself (the audit events of its lifecycle commands), like KurrentDB's.

/** The name before the first `-`; the whole name when it has none. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}

/** The name after the first `-`, or undefined when it has none. */
export function idOf(stream: string): string | undefined {
  const dash = stream.indexOf('-');
  return dash === -1 ? undefined : stream.slice(dash + 1);
}

/** The id up to its first `+` (a compound id's first part), or undefined without an id. */
export function cardinalIdOf(stream: string): string | undefined {
  const id = idOf(stream);
  if (id === undefined) return undefined;
  const plus = id.indexOf('+');
  return plus === -1 ? id : id.slice(0, plus);
}

/** What starts the name of a stream the store keeps for itself. */
export const SYSTEM_STREAM_PREFIX = '$';

export function isSystemStream(stream: string): boolean {
  return stream.startsWith(SYSTEM_STREAM_PREFIX);
}

/** A `--category` value: a category has no `-` (message-db refuses one too). */
export function validateCategory(flag: string, category: string): string {
  if (category === '' || category.includes('-')) {
    throw new InputError(
      `${flag} must be a category: the part of a stream name before its first "-", got ${JSON.stringify(category)}`,
    );
  }
  return category;
}

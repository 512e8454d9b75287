import { InputError } from './errors.js';
import type { JsonObject } from './events.js';
import { fieldAt, parseFieldPath, replaceFieldAt, type FieldPath } from './field-path.js';
import { FORGOTTEN, isSealed } from './sealing.js';
import type { PersonalFields } from './personal-data.js';
import { subjectOf } from './personal-data.js';

// What `redact` and `forget` write over a field, decided the same way in both adapters: the
// adapter reads the events in its transaction, asks here what each becomes, and writes that.

export const REDACTED = '[redacted]';

/** The paths of `redact --field`, checked before any SQL runs. */
export function redactionPaths(fields: readonly string[]): FieldPath[] {
  if (fields.length === 0) throw new InputError('give at least one --field to redact');
  return fields.map((field) => parseFieldPath(field, '--field'));
}

/** The versions of `redact --version`, checked against the stream's version. */
export function checkRedactedVersions(
  stream: string,
  versions: readonly number[] | undefined,
  current: number,
): void {
  for (const version of versions ?? []) {
    if (!Number.isSafeInteger(version) || version < 1 || version > current) {
      throw new InputError(`--version ${version}: stream "${stream}" has versions 1 to ${current}`);
    }
  }
}

/**
 * `data` with each of `paths` that it holds replaced by "[redacted]"; undefined when it holds
 * none of them (or only values already redacted).
 */
export function redactedData(dataJson: string, paths: readonly FieldPath[]): string | undefined {
  const data = JSON.parse(dataJson) as JsonObject;
  let changed = false;
  for (const path of paths) {
    if (fieldAt(data, path) === REDACTED) continue;
    changed = replaceFieldAt(data, path, () => REDACTED) || changed;
  }
  return changed ? JSON.stringify(data) : undefined;
}

/** The message when no event held any of the fields: nothing was changed. */
export function nothingToRedact(stream: string, fields: readonly string[]): InputError {
  const named = fields.map((field) => `"${field}"`).join(', ');
  return new InputError(
    `no event of stream "${stream}" holds ${fields.length === 1 ? 'the field' : 'any of the fields'} ${named} (or it is redacted already); nothing changed`,
  );
}

/**
 * For `forget` with the domain at hand: `data` of an event of a declared type whose subject
 * is `subject`, with its declared fields that are stored unsealed replaced by "[forgotten]";
 * undefined when there are none.
 */
export function forgottenPlaintext(
  dataJson: string,
  personal: PersonalFields | undefined,
  subject: string,
): string | undefined {
  if (!personal) return undefined;
  const data = JSON.parse(dataJson) as JsonObject;
  if (subjectOf(data, personal) !== subject) return undefined;
  let changed = false;
  for (const path of personal.fields) {
    const value = fieldAt(data, path);
    if (value === undefined || value === FORGOTTEN || isSealed(value)) continue;
    changed = replaceFieldAt(data, path, () => FORGOTTEN) || changed;
  }
  return changed ? JSON.stringify(data) : undefined;
}

/**
 * Whether `storedJson` is `importedJson` with some values replaced by "[redacted]" or
 * "[forgotten]": an earlier export of an event that `redact` or `forget` has changed here
 * since. An import skips it as stored, where other content under the same id is refused.
 */
export function isLifecycleChangedCopy(importedJson: string, storedJson: string): boolean {
  return changedCopy(JSON.parse(importedJson) as unknown, JSON.parse(storedJson) as unknown);
}

function changedCopy(imported: unknown, stored: unknown): boolean {
  if (stored === REDACTED || stored === FORGOTTEN) return true;
  if (imported === null || stored === null || typeof stored !== 'object') {
    return imported === stored;
  }
  if (typeof imported !== 'object' || Array.isArray(imported) !== Array.isArray(stored)) {
    return false;
  }
  const importedKeys = Object.keys(imported);
  const storedKeys = Object.keys(stored);
  if (importedKeys.length !== storedKeys.length) return false;
  return storedKeys.every(
    (key) =>
      Object.hasOwn(imported, key) &&
      changedCopy(
        (imported as Record<string, unknown>)[key],
        (stored as Record<string, unknown>)[key],
      ),
  );
}

import { parseFieldPath } from '../core/field-path.js';
import { describe, isObject } from './validate-projections.js';

// The personalData entries of a domain's `events` (docs/lifecycle.md), checked as the rest of
// the module is: each message names the event type and the entry at fault. The other keys of
// an `events` entry belong to the evolution declarations and are checked with them.

type Fail = (problem: string) => never;

export function validatePersonalData(events: unknown, fail: Fail): void {
  if (!isObject(events)) fail(`events must be an object of event types, got ${describe(events)}`);
  for (const [type, declaration] of Object.entries(events as object)) {
    if (!isObject(declaration)) {
      fail(`events.${type} must be an object, got ${describe(declaration)}`);
    }
    const personal = (declaration as Record<string, unknown>).personalData;
    if (personal === undefined) continue;
    const where = `events.${type}.personalData`;
    if (!isObject(personal)) {
      fail(
        `${where} must be { subject: 'field', fields: ['field', …] }, got ${describe(personal)}`,
      );
    }
    const { subject, fields } = personal as Record<string, unknown>;
    if (typeof subject !== 'string') {
      fail(`${where}.subject must name the field that names the person, got ${describe(subject)}`);
    }
    checkPath(subject as string, `${where}.subject`, fail);
    if (!Array.isArray(fields)) {
      fail(`${where}.fields must be a list of field names, got ${describe(fields)}`);
    }
    if ((fields as unknown[]).length === 0) fail(`${where}.fields must name at least one field`);
    const seen = new Set<string>();
    (fields as unknown[]).forEach((field, index) => {
      const at = `${where}.fields[${index}]`;
      if (typeof field !== 'string') fail(`${at} must be a field name, got ${describe(field)}`);
      checkPath(field as string, at, fail);
      if (field === subject) {
        fail(
          `${at} is the subject field "${subject}": the subject stays readable, so it cannot be sealed`,
        );
      }
      if (seen.has(field as string)) fail(`${where}.fields names "${field}" twice`);
      seen.add(field as string);
    });
  }
}

function checkPath(path: string, where: string, fail: Fail): void {
  try {
    parseFieldPath(path, where);
  } catch (error) {
    fail((error as Error).message);
  }
}

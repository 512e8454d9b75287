import type { Command, DecidedEvent } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { DomainError, SchemaIssuesError } from '../core/errors.js';
import { declaredVersion, type EventDeclarations } from '../core/event-types.js';
import type { JsonObject } from '../core/events.js';
import {
  AsyncSchemaError,
  describeIssue,
  validateWithSchema,
  type SchemaOutcome,
  type StandardSchemaV1,
} from '../core/standard-schema.js';

// What a domain declares about its commands and events, held against what comes in and what
// its deciders decide: a command's data against its schema before decide(), each decided
// event against `events` before anything is appended.

/**
 * The command with its data as its declared schema gives it back (defaults and transforms
 * applied), or the command as it is when it has no schema. Data that fails is bad input
 * (exit 2), every issue listed.
 */
export function checkCommandData(domain: Domain, command: Command): Command {
  const schema = domain.commands?.[command.type]?.schema;
  if (schema === undefined) return command;
  const outcome = runSchema(schema, command.data, `commands.${command.type}.schema`);
  if (outcome.ok) return { type: command.type, data: outcome.value as JsonObject };
  throw new SchemaIssuesError(
    `${command.type}: the data does not match the command's schema: ${outcome.issues.map(describeIssue).join('; ')}`,
    outcome.issues,
  );
}

/**
 * With `events` declared, each decided event must be of a declared type (today's name, not an
 * old one) and its data must pass that type's schema: otherwise the decider is at fault and
 * nothing is appended (exit 1). `where` names the decider and the command. Returns each
 * event's schema version, as declared (undefined for version 1, stored as absent).
 */
export function checkDecidedEvents(
  events: EventDeclarations | undefined,
  where: () => string,
  decided: readonly DecidedEvent[],
): (number | undefined)[] {
  if (events === undefined) return decided.map(() => undefined);
  return decided.map((event, index) => {
    // Named only when something is wrong: every decided event passes here.
    const which = () => `${where()}: event ${index + 1} (${event.type})`;
    const declaration = Object.hasOwn(events, event.type) ? events[event.type] : undefined;
    if (declaration === undefined) {
      const today = Object.keys(events).filter((type) => events[type]!.renamedTo === undefined);
      throw new DomainError(
        `${which()} is not a declared event type (events declares ${today.join(', ')})`,
      );
    }
    if (declaration.renamedTo !== undefined) {
      throw new DomainError(
        `${which()} is an old name, read today as ${declaration.renamedTo}: decide ${declaration.renamedTo}`,
      );
    }
    if (declaration.schema !== undefined) {
      const outcome = runSchema(declaration.schema, event.data, `events.${event.type}.schema`);
      if (!outcome.ok) {
        throw new DomainError(
          `${which()} does not match its schema: ${describeIssue(outcome.issues[0]!)}`,
        );
      }
    }
    const version = declaredVersion(declaration);
    return version === 1 ? undefined : version;
  });
}

/** A schema is user code: what it throws is the domain's failure, named by `where`. */
function runSchema(schema: StandardSchemaV1, value: unknown, where: string): SchemaOutcome {
  try {
    return validateWithSchema(schema, value);
  } catch (error) {
    if (error instanceof AsyncSchemaError) throw new DomainError(`${where} ${error.message}`);
    const kind = error instanceof Error ? error.name : 'a non-error value';
    const message = error instanceof Error ? error.message : String(error);
    throw new DomainError(`${where} threw ${kind}: ${message}`, { cause: error });
  }
}

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { InputError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { parseRecordedAt } from '../../core/exported-event.js';
import { describeJson, requireObject } from '../../core/input.js';
import { validateNameAt, validateSchemaVersion } from '../../core/new-event.js';
import { jsonObjectProblem } from '../../core/json-value.js';
import { toCommand } from '../../core/command-input.js';
import type {
  CommandExpectation,
  ExpectedEvent,
  GivenEvent,
  SpecCase,
  SpecQueryParams,
} from './spec-case.js';

/**
 * Reads one spec file: YAML, or JSON (which YAML reads too). The top level is a list of cases,
 * or `{ cases: [...] }`. A malformed file is bad input (exit 2) with its `file:line`.
 */
export async function readSpecFile(path: string, label: string): Promise<SpecCase[]> {
  // Required, not imported: a dynamic import() from the bundled CLI's code-cached chunks fails
  // on Node 20 (see scripts/startup/README.md), and yaml's CommonJS build has the same exports.
  const { LineCounter, parseDocument, isMap, isNode, isSeq } = createRequire(import.meta.url)(
    'yaml',
  ) as typeof import('yaml');
  const lineCounter = new LineCounter();
  const document = parseDocument(await readFile(path, 'utf8'), { lineCounter });
  const lineOf = (offset: number | undefined) => lineCounter.linePos(offset ?? 0).line;
  const problem = document.errors[0];
  if (problem) {
    throw new InputError(`${label}:${lineOf(problem.pos[0])}: ${problem.message.split('\n')[0]}`);
  }
  const root: unknown = document.contents;
  const list: unknown = isMap(root) ? root.get('cases', true) : root;
  if (!isSeq(list))
    throw new InputError(`${label}: a spec file is a list of cases, or { cases: [...] }`);
  return list.items.map((node, index) => {
    const range = (node as { range?: [number, number, number] }).range;
    const where = `${label}:${lineOf(range?.[0])}`;
    const value: unknown = isNode(node) ? node.toJS(document) : node;
    return toSpecCase(value, { file: label, line: lineOf(range?.[0]), where, index });
  });
}

interface Place {
  file: string;
  line: number;
  where: string;
  index: number;
}

// The keys each part of a case may have: any other is a typo, said with the nearest of these
// rather than left to make the case pass or fail for a reason it does not show.
const CASE_KEYS = ['name', 'given', 'when', 'query', 'params', 'then'];
const COMMAND_THEN_KEYS = ['events', 'rejected', 'invalid'];
const PROJECTION_THEN_KEYS = ['rows'];
/** A case without "when" or "query": what its given events read as (see docs/evolution.md). */
const READING_THEN_KEYS = ['readAs'];

function toSpecCase(value: unknown, place: Place): SpecCase {
  const object = requireObject(value, `${place.where}: a case`);
  const name = typeof object.name === 'string' ? object.name : `case ${place.index + 1}`;
  const where = `${place.where} (${name})`;
  refuseUnknownKeys(object, CASE_KEYS, `${where}: a case`);
  const base = { file: place.file, line: place.line, name, given: toGiven(object.given, where) };
  const then = requireObject(object.then ?? null, `${where}: "then"`);
  if (object.when !== undefined && then.readAs !== undefined) {
    throw new InputError(
      `${where}: then.readAs states what given events read as; give it without "when"`,
    );
  }
  // A case with neither "when" nor "query" may state what its given events read as.
  const reading = object.when === undefined && object.query === undefined;
  refuseMisplacedKeys(
    then,
    object.query === undefined ? 'command' : 'projection',
    where,
    reading ? READING_THEN_KEYS : [],
  );
  if (object.when !== undefined && object.query !== undefined) {
    throw new InputError(`${where}: a case has "when" (a command) or "query", not both`);
  }
  if (object.when !== undefined) {
    const when = toCommand(object.when, `${where}: "when"`);
    const problem = jsonObjectProblem(when.data, 'data');
    if (problem !== undefined) throw new InputError(`${where}: "when": ${problem}`);
    return { ...base, kind: 'command', when, then: toExpectation(then, where) };
  }
  if (object.query === undefined && then.readAs !== undefined) {
    refuseUnknownKeys(then, READING_THEN_KEYS, `${where}: "then" with readAs`);
    return { ...base, kind: 'reading', readAs: toExpectedEvents(then.readAs, `${where}: readAs`) };
  }
  if (typeof object.query === 'string') {
    const params = toQueryParams(object.params, where);
    if (!Array.isArray(then.rows)) throw new InputError(`${where}: "then" needs rows: [...]`);
    const rows = then.rows.map((row, index) => requireObject(row, `${where}: row ${index + 1}`));
    return { ...base, kind: 'projection', query: object.query, params, rows };
  }
  throw new InputError(
    `${where}: a case needs "when" (a command) or "query" (a projection's rows) or then.readAs (what stored events read as)`,
  );
}

/**
 * Given events are what the store already holds, so they are checked as `import` checks a
 * line (names, objects, a real recordedAt) and their times written as the store writes them
 * (parseRecordedAt): a projection sees in a spec what it would see in production.
 */
function toGiven(value: unknown, where: string): GivenEvent[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError(`${where}: "given" must be a list of events`);
  return value.map((item, index) => {
    const at = `${where}: given event ${index + 1}`;
    const event = requireObject(item, at);
    const given: GivenEvent = {
      type: validateNameAt(at, 'event type', event.type),
      data: optionalObject(event.data, `${at}: data`),
    };
    if (event.stream !== undefined) given.stream = validateNameAt(at, 'stream', event.stream);
    if (event.schemaVersion !== undefined) {
      given.schemaVersion = validateSchemaVersion(event.schemaVersion, at);
    }
    if (event.metadata !== undefined)
      given.metadata = requireObject(event.metadata, `${at}: metadata`);
    if (event.recordedAt !== undefined) given.recordedAt = parseRecordedAt(event.recordedAt, at);
    // YAML can say .nan or .inf, which no JSON event could hold.
    const problem =
      jsonObjectProblem(given.data, 'data') ??
      (given.metadata === undefined ? undefined : jsonObjectProblem(given.metadata, 'metadata'));
    if (problem !== undefined) throw new InputError(`${at}: ${problem}`);
    return given;
  });
}

// Bound like `eventlite query --param`: SQLite has no booleans, and null is better said in SQL.
function toQueryParams(value: unknown, where: string): SpecQueryParams {
  if (value === undefined) return {};
  const params = requireObject(value, `${where}: "params"`);
  for (const [name, param] of Object.entries(params)) {
    if (typeof param === 'string' || (typeof param === 'number' && Number.isFinite(param)))
      continue;
    throw new InputError(
      `${where}: params.${name} must be a text or a number, got ${describeJson(param)}`,
    );
  }
  return params as SpecQueryParams;
}

function toExpectation(then: JsonObject, where: string): CommandExpectation {
  const kinds = COMMAND_THEN_KEYS.filter((key) => then[key] !== undefined);
  if (kinds.length !== 1) {
    throw new InputError(`${where}: "then" needs exactly one of events, rejected or invalid`);
  }
  if (then.rejected !== undefined)
    return { rejected: toMatchText(then.rejected, `${where}: rejected`) };
  if (then.invalid !== undefined)
    return { invalid: toMatchText(then.invalid, `${where}: invalid`) };
  if (!Array.isArray(then.events)) throw new InputError(`${where}: "then.events" must be a list`);
  return { events: toExpectedEvents(then.events, where) };
}

function toExpectedEvents(list: unknown, where: string): ExpectedEvent[] {
  if (!Array.isArray(list)) throw new InputError(`${where} must be a list of events`);
  return list.map((item, index): ExpectedEvent => {
    const event = requireObject(item, `${where}: expected event ${index + 1}`);
    if (typeof event.type !== 'string') {
      throw new InputError(`${where}: expected event ${index + 1} needs a type`);
    }
    if (event.data === undefined) return { type: event.type };
    return {
      type: event.type,
      data: requireObject(event.data, `${where}: expected event ${index + 1} data`),
    };
  });
}

function toMatchText(value: unknown, where: string): string | true {
  if (value === true || (typeof value === 'string' && value !== '')) return value;
  throw new InputError(
    `${where} must be true or a text to find in the message, got ${describeJson(value)}`,
  );
}

/**
 * A key of the other kind of case's `then` is not a typo: say where it belongs. Any other key
 * than the kind's own and `also` is one.
 */
function refuseMisplacedKeys(
  then: JsonObject,
  kind: SpecCase['kind'],
  where: string,
  also: readonly string[],
): void {
  const [keys, otherKeys] =
    kind === 'command'
      ? [COMMAND_THEN_KEYS, PROJECTION_THEN_KEYS]
      : [PROJECTION_THEN_KEYS, COMMAND_THEN_KEYS];
  const misplaced = Object.keys(then).find((key) => otherKeys.includes(key));
  if (misplaced !== undefined) {
    const needs =
      kind === 'command' ? 'needs exactly one of events, rejected or invalid' : 'needs rows: [...]';
    const belongs = kind === 'command' ? '"query" (a projection\'s rows)' : '"when" (a command)';
    throw new InputError(`${where}: "then" ${needs}; "${misplaced}" goes with ${belongs}`);
  }
  refuseUnknownKeys(then, [...keys, ...also], `${where}: "then"`);
}

function refuseUnknownKeys(object: JsonObject, known: readonly string[], what: string): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  throw new InputError(
    `${what} has an unknown key "${unknown}"${didYouMean(unknown, known)}; it may have ${known.join(', ')}`,
  );
}

function optionalObject(value: unknown, what: string): JsonObject {
  return value === undefined || value === null ? {} : requireObject(value, what);
}

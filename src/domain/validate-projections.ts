import { DIALECTS } from '../core/dialect.js';
import { describeJson } from '../core/input.js';

// The projections of a domain module, checked as validate.ts checks its deciders: structurally,
// with messages that name the projection and the entry at fault. SQL text may be a string or
// one text per dialect ({ sqlite, postgres }), in setup, views and materialized views alike.

type Fail = (problem: string) => never;

/** Names the read stores can both take unquoted: PostgreSQL folds to lower case, 63 bytes. */
const VIEW_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const ON_ERROR = ['stop', 'skip', 'park'] as const;

export function validateProjections(value: unknown, fail: Fail): void {
  if (!Array.isArray(value)) fail(`projections must be a list, got ${describe(value)}`);
  const names = new Set<string>();
  const viewOwners = new Map<string, string>();
  (value as unknown[]).forEach((projection, index) => {
    if (!isObject(projection))
      fail(`projection ${index + 1} must be an object, got ${describe(projection)}`);
    const { name, version, setup, views, materializedViews, on, onLifecycle, onError } =
      projection as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') fail(`projection ${index + 1} has no name`);
    const where = `projection "${name}"`;
    if (names.has(name as string)) fail(`two projections are named "${name}"`);
    names.add(name as string);
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      fail(`${where} needs a version (a positive integer), got ${describe(version)}`);
    }
    checkSqlList(setup, `${where}: setup`, fail);
    if (views !== undefined) checkSqlList(views, `${where}: views`, fail);
    if (materializedViews !== undefined) {
      checkMaterializedViews(materializedViews, where, fail, (view) => {
        const owner = viewOwners.get(view);
        if (owner === name) fail(`${where} declares materialized view "${view}" twice`);
        if (owner !== undefined) {
          fail(`projections "${owner}" and "${name}" both declare materialized view "${view}"`);
        }
        viewOwners.set(view, name as string);
      });
    }
    if (onError !== undefined && !(ON_ERROR as readonly unknown[]).includes(onError)) {
      fail(`${where}: onError must be one of ${ON_ERROR.join(', ')}, got ${describe(onError)}`);
    }
    if (!isObject(on)) fail(`${where} has no on: { EventType: (event) => statements }`);
    for (const [type, handler] of Object.entries(on as object)) {
      if (typeof handler !== 'function')
        fail(`${where}: on.${type} must be a function, got ${describe(handler)}`);
    }
    if (onLifecycle !== undefined && typeof onLifecycle !== 'function') {
      fail(`${where}: onLifecycle must be a function, got ${describe(onLifecycle)}`);
    }
  });
}

function checkSqlList(value: unknown, where: string, fail: Fail): void {
  if (!Array.isArray(value)) fail(`${where} must be a list of SQL statements`);
  (value as unknown[]).forEach((sql, index) => {
    const problem = sqlProblem(sql);
    if (problem) fail(`${where} must be a list of SQL statements: entry ${index + 1} ${problem}`);
  });
}

function checkMaterializedViews(
  value: unknown,
  where: string,
  fail: Fail,
  claim: (name: string) => void,
): void {
  if (!Array.isArray(value)) {
    fail(`${where}: materializedViews must be a list of { name, query }, got ${describe(value)}`);
  }
  (value as unknown[]).forEach((view, index) => {
    const entry = `${where}: materialized view ${index + 1}`;
    if (!isObject(view)) fail(`${entry} must be { name, query }, got ${describe(view)}`);
    const { name, query, ...rest } = view as Record<string, unknown>;
    if (typeof name !== 'string' || !VIEW_NAME.test(name)) {
      fail(
        `${entry} needs a name of lower-case letters, digits and _ (at most 63), got ${describe(name)}`,
      );
    }
    if ((name as string).startsWith('eventlite_')) {
      fail(`${entry}: the name "${name}" is taken: names starting with eventlite_ are eventlite's`);
    }
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) {
      fail(
        `${where}: materialized view "${name}" has an unknown key "${unknown}" (it takes name and query)`,
      );
    }
    const problem = query === undefined ? 'is missing' : sqlProblem(query);
    if (problem) fail(`${where}: materialized view "${name}": its query ${problem}`);
    claim(name as string);
  });
}

/** What is wrong with one SQL text (worded to follow "entry 3 "), or undefined. */
function sqlProblem(sql: unknown): string | undefined {
  if (typeof sql === 'string') return undefined;
  const expected = `must be SQL text, or { sqlite: '…', postgres: '…' } for SQL that differs`;
  if (!isObject(sql)) return `${expected}, got ${describe(sql)}`;
  const texts = sql as Record<string, unknown>;
  const unknown = Object.keys(texts).find((key) => !(DIALECTS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    return `has an unknown dialect "${unknown}" (the dialects are ${DIALECTS.join(' and ')})`;
  }
  for (const dialect of DIALECTS) {
    if (typeof texts[dialect] !== 'string') {
      return `has no ${dialect} text (give both, or one string for both), got ${describe(texts[dialect])}`;
    }
  }
  return undefined;
}

export function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as a message shows it: `nothing`, `a function`, or its JSON kind and text. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  return describeJson(value);
}

import { sqlFor } from '../core/dialect.js';
import { eventReadingOf } from '../core/event-reading.js';
import type { Projection } from '../core/projection.js';
import { commandTypes } from '../domain/lookup.js';
import { domainOf, type AppContext } from './context.js';

// What `eventlite diagram` draws: commands → events → projections → tables. The domain module
// names the commands, the projections, the events each handles and the tables each makes, and
// (with `events` declared) the event types of today; which events a command decides is code,
// so that edge comes from what the log has seen (every event `exec` and `replay` append
// carries its command in its metadata), each stored type under its name of today.

export interface DomainFlow {
  commands: string[];
  events: string[];
  /** `command → event` pairs the log has seen, in first-seen order. */
  decided: { command: string; event: string }[];
  projections: { name: string; handles: string[]; tables: string[] }[];
}

// A table, view or materialized view a setup statement creates (names are plain identifiers).
const CREATED =
  /\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?(?:MATERIALIZED\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([A-Za-z_][\w]*)"?/gi;

function tablesOf(projection: Projection): string[] {
  const statements = [...projection.setup, ...(projection.views ?? [])].map((sql) =>
    sqlFor(sql, 'sqlite'),
  );
  const created = statements.flatMap((sql) => [...sql.matchAll(CREATED)].map((m) => m[1]!));
  const views = (projection.materializedViews ?? []).map((view) => view.name);
  return [...new Set([...created, ...views])];
}

/** The domain's flow; with `readLog`, the commands' events as the log has seen them. */
export async function domainFlow(
  ctx: AppContext,
  options: { readLog: boolean },
): Promise<DomainFlow> {
  const domain = await domainOf(ctx);
  const projections = (domain.projections ?? []).map((projection) => ({
    name: projection.name,
    handles: Object.keys(projection.on),
    tables: tablesOf(projection),
  }));
  const commands = commandTypes(domain);
  const declared = domain.events ?? {};
  const reading = eventReadingOf(domain);
  const today = (type: string) => reading?.currentName(type) ?? type;
  const events = new Set([
    ...Object.keys(declared).filter((type) => declared[type]!.renamedTo === undefined),
    ...projections.flatMap((projection) => projection.handles),
  ]);
  const decided = new Map<string, { command: string; event: string }>();
  if (options.readLog) {
    for await (const page of ctx.store.readLog()) {
      for (const event of page) {
        const type = today(event.type);
        events.add(type);
        const command = event.metadata.command;
        if (typeof command !== 'string') continue;
        const key = JSON.stringify([command, type]);
        if (!decided.has(key)) decided.set(key, { command, event: type });
      }
    }
  }
  return { commands, events: [...events], decided: [...decided.values()], projections };
}

import { domainOf, type AppContext } from '../app/context.js';
import { domainFlow, type DomainFlow } from '../app/diagram.js';
import { executeCommand } from '../app/exec.js';
import { logHead } from '../app/log.js';
import { openReadStore, type Locations } from '../app/open.js';
import { runQueryPages } from '../app/query.js';
import { readStreamEvents } from '../app/read.js';
import { streamState } from '../app/state.js';
import { listStreams } from '../app/streams.js';
import { toCommand } from '../core/command-input.js';
import { EventliteError, InputError } from '../core/errors.js';
import type { JsonObject, RecordedEvent } from '../core/events.js';
import { eventJsonLine } from '../core/recorded-event.js';
import { commandForms, type CommandForm } from './command-forms.js';

// The JSON the page asks for besides the fixed surface (GET /events, POST /commands), each a
// use case of src/app: what the server holds, the streams, one stream with its state, a query.

/** Events of one stream shown at most (its newest). */
const STREAM_EVENTS = 200;
const STREAMS_LISTED = 500;
const QUERY_ROWS = 1000;

export interface About {
  version: string;
  backend: string;
  store: string;
  readModels: string;
  allowExec: boolean;
  runProjections: boolean;
  replay: string | null;
}

export interface Overview extends About {
  head: number;
  /**
   * The domain's commands with the data the command box starts from, its flow, and the flow
   * drawn as SVG; null without a domain.
   */
  domain: {
    commands: CommandForm[];
    flow: DomainFlow;
    diagram: string;
  } | null;
}

/** The event in the contract's shape, as a plain object. */
export function eventObject(event: RecordedEvent): unknown {
  return JSON.parse(eventJsonLine(event));
}

export async function overview(
  ctx: AppContext,
  about: About,
  examples: ReadonlyMap<string, JsonObject>,
  drawFlow: (flow: DomainFlow) => string,
): Promise<Overview> {
  const head = await logHead(ctx);
  if (ctx.domain === undefined) return { ...about, head, domain: null };
  const flow = await domainFlow(ctx, { readLog: true });
  const { commands: declared } = await domainOf(ctx);
  const commands = commandForms(flow.commands, declared, examples);
  return { ...about, head, domain: { commands, flow, diagram: drawFlow(flow) } };
}

export async function streamsList(ctx: AppContext, url: URL) {
  const prefix = url.searchParams.get('prefix') ?? undefined;
  const streams = await listStreams(ctx, { prefix, limit: STREAMS_LISTED + 1 });
  return { streams: streams.slice(0, STREAMS_LISTED), more: streams.length > STREAMS_LISTED };
}

/** One stream's newest events (oldest first) and the state its decider folds from all of them. */
export async function streamDetail(ctx: AppContext, url: URL) {
  const name = url.searchParams.get('name');
  if (name === null) throw new InputError('give the stream as ?name=STREAM');
  const pages = await readStreamEvents(ctx, name, { backwards: true, limit: STREAM_EVENTS });
  const events: RecordedEvent[] = [];
  for await (const page of pages) events.push(...page);
  events.reverse();
  let state: { decider: string; version: number; state: unknown } | null = null;
  let stateNote: string | null = null;
  try {
    const folded = await streamState(ctx, name);
    state = { decider: folded.decider, version: folded.version, state: folded.state };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    stateNote = error.message;
  }
  return { stream: name, events: events.map(eventObject), state, stateNote };
}

/**
 * One read-only statement, through the read models opened as `query` opens them (read-only, as
 * the query role on PostgreSQL): the same refusals. At most QUERY_ROWS rows come back.
 */
export async function queryReadModels(
  locations: Locations,
  readLocation: string,
  body: JsonObject,
) {
  if (typeof body.sql !== 'string' || body.sql.trim() === '') {
    throw new InputError('give the statement as {"sql": "SELECT …"}');
  }
  const read = await openReadStore(locations, 'read');
  try {
    const { columns, pages } = await runQueryPages({ read, readLocation }, body.sql);
    const rows: Record<string, unknown>[] = [];
    let truncated = false;
    for await (const page of pages) {
      rows.push(...page);
      if (rows.length > QUERY_ROWS) {
        truncated = true;
        break;
      }
    }
    return { columns, rows: rows.slice(0, QUERY_ROWS), truncated };
  } finally {
    await read?.close();
  }
}

/** `{"command","data"}` run as `exec` runs it: the events appended (none for a decision of none). */
export async function runCommand(ctx: AppContext, body: JsonObject) {
  const command = toCommand(body, 'the request');
  const result = await executeCommand(ctx, command);
  return { stream: result.stream, events: result.appended.map(eventObject) };
}

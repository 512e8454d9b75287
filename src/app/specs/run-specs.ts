import type { Domain } from '../../core/domain.js';
import { looksLikeReason } from '../../core/reason.js';
import { EventliteError } from '../../core/errors.js';
import { eventReadingOf } from '../../core/event-reading.js';
import type { RecordedEvent } from '../../core/events.js';
import { decideCommand, foldEvents, streamOfCommand } from '../../domain/decide.js';
import { checkCommandData } from '../../domain/declared.js';
import { deciderForCommand } from '../../domain/lookup.js';
import { eventsMismatch } from './match.js';
import type {
  CaseOutcome,
  CaseResult,
  CommandCase,
  GivenEvent,
  ProjectionCaseRunner,
  ReadingCase,
  SpecCase,
} from './spec-case.js';

export interface RunSpecsOptions {
  /** Runs projection cases; see ProjectionCaseRunner. */
  projectionRunner?: ProjectionCaseRunner;
}

/** Runs cases in order and reports each; never throws for a failing case. */
export async function runSpecCases(
  domain: Domain,
  cases: readonly SpecCase[],
  options: RunSpecsOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const specCase of cases) {
    const outcome =
      specCase.kind === 'command'
        ? runCommandCase(domain, specCase)
        : specCase.kind === 'reading'
          ? runReadingCase(domain, specCase)
          : options.projectionRunner
            ? await options.projectionRunner(domain, specCase)
            : { passed: false, message: 'projection specs (query/rows) are not supported yet' };
    results.push({ file: specCase.file, line: specCase.line, name: specCase.name, ...outcome });
  }
  return results;
}

/**
 * The decider's side of a spec, run purely: no store, just fold the given events of the
 * command's stream (as the domain reads them) and decide, exactly as `exec` would: the same
 * schema for the command's data, the same checks on what the decider does.
 */
export function runCommandCase(domain: Domain, specCase: CommandCase): CaseOutcome {
  const { when, then } = specCase;
  try {
    const named = deciderForCommand(domain, when.type);
    const command = checkCommandData(domain, when);
    const stream = streamOfCommand(named, command);
    const history = readAsToday(
      domain,
      recordGiven(specCase.given, stream).filter((event) => event.stream === stream),
    );
    const decided = decideCommand(named, command, foldEvents(named, history), domain.events);
    if ('events' in then) {
      const problem = eventsMismatch(then.events, decided);
      return problem ? { passed: false, message: problem } : { passed: true };
    }
    const wanted = 'rejected' in then ? 'a rejection' : 'invalid data';
    return { passed: false, message: `expected ${wanted}, got ${describeEvents(decided)}` };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return failureOutcome(then, error);
  }
}

/** The given events, stored as written, read as the domain reads them: renamed and upcast. */
export function runReadingCase(domain: Domain, specCase: ReadingCase): CaseOutcome {
  try {
    const read = readAsToday(domain, recordGiven(specCase.given, 'spec'));
    const problem = eventsMismatch(specCase.readAs, read);
    return problem === undefined ? { passed: true } : { passed: false, message: problem };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return { passed: false, message: `reading the given events failed: ${error.message}` };
  }
}

function readAsToday(domain: Domain, events: RecordedEvent[]): RecordedEvent[] {
  const reading = eventReadingOf(domain);
  return reading ? events.map((event) => reading.upcast(event)) : events;
}

function failureOutcome(then: CommandCase['then'], error: EventliteError): CaseOutcome {
  const kind =
    error.code === 'DOMAIN_REJECTION' ? 'rejected' : error.code === 'INPUT' ? 'invalid' : undefined;
  const described = `${kind ?? 'failed'}: ${messageWithReason(error)}`;
  if (kind === 'rejected' && 'rejected' in then) {
    // `rejected: LotFull` names a reason (reject('LotFull', …)); a text with spaces, a message.
    const wanted = looksLikeReason(then.rejected) ? `reason ${then.rejected}` : undefined;
    return matchText(then.rejected, error, described, wanted);
  }
  if (kind === 'invalid' && 'invalid' in then) return matchText(then.invalid, error, described);
  return {
    passed: false,
    message: `expected ${expectationText(then)}, but the command ${described}`,
  };
}

function matchText(
  text: string | true,
  error: EventliteError,
  described: string,
  wanted = `a message with "${String(text)}"`,
): CaseOutcome {
  const reason = (error as { reason?: unknown }).reason;
  if (text === true || reason === text || error.message.includes(text)) return { passed: true };
  return { passed: false, message: `expected ${wanted}, but the command ${described}` };
}

/** The actual reason, shown even when a rejection's message does not carry it. */
function messageWithReason(error: EventliteError): string {
  const reason = (error as { reason?: unknown }).reason;
  if (typeof reason !== 'string' || error.message.includes(reason)) return error.message;
  return `${reason}: ${error.message}`;
}

function expectationText(then: CommandCase['then']): string {
  if ('events' in then) return describeEvents(then.events);
  return 'rejected' in then ? 'a rejection' : 'invalid data';
}

function describeEvents(events: readonly { type: string }[]): string {
  return events.length === 0 ? 'no events' : events.map((event) => event.type).join(', ');
}

// Given events get the fields the store would add: positions in order, versions per stream,
// and fixed ids and times, so a spec's outcome never depends on the clock.
const SPEC_EPOCH = Date.parse('2026-01-01T00:00:00.000Z');

export function recordGiven(given: readonly GivenEvent[], defaultStream: string): RecordedEvent[] {
  const versions = new Map<string, number>();
  return given.map((event, index) => {
    const stream = event.stream ?? defaultStream;
    const version = (versions.get(stream) ?? 0) + 1;
    versions.set(stream, version);
    return {
      position: index + 1,
      stream,
      version,
      type: event.type,
      ...(event.schemaVersion !== undefined && { schemaVersion: event.schemaVersion }),
      id: `00000000-0000-4000-8000-${(index + 1).toString(16).padStart(12, '0')}`,
      data: event.data,
      metadata: event.metadata ?? {},
      recordedAt: event.recordedAt ?? new Date(SPEC_EPOCH + index * 60_000).toISOString(),
    };
  });
}

import { describeRanges, type Ranges } from './lifecycle.js';
import type { Check } from './ports.js';

// What `verify` says, the same whichever adapter looked: each builder takes what was found.

/** The first event whose version breaks its stream's run 1, 2, 3… in position order, if any. */
export function streamVersionsCheck(
  broken:
    | { stream: string; position: number | string; version: number; expected: number | string }
    | undefined,
): Check {
  return {
    name: 'stream versions contiguous',
    ok: broken === undefined,
    detail: broken
      ? `stream "${broken.stream}" has version ${broken.version} at position ${broken.position}, expected ${broken.expected}`
      : 'every stream runs 1, 2, 3… in position order',
  };
}

/** The position of the first event whose data or metadata is not a JSON object, if any. */
export function payloadsCheck(badPosition: number | string | undefined): Check {
  return {
    name: 'event payloads are JSON objects',
    ok: badPosition === undefined,
    detail:
      badPosition === undefined
        ? 'data and metadata parse'
        : `event ${badPosition} holds data that is not a JSON object`,
  };
}

/**
 * The first event whose recordedAt is not a time in the contract's format (four-digit year,
 * 0001 to 9999, UTC), if any: export would write it and import refuse it.
 */
export function recordedAtCheck(
  bad: { position: number | string; recordedAt: string } | undefined,
): Check {
  return {
    name: 'recorded times in range',
    ok: bad === undefined,
    detail:
      bad === undefined
        ? 'every recordedAt is a UTC time from the year 0001 to 9999'
        : `event ${bad.position} has recordedAt ${JSON.stringify(bad.recordedAt)}, not a UTC time from the year 0001 to 9999`,
  };
}

/** What a store found of its positions, for positionsCheck. */
export interface PositionsFound {
  events: number;
  first: number;
  last: number;
  /** Runs of positions missing between 1 and `last`, in order. */
  gaps: Ranges;
  /** Runs of positions that this store's audited hard deletes removed. */
  audited: Ranges;
  /** The next position the store hands out follows `last`; if not, the adapter's words (`counter at 5`). */
  counter: { ok: boolean; detail: string };
}

/**
 * Positions run 1, 2, 3… except where an audited hard delete removed events: every gap must be
 * a run an audit event names, and every position such an event names must be gone.
 */
export function positionsCheck(found: PositionsFound): Check {
  const audited = mergeRanges(found.audited);
  const gaps = mergeRanges(found.gaps);
  const unaccounted = subtractRanges(gaps, audited);
  const present = subtractRanges(
    audited.filter(([first]) => first <= found.last),
    gaps,
  );
  const problems: string[] = [];
  if (unaccounted.length > 0) {
    problems.push(`no audit event accounts for the missing ${positionsWord(unaccounted)}`);
  }
  if (present.length > 0) {
    problems.push(`an audit event says it deleted ${positionsWord(present)}, but they are stored`);
  }
  if (problems.length > 0 || !found.counter.ok) {
    const counter = found.counter.ok ? '' : ` (${found.counter.detail})`;
    const gapsSaid = problems.length > 0 ? `: ${problems.join('; ')}` : '';
    return {
      name: 'positions gapless',
      ok: false,
      detail: `${found.events} events span positions ${found.first}..${found.last}${counter}${gapsSaid}`,
    };
  }
  const removed = gaps.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  return {
    name: 'positions gapless',
    ok: true,
    detail:
      removed === 0
        ? `positions 1..${found.last}`
        : `positions 1..${found.last}, less ${removed} removed by audited hard deletes (${shortRanges(gaps)})`,
  };
}

/** Sorted, with overlapping and adjacent runs joined. */
export function mergeRanges(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Ranges = [];
  for (const [first, last] of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** The parts of merged runs `from` that merged runs `less` do not cover. */
function subtractRanges(from: Ranges, less: Ranges): Ranges {
  const left: Ranges = [];
  for (const [first, last] of from) {
    let start = first;
    for (const [cutFirst, cutLast] of less) {
      if (cutLast < start || cutFirst > last) continue;
      if (cutFirst > start) left.push([start, cutFirst - 1]);
      start = cutLast + 1;
    }
    if (start <= last) left.push([start, last]);
  }
  return left;
}

/** `position 2` or `positions 2..4, 9`. */
function positionsWord(ranges: Ranges): string {
  const one = ranges.length === 1 && ranges[0]![0] === ranges[0]![1];
  return `${one ? 'position' : 'positions'} ${shortRanges(ranges)}`;
}

/** At most five runs, for a one-line message. */
function shortRanges(ranges: Ranges): string {
  const shown = describeRanges(ranges.slice(0, 5));
  return ranges.length > 5 ? `${shown} and ${ranges.length - 5} more runs` : shown;
}

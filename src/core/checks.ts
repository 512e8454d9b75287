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

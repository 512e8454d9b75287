import type { Domain } from '../core/domain.js';
import { InputError, NotFoundError } from '../core/errors.js';
import { readStream, streamVersion, toRecordedEvent, type Db } from '../store/index.js';
import { foldEvents } from './decide.js';
import { deciderForStream } from './lookup.js';

export interface StreamState {
  stream: string;
  /** The name of the decider that folded it. */
  decider: string;
  /** The version the state is as of. */
  version: number;
  state: unknown;
}

/** The state the owning decider folds from a stream's events, up to `at` when given. */
export function streamState(
  db: Db,
  domain: Domain,
  stream: string,
  options: { at?: number } = {},
): StreamState {
  const named = deciderForStream(domain, stream);
  const current = streamVersion(db, stream);
  if (current === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
  const version = options.at ?? current;
  if (version > current) {
    throw new InputError(
      `--at ${version} is past the end of "${stream}", which is at version ${current}`,
    );
  }
  // `--at 0` reads nothing and so gives the decider's initial state.
  const events = [...readStream(db, stream, { limit: version })].map(toRecordedEvent);
  return { stream, decider: named.name, version, state: foldEvents(named, events) };
}

import { join } from 'node:path';
import type { DecidedEvent } from '../../src/core/decider.js';
import type { Domain } from '../../src/core/domain.js';
import { decideCommand, foldEvents, streamOfCommand } from '../../src/domain/decide.js';
import { loadDomain } from '../../src/app/load-domain.js';
import { deciderForCommand } from '../../src/domain/lookup.js';
import { recordGiven } from '../../src/app/specs/run-specs.js';
import { ROOT } from '../helpers/cli.js';

/** An example's domain, loaded the way the CLI loads it (jiti, `eventlite` as this package). */
export function loadExample(name: 'bank' | 'orders'): Promise<Domain> {
  return loadDomain(join(ROOT, 'fixtures', name, 'eventlite.config.ts'));
}

type Given = { type: string; data: Record<string, unknown>; stream?: string };

/**
 * given events (in the command's stream unless they name one), when a command: the events
 * the decider decides. A rejection or bad data throws, for `expect(...).toThrow`.
 */
export function given(domain: Domain, events: Given[]) {
  return {
    when(type: string, data: Record<string, unknown>): DecidedEvent[] {
      const command = { type, data };
      const named = deciderForCommand(domain, type);
      const stream = streamOfCommand(named, command);
      const history = recordGiven(events, stream).filter((event) => event.stream === stream);
      return decideCommand(named, command, foldEvents(named, history));
    },
  };
}

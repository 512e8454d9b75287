import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/core/events.js';
import { HandlerFailure, type RetryBatch } from '../../src/core/ports.js';
import type { Projection, ProjectionErrorPolicy } from '../../src/core/projection.js';
import { applyWithPolicy, type ParkedStreams } from '../../src/projections/on-error.js';

// The runner's error policy, with a read store stood in for by `apply`: it fails (as a read
// store does, rolling back) on the first event of the batch that is poison.

function event(position: number, stream: string, type = 'Deposited'): RecordedEvent {
  return {
    position,
    stream,
    version: position,
    type,
    id: `id-${position}`,
    data: {},
    metadata: {},
    recordedAt: '2026-11-26T10:00:00.000Z',
  };
}

const EVENTS = [
  event(1, 'a'),
  event(2, 'b', 'Poison'),
  event(3, 'a'),
  event(4, 'b'),
  event(5, 'c', 'Poison'),
  event(6, 'c'),
];

function projection(onError?: ProjectionErrorPolicy): Projection {
  return { name: 'p', version: 1, setup: [], on: {}, ...(onError && { onError }) };
}

/** An apply that fails on the first Poison event and otherwise returns what it was given. */
async function apply(batch: RetryBatch): Promise<RetryBatch> {
  const poison = batch.events.find((each) => each.type === 'Poison');
  if (poison) throw new HandlerFailure(poison, new Error(`no poison please\nat line 2`));
  return batch;
}

const applied = (batch: RetryBatch) => batch.events.map((each) => each.position);
const setAside = (batch: RetryBatch) =>
  (batch.setAside ?? []).map(({ position, kind, error, attempts }) => [
    position,
    kind,
    error,
    attempts,
  ]);

describe('applying a batch under a projection’s onError', () => {
  it('stop (the default) throws the handler’s failure', async () => {
    for (const policy of [undefined, 'stop'] as const) {
      await expect(
        applyWithPolicy(
          projection(policy),
          { events: EVENTS, statementsFor: () => [] },
          new Map(),
          apply,
        ),
      ).rejects.toBeInstanceOf(HandlerFailure);
    }
  });

  it('skip leaves out each failing event, with its error, and goes on with its stream', async () => {
    const attempts: number[][] = [];
    const { result } = await applyWithPolicy(
      projection('skip'),
      { events: EVENTS, statementsFor: () => [] },
      new Map(),
      apply,
      { prepare: (batch) => attempts.push(applied(batch)) },
    );
    expect(applied(result)).toEqual([1, 3, 4, 6]);
    expect(setAside(result)).toEqual([
      [2, 'skipped', 'no poison please', 1],
      [5, 'skipped', 'no poison please', 1],
    ]);
    expect(attempts).toEqual([
      [1, 2, 3, 4, 5, 6],
      [1, 3, 4, 5, 6],
      [1, 3, 4, 6],
    ]);
  });

  it('park sets aside the failing event and every later event of its stream', async () => {
    const parked: ParkedStreams = new Map();
    const { result } = await applyWithPolicy(
      projection('park'),
      { events: EVENTS, statementsFor: () => [] },
      parked,
      apply,
    );
    expect(applied(result)).toEqual([1, 3]);
    expect(setAside(result)).toEqual([
      [2, 'parked', 'no poison please', 1],
      [4, 'parked', 'waiting behind the parked event at position 2 of its stream', 0],
      [5, 'parked', 'no poison please', 1],
      [6, 'parked', 'waiting behind the parked event at position 5 of its stream', 0],
    ]);
    expect([...parked]).toEqual([
      ['b', 2],
      ['c', 5],
    ]);
  });

  it('events of streams parked before wait behind, whatever the policy', async () => {
    const { result } = await applyWithPolicy(
      projection('stop'),
      { events: [event(7, 'a'), event(8, 'd')], statementsFor: () => [] },
      new Map([['a', 3]]),
      apply,
    );
    expect(applied(result)).toEqual([8]);
    expect(setAside(result)).toEqual([
      [7, 'parked', 'waiting behind the parked event at position 3 of its stream', 0],
    ]);
  });

  it('a failure that is not the handler’s passes through', async () => {
    const broken = async () => {
      throw new Error('disk full');
    };
    await expect(
      applyWithPolicy(
        projection('skip'),
        { events: EVENTS, statementsFor: () => [] },
        new Map(),
        broken,
      ),
    ).rejects.toThrow('disk full');
  });
});

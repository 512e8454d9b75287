import { describe, expect, it } from 'vitest';
import { mergeRanges, positionsCheck } from '../../src/core/checks.js';
import { fieldAt, parseFieldPath, replaceFieldAt } from '../../src/core/field-path.js';
import { auditedHoles } from '../../src/core/lifecycle.js';
import {
  forgottenPlaintext,
  isLifecycleChangedCopy,
  redactedData,
} from '../../src/core/redaction.js';
import {
  envelope,
  envelopeParts,
  isSealed,
  mayHoldSealed,
  openSealedJson,
  sealedKeyIds,
} from '../../src/core/sealing.js';

// The pure parts of the lifecycle commands: field paths, what redact and forget write, the
// sealed envelope, and how verify tells audited holes from unaccounted ones.

const counter = { ok: true, detail: 'counter at 9' };

describe('positionsCheck', () => {
  it('passes a log without holes, or with exactly the audited ones', () => {
    expect(
      positionsCheck({ events: 3, first: 1, last: 3, gaps: [], audited: [], counter }),
    ).toEqual({
      name: 'positions gapless',
      ok: true,
      detail: 'positions 1..3',
    });
    // Two adjacent hard deletes make one hole.
    const found = {
      events: 4,
      first: 1,
      last: 9,
      gaps: [
        [2, 4],
        [6, 7],
      ] as [number, number][],
    };
    expect(
      positionsCheck({
        ...found,
        audited: [
          [6, 7],
          [2, 3],
          [4, 4],
        ],
        counter,
      }),
    ).toEqual({
      name: 'positions gapless',
      ok: true,
      detail: 'positions 1..9, less 5 removed by audited hard deletes (2..4, 6..7)',
    });
  });

  it('fails on a hole nothing accounts for, and on an audited position still stored', () => {
    const check = positionsCheck({
      events: 7,
      first: 2,
      last: 9,
      gaps: [[1, 1]],
      audited: [[5, 5]],
      counter: { ok: false, detail: 'sequence at 8' },
    });
    expect(check).toEqual({
      name: 'positions gapless',
      ok: false,
      detail:
        '7 events span positions 2..9 (sequence at 8): no audit event accounts for the missing position 1; an audit event says it deleted position 5, but they are stored',
    });
  });

  it('merges overlapping and adjacent runs', () => {
    expect(
      mergeRanges([
        [5, 6],
        [1, 2],
        [3, 3],
        [6, 9],
      ]),
    ).toEqual([
      [1, 3],
      [5, 9],
    ]);
  });

  it('counts only the hard deletes of this store', () => {
    const audit = (store: string, hard: boolean) =>
      JSON.stringify({ store, stream: 's', hard, version: 1, positions: [[3, 4]] });
    expect(
      auditedHoles([audit('here', true), audit('there', true), audit('here', false)], 'here'),
    ).toEqual([[3, 4]]);
  });
});

describe('field paths', () => {
  it('reads and replaces a key one level at a time, and refuses empty segments', () => {
    const data = { owner: 'Ann', address: { street: 'Main 1' }, list: [{ x: 1 }] };
    expect(fieldAt(data, parseFieldPath('address.street', 'f'))).toBe('Main 1');
    expect(fieldAt(data, parseFieldPath('list.0.x', 'f'))).toBe(1);
    expect(fieldAt(data, parseFieldPath('address.zip', 'f'))).toBeUndefined();
    expect(replaceFieldAt(data, ['address', 'zip'], () => 'X')).toBe(false);
    expect(replaceFieldAt(data, ['address', 'street'], () => 'X')).toBe(true);
    expect(data.address).toEqual({ street: 'X' });
    expect(() => parseFieldPath('a..b', '--field')).toThrow(
      '--field must name a field like owner or address.street, got "a..b"',
    );
  });

  it('treats a key named __proto__ as data', () => {
    const data = JSON.parse('{"__proto__":{"secret":1}}') as Record<string, unknown>;
    expect(replaceFieldAt(data, ['__proto__'], () => '[redacted]')).toBe(true);
    expect(JSON.stringify(data)).toBe('{"__proto__":"[redacted]"}');
  });
});

describe('what redact and forget write', () => {
  it('redacts the fields an event holds, and says so when it holds none', () => {
    expect(redactedData('{"a":1,"b":{"c":2}}', [['b', 'c'], ['z']])).toBe(
      '{"a":1,"b":{"c":"[redacted]"}}',
    );
    expect(redactedData('{"a":"[redacted]"}', [['a']])).toBeUndefined();
  });

  it('overwrites unsealed declared fields of the subject only', () => {
    const personal = { subject: ['id'], fields: [['name'], ['mail']] };
    const sealed = JSON.stringify(
      envelope({
        keyId: '0123456789abcdef',
        iv: new Uint8Array(12),
        body: new Uint8Array(3),
        tag: new Uint8Array(16),
      }),
    );
    expect(forgottenPlaintext('{"id":"ann","name":"Ann","mail":"a@x"}', personal, 'ann')).toBe(
      '{"id":"ann","name":"[forgotten]","mail":"[forgotten]"}',
    );
    expect(forgottenPlaintext('{"id":"bob","name":"Bob"}', personal, 'ann')).toBeUndefined();
    expect(forgottenPlaintext(`{"id":"ann","name":${sealed}}`, personal, 'ann')).toBeUndefined();
    expect(forgottenPlaintext('{"id":7,"name":"Seven"}', personal, '7')).toBe(
      '{"id":7,"name":"[forgotten]"}',
    );
  });

  it('knows an earlier export of an event redacted or forgotten since, and nothing else', () => {
    const exported = '{"id":"ann","name":"Ann","address":{"street":"Elm 1","city":"Oslo"}}';
    const changedHere = (stored: string) => isLifecycleChangedCopy(exported, stored);
    expect(
      changedHere('{"id":"ann","name":"[forgotten]","address":{"street":"Elm 1","city":"Oslo"}}'),
    ).toBe(true);
    expect(
      changedHere('{"id":"ann","name":"Ann","address":{"street":"[redacted]","city":"Oslo"}}'),
    ).toBe(true);
    // A whole object redacted at once, and keys stored in another order.
    expect(changedHere('{"address":"[redacted]","name":"[redacted]","id":"ann"}')).toBe(true);
    // Other content under the same id: a value, a key more or less, a shape.
    expect(
      changedHere('{"id":"bob","name":"[forgotten]","address":{"street":"Elm 1","city":"Oslo"}}'),
    ).toBe(false);
    expect(changedHere('{"id":"ann","name":"[forgotten]","address":{"street":"Elm 1"}}')).toBe(
      false,
    );
    expect(
      changedHere(
        '{"id":"ann","name":"[forgotten]","address":{"street":"Elm 1","city":"Oslo"},"x":1}',
      ),
    ).toBe(false);
    expect(changedHere('{"id":"ann","name":"[forgotten]","address":["Elm 1","Oslo"]}')).toBe(false);
    expect(isLifecycleChangedCopy('{"a":[1,2]}', '{"a":{"0":1,"1":2}}')).toBe(false);
    expect(isLifecycleChangedCopy('{"a":null}', '{"a":{}}')).toBe(false);
    // Only the stored side may hold the marks: an import cannot redact what is stored here.
    expect(isLifecycleChangedCopy('{"a":"[redacted]"}', '{"a":"secret"}')).toBe(false);
  });
});

describe('the sealed envelope', () => {
  const parts = {
    keyId: '0123456789abcdef',
    iv: Uint8Array.from([1, 2, 3]),
    body: Uint8Array.from([4, 5]),
    tag: Uint8Array.from([6]),
  };

  it('round-trips its parts, and is found by a cheap look at the JSON text', () => {
    const sealed = envelope(parts);
    expect(sealed).toEqual({ 'eventlite:sealed': '0123456789abcdef.AQID.BAU.Bg' });
    expect(isSealed(sealed)).toBe(true);
    expect(envelopeParts(sealed)).toEqual({
      keyId: parts.keyId,
      iv: Buffer.from(parts.iv),
      body: Buffer.from(parts.body),
      tag: Buffer.from(parts.tag),
    });
    const json = JSON.stringify({ a: sealed, b: [sealed], c: 'eventlite:sealed' });
    expect(mayHoldSealed(json)).toBe(true);
    expect([...sealedKeyIds(json)]).toEqual([parts.keyId]);
    expect(openSealedJson(json, (found) => `opened ${found.keyId}`)).toBe(
      '{"a":"opened 0123456789abcdef","b":["opened 0123456789abcdef"],"c":"eventlite:sealed"}',
    );
  });

  it('leaves look-alikes alone: another key beside it, a key id that is not one', () => {
    expect(isSealed({ 'eventlite:sealed': '0123456789abcdef.AQID.BAU.Bg', other: 1 })).toBe(false);
    expect(isSealed({ 'eventlite:sealed': 'not-a-key.AQID.BAU.Bg' })).toBe(false);
    expect(mayHoldSealed('{"a":"{\\"eventlite:sealed\\":\\"x\\"}"}')).toBe(false);
  });
});

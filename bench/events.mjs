// Bank events in the contract's export shape, from a seeded generator so every run writes the
// same streams, types and amounts (ids are fresh UUIDv7s). They are the events of the bank
// example (fixtures/bank/eventlite.config.ts), so its `account_summary` projection runs over
// them: each account's stream starts with AccountOpened {accountId, owner}, then
// MoneyDeposited/MoneyWithdrawn {accountId, amount, balance} with the balance after the event
// (never negative).
import { randomUUID } from 'node:crypto';

/**
 * Bump when the generated data changes, so cached stores are rebuilt. 2: AccountOpened carries
 * an owner and no amount (the bank projection needs the owner), balances start at 0.
 */
export const DATA_VERSION = 2;

const START_MS = Date.UTC(2026, 0, 1);

/**
 * A UUIDv7: 48 bits of milliseconds, then crypto.randomUUID's random bits (it draws from a
 * cached entropy pool, the cheapest random source Node has), with version nibble 7.
 */
export function uuidv7(ms = Date.now()) {
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** Yields `count` events over `streams` accounts, positions 1..count, one millisecond apart. */
export function* bankEvents(count, streams, seed = 1) {
  const random = mulberry32(seed);
  const versions = new Int32Array(streams);
  const balances = new Int32Array(streams);
  for (let position = 1; position <= count; position += 1) {
    const account = Math.floor(random() * streams);
    const version = (versions[account] += 1);
    const amount = 1 + Math.floor(random() * 500);
    const accountId = `a${account}`;
    let type = 'MoneyDeposited';
    let data;
    if (version === 1) {
      // Version 1 of every stream, so an account is always opened before any money moves.
      type = 'AccountOpened';
      data = { accountId, owner: `Owner ${account}` };
    } else {
      if (random() < 0.4 && balances[account] >= amount) type = 'MoneyWithdrawn';
      balances[account] += type === 'MoneyWithdrawn' ? -amount : amount;
      data = { accountId, amount, balance: balances[account] };
    }
    const ms = START_MS + position;
    yield {
      position,
      stream: `account-${accountId}`,
      version,
      type,
      id: uuidv7(ms),
      data,
      metadata: { source: 'bench' },
      recordedAt: new Date(ms).toISOString(),
    };
  }
}

/** One export line, keys in the contract's order. */
export function toExportLine(event) {
  return JSON.stringify({
    position: event.position,
    stream: event.stream,
    version: event.version,
    type: event.type,
    id: event.id,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  });
}

function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { createRequire } from 'node:module';

// Time-ordered UUIDv7 ids (RFC 9562): successive ids land next to each other in the unique
// index instead of at random pages, which measurably cuts the pages each append dirties.
// Within one millisecond a counter in the random bits keeps ids of one process increasing.

let lastMillis = -1;
let counter = 0;

// Random bytes are drawn 4 KiB at a time: one call per id costs more than the rest of the id.
const pool = Buffer.alloc(4096);
// node:crypto is loaded with the first id: commands that only read never need it, and loading
// it is a measurable part of their start-up.
let randomFillSync: typeof import('node:crypto').randomFillSync | undefined;
let poolOffset = pool.length;

function randomId16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync ??= (
      createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
    ).randomFillSync;
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

export function newEventId(now: number = Date.now()): string {
  if (now <= lastMillis) {
    now = lastMillis;
    counter += 1;
    if (counter > 0xfff) {
      now = lastMillis + 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMillis = now;
  const bytes = randomId16();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

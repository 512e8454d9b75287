import { createHash } from 'node:crypto';
import { InputError } from '../../core/errors.js';
import { cardinalIdOf } from '../../core/stream-names.js';

// Consumer groups split the streams among N members by message-db's rule
// (get_category_messages.sql): MOD(@hash_64(cardinal_id(stream_name)), size) = member, where
// hash_64 reads the first 64 bits of the MD5 of its text as a signed bigint and `@` is the
// absolute value. The same stream therefore goes to the same member as in message-db, and all
// of a stream's events go to one member, in order.
//
// One addition: message-db's consumer groups read a category, whose streams all have an id. A
// stream with no `-` (no id) is hashed by its whole name here, so that every event still goes
// to exactly one member.

/** The member (0 to size - 1) that handles `stream` in a group of `size`. */
export function memberOfStream(stream: string, size: number): number {
  if (size === 1) return 0;
  const digest = createHash('md5')
    .update(cardinalIdOf(stream) ?? stream, 'utf8')
    .digest();
  const hash = digest.readBigInt64BE(0);
  const magnitude = hash < 0n ? -hash : hash;
  return Number(magnitude % BigInt(size));
}

export interface GroupPlace {
  member: number;
  size: number;
}

/** `--member I --of N`, checked: both or neither, 0 ≤ I < N. */
export function groupPlaceOf(member: number | undefined, size: number | undefined): GroupPlace {
  if (member === undefined && size === undefined) return { member: 0, size: 1 };
  if (member === undefined || size === undefined) {
    throw new InputError('--member and --of go together: --member I --of N, with 0 <= I < N');
  }
  if (size < 1) throw new InputError(`--of must be at least 1, got ${size}`);
  if (member >= size) {
    throw new InputError(
      `--member must be less than --of (members are 0 to ${size - 1}), got ${member}`,
    );
  }
  return { member, size };
}

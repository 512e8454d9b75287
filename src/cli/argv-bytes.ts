import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';

/**
 * The 1-based number of the first command-line argument that is not valid UTF-8, if any.
 * Node decodes argv with U+FFFD for a bad byte, so the string alone cannot tell a stray Latin-1
 * "é" from a real U+FFFD; on Linux /proc/self/cmdline still holds the bytes as given. The user's
 * arguments are its last `count` entries (node's own flags and the script come first). Where
 * the file cannot be read (other platforms), nothing is refused.
 */
export function invalidUtf8Argument(count: number): number | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return undefined;
  }
  const entries: Buffer[] = [];
  for (let start = 0; start < raw.length;) {
    const end = raw.indexOf(0, start);
    const stop = end < 0 ? raw.length : end;
    entries.push(raw.subarray(start, stop));
    start = stop + 1;
  }
  if (entries.length < count) return undefined;
  const args = entries.slice(entries.length - count);
  const index = args.findIndex((bytes) => !isUtf8(bytes));
  return index < 0 ? undefined : index + 1;
}

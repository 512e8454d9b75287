/**
 * A Bloom filter of strings: `mayHave` is false only for a string never added, and true, now
 * and then wrongly, for the rest. An import keeps the ids and streams it wrote in one, in a
 * fixed amount of memory however many millions it writes, and asks the server only about what
 * the filter cannot rule out.
 */
export class SeenFilter {
  readonly #words: Uint32Array;
  readonly #mask: number;

  /** `bits`: a power of two; 2^26 bits (8 MiB) rule out all but ~1 in 10^5 of a million keys. */
  constructor(bits: number) {
    this.#words = new Uint32Array(bits / 32);
    this.#mask = bits - 1;
  }

  add(key: string): void {
    const [first, step] = hashes(key);
    for (let probe = 0; probe < PROBES; probe += 1) {
      const bit = (first + probe * step) & this.#mask;
      this.#words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mayHave(key: string): boolean {
    const [first, step] = hashes(key);
    for (let probe = 0; probe < PROBES; probe += 1) {
      const bit = (first + probe * step) & this.#mask;
      if ((this.#words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const PROBES = 4;

/** Two 32-bit FNV-1a hashes with different starts; probe i is first + i × step. */
function hashes(key: string): [number, number] {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let index = 0; index < key.length; index += 1) {
    const code = key.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
  }
  // An odd step visits different bits on every probe.
  return [first >>> 0, (second | 1) >>> 0];
}

import { describe, expect, it } from 'vitest';
import { SeenFilter } from '../../src/store/postgres/seen-filter.js';

// The PostgreSQL import's memory of what it wrote: never a false "not seen", seldom a false
// "maybe".

describe('SeenFilter', () => {
  it('says maybe for every key added, and rules out nearly all the others', () => {
    const filter = new SeenFilter(2 ** 20);
    const key = (n: number) => `01a2${String(n).padStart(4, '0')}-0000-7000-8000-${n}`;
    for (let n = 0; n < 50_000; n += 1) filter.add(key(n));
    for (let n = 0; n < 50_000; n += 1) expect(filter.mayHave(key(n))).toBe(true);
    let wrong = 0;
    for (let n = 50_000; n < 100_000; n += 1) if (filter.mayHave(key(n))) wrong += 1;
    // 4 probes into 2^20 bits holding 50k keys: about 1 in 1,000 wrongly maybe.
    expect(wrong).toBeLessThan(250);
  });

  it('an empty filter has seen nothing', () => {
    const filter = new SeenFilter(2 ** 10);
    expect(['', 'a', 'account-a1'].map((key) => filter.mayHave(key))).toEqual([
      false,
      false,
      false,
    ]);
  });
});

import { mayHoldSealed, openSealedJson, sealedKeyIds } from '../core/sealing.js';
import { opener } from './crypto.js';

// Every read opens sealed personal fields (see src/core/sealing.ts) before the rows become
// events, the same in both adapters: find the key ids a page's data holds, fetch those keys
// in one statement, open the fields. A page without envelopes costs one substring search per
// row, and no statement.

/** The key ids the `dataIndex` column of `rows` names; undefined when it names none. */
export function keyIdsInRows(
  rows: readonly unknown[][],
  dataIndex: number,
): Set<string> | undefined {
  let ids: Set<string> | undefined;
  for (const row of rows) {
    const json = row[dataIndex] as string;
    if (mayHoldSealed(json)) ids = sealedKeyIds(json, ids);
  }
  return ids;
}

/** Replaces each row's data text with its fields opened (or "[forgotten]" without a key). */
export function openRows(
  rows: unknown[][],
  dataIndex: number,
  keys: ReadonlyMap<string, Uint8Array>,
): void {
  const open = opener(keys);
  for (const row of rows) {
    const json = row[dataIndex] as string;
    if (mayHoldSealed(json)) row[dataIndex] = openSealedJson(json, open);
  }
}

import type pg from 'pg';
import type { StoredContent } from '../../core/exported-event.js';
import type { EventInsertRow } from './statements.js';
import { SeenFilter } from './seen-filter.js';

/**
 * What an import knows without asking the server: the streams and ids it wrote itself, and,
 * when the store held no event at its start, that nothing else is stored. An import into an
 * empty store then asks the server nothing until it commits; into a store with events, it
 * asks about each id and each stream it has not written yet, by index probes that stay as
 * cheap as the table grows.
 */
export class ImportMemory {
  // Bounded: an import over millions of streams must not grow it without end. A stream it no
  // longer holds is looked up again, and the lookup sees what this import wrote.
  readonly #versions = new Map<string, number>();
  readonly #ids = new SeenFilter(2 ** 26);
  readonly #streams = new SeenFilter(2 ** 24);

  constructor(private readonly emptyAtStart: boolean) {}

  /** The stream's version, or undefined when only the server can tell. */
  version(stream: string): number | undefined {
    const known = this.#versions.get(stream);
    if (known !== undefined) return known;
    return this.emptyAtStart && !this.#streams.mayHave(stream) ? 0 : undefined;
  }

  /** False when the id is surely not stored yet. */
  mayBeStored(id: string): boolean {
    return !this.emptyAtStart || this.#ids.mayHave(id);
  }

  wrote(rows: readonly EventInsertRow[]): void {
    for (const row of rows) {
      this.#ids.add(row.id);
      this.#streams.add(row.stream);
      if (this.#versions.size >= VERSIONS_KEPT) this.#versions.clear();
      this.#versions.set(row.stream, row.version);
    }
  }
}

const VERSIONS_KEPT = 100_000;

/** What the server told about ids and streams that memory could not rule out. */
export interface StoredFacts {
  /** What is stored under each stored id: an import of it again must bring the same. */
  contentOf: Map<string, StoredContent>;
  /** The version of each stream that has events. */
  versionOf: Map<string, number>;
}

// One index probe per id and per stream, whatever the planner knows of a table filled in this
// very transaction (a join or `= ANY` over it may be planned as a scan of the whole table,
// which grows with every chunk): a scalar subquery per stream, and per id a LATERAL subquery
// that OFFSET 0 keeps from being flattened into a join. Stored ids come back with their
// content, for the "same id, other content" refusal; ids not stored do not come back.
const PROBE = `
  SELECT true, given.key, e.stream, e.type, e.schema_version, e.data, e.metadata,
         e.recorded_at, NULL::integer
    FROM unnest($1::text[]) AS given(key)
         CROSS JOIN LATERAL (SELECT * FROM eventlite.events e WHERE e.id = given.key OFFSET 0) e
  UNION ALL
  SELECT false, given.key, NULL, NULL, NULL, NULL, NULL, NULL,
         (SELECT max(e.version) FROM eventlite.events e WHERE e.stream = given.key)
    FROM unnest($2::text[]) AS given(key)`;

type ProbeRow = [
  isId: boolean,
  key: string,
  stream: string | null,
  type: string | null,
  schemaVersion: number | null,
  dataJson: string | null,
  metadataJson: string | null,
  recordedAt: string | null,
  version: number | null,
];

export async function probeStored(
  client: pg.ClientBase,
  ids: readonly string[],
  streams: readonly string[],
): Promise<StoredFacts> {
  const facts: StoredFacts = { contentOf: new Map(), versionOf: new Map() };
  if (ids.length === 0 && streams.length === 0) return facts;
  const { rows } = await client.query<ProbeRow>({
    name: 'eventlite.importProbe',
    text: PROBE,
    values: [ids, streams],
    rowMode: 'array',
  });
  for (const [
    isId,
    key,
    stream,
    type,
    schemaVersion,
    dataJson,
    metadataJson,
    recordedAt,
    version,
  ] of rows) {
    if (isId) {
      facts.contentOf.set(key, {
        stream: stream!,
        type: type!,
        schemaVersion: schemaVersion!,
        dataJson: dataJson!,
        metadataJson: metadataJson!,
        recordedAt: recordedAt!,
      });
    } else if (version !== null) {
      facts.versionOf.set(key, version);
    }
  }
  return facts;
}

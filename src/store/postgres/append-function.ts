/**
 * Migration 5 of the event store's schema (see schema.ts): the function every append calls,
 * so that an append is one statement, one round trip and its own transaction. Shipped text:
 * never edit it; a change is a new migration that replaces the function.
 *
 * The head row is what orders the writers: it is locked by the UPDATE and held until the
 * commit, so positions are handed out, and become visible, in commit order with no gaps. The
 * function holds it as briefly as it can: the ids the caller gave are looked up before it takes
 * the lock (ids drawn by eventlite are new by construction and cost nothing), and once it
 * holds it, one statement reads the stream's version by an index probe, checks it and inserts
 * the batch. A VOLATILE function in READ COMMITTED takes a new snapshot for each statement, so
 * that one sees every append committed before the lock was granted (the pool sets READ
 * COMMITTED on every connection, whatever the database's default).
 *
 * Outcomes: 'appended' with the position before the batch's first (null for an empty batch)
 * and the stream's new version; 'stored' when some given id is stored already, with those ids
 * and the streams they are in and the stream's version, having written nothing (the caller
 * tells a retry from a duplicate); a version that does not fit the expected one raises
 * SQLSTATE EL409 with the actual version as its detail, which undoes the head bump. An id
 * stored by another writer between the look-up and the INSERT fails the INSERT with a unique
 * violation; the caller then calls again, and the look-up sees it.
 */
export const APPEND_FUNCTION = `
  CREATE FUNCTION eventlite.append_events(
    to_stream   text,
    expected    text,
    given_ids   text[],
    ids         text[],
    types       text[],
    datas       text[],
    metadatas   text[],
    versions    integer[],
    recorded    text
  ) RETURNS TABLE (
    outcome        text,
    head_before    bigint,
    stream_version integer,
    stored_ids     text[],
    stored_in      text[]
  )
  LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    batch    integer := coalesce(cardinality(ids), 0);
    found    text[];
    streams  text[];
    head     bigint;
    version  integer;
  BEGIN
    IF cardinality(given_ids) > 0 THEN
      SELECT array_agg(e.id), array_agg(e.stream) INTO found, streams
        FROM eventlite.events e WHERE e.id = ANY (given_ids);
      IF found IS NOT NULL THEN
        RETURN QUERY SELECT 'stored', NULL::bigint, coalesce(max(e.version), 0), found, streams
          FROM eventlite.events e WHERE e.stream = to_stream;
        RETURN;
      END IF;
    END IF;
    IF batch > 0 THEN
      UPDATE eventlite.head SET position = position + batch RETURNING position - batch INTO head;
    END IF;
    WITH current AS (
           SELECT coalesce(max(e.version), 0) AS version FROM eventlite.events e
            WHERE e.stream = to_stream),
         fits AS (
           SELECT current.version FROM current
            WHERE CASE expected
                    WHEN 'any' THEN true
                    WHEN 'no-stream' THEN current.version = 0
                    WHEN 'exists' THEN current.version > 0
                    ELSE current.version = expected::bigint
                  END),
         inserted AS (
           INSERT INTO eventlite.events
             (position, id, stream, version, type, data, metadata, recorded_at, schema_version)
             SELECT head + given.n, given.id, to_stream, fits.version + given.n, given.type,
                    given.data, given.metadata, recorded, given.schema_version
               FROM fits,
                    unnest(ids, types, datas, metadatas, versions) WITH ORDINALITY
                    AS given(id, type, data, metadata, schema_version, n))
    SELECT fits.version INTO version FROM fits;
    IF version IS NULL THEN
      SELECT coalesce(max(e.version), 0) INTO version FROM eventlite.events e
        WHERE e.stream = to_stream;
      RAISE EXCEPTION 'version conflict on stream "%": expected %, actual %',
        to_stream, expected, version USING ERRCODE = 'EL409', DETAIL = version::text;
    END IF;
    RETURN QUERY SELECT 'appended', head, version + batch, NULL::text[], NULL::text[];
  END
  $$;
`;

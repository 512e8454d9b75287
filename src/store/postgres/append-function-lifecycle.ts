/**
 * Migration 7 of the event store's schema (see schema.ts), after the lifecycle tables: append_events (migration 5,
 * append-function.ts) as before, and it refuses a deleted stream. The check runs after the
 * head lock is granted, as every lifecycle command holds that lock, so a delete committed
 * before it is seen; it raises SQLSTATE EL410 with "hard,version,position" as its detail.
 * A retry of a batch stored already is answered 'stored' first, as before. Shipped text once
 * merged: never edit it.
 */
export const APPEND_FUNCTION_REFUSING_DELETED = `
  CREATE OR REPLACE FUNCTION eventlite.append_events(
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
    gone_hard    boolean;
    gone_version integer;
    gone_at      bigint;
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
    -- After the lock: a lifecycle command deletes a stream holding it, so this sees its commit.
    SELECT d.hard, d.version, d.position INTO gone_hard, gone_version, gone_at
      FROM eventlite.deleted_streams d WHERE d.stream = to_stream;
    IF gone_hard IS NOT NULL THEN
      RAISE EXCEPTION 'stream "%" was deleted', to_stream USING ERRCODE = 'EL410',
        DETAIL = concat_ws(',', gone_hard, gone_version, gone_at);
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

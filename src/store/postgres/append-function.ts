/**
 * Migration 5 of the event store's schema (see schema.ts): the function every append calls,
 * so that an append is one statement, one round trip and its own transaction. Shipped text:
 * never edit it; a change is a new migration that replaces the function.
 *
 * The head row is what orders the writers: it is locked by the UPDATE and held until the
 * commit, so positions are handed out, and become visible, in commit order with no gaps. The
 * function holds it as briefly as it can: ids are looked up before it takes the lock, and once
 * it holds it, one index probe reads the stream's version and one INSERT writes the batch. A
 * VOLATILE function in READ COMMITTED takes a new snapshot for each statement, so the version
 * read after the lock sees every append committed before it (the pool sets READ COMMITTED on
 * every connection, whatever the database's default).
 *
 * Outcomes: 'appended' with the position before the batch's first (null for an empty batch)
 * and the stream's new version; 'stored' when some id is stored already, with the stream each
 * id is stored in (null for one that is not) and the stream's version, having written nothing
 * (the caller tells a retry from a duplicate); a version that does not fit the expected one
 * raises SQLSTATE EL409 with the actual version as its detail, which undoes the head bump.
 * An id stored by another writer between the look-up and the INSERT fails the INSERT with a
 * unique violation; the caller then calls again, and the look-up sees it.
 */
export const APPEND_FUNCTION = `
  CREATE FUNCTION eventlite.append_events(
    to_stream   text,
    expected    text,
    ids         text[],
    types       text[],
    datas       text[],
    metadatas   text[],
    recorded    text
  ) RETURNS TABLE (outcome text, head_before bigint, stream_version integer, stored_in text[])
  LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    batch   integer := coalesce(cardinality(ids), 0);
    stored  integer;
    streams text[];
    actual  integer;
    head    bigint;
  BEGIN
    IF batch > 0 THEN
      SELECT count(e.stream), array_agg(e.stream ORDER BY given.n)
        INTO stored, streams
        FROM unnest(ids) WITH ORDINALITY AS given(id, n)
        LEFT JOIN eventlite.events e ON e.id = given.id;
      IF stored > 0 THEN
        RETURN QUERY SELECT 'stored', NULL::bigint, coalesce(max(e.version), 0), streams
          FROM eventlite.events e WHERE e.stream = to_stream;
        RETURN;
      END IF;
      UPDATE eventlite.head SET position = position + batch RETURNING position - batch INTO head;
    END IF;
    SELECT coalesce(max(e.version), 0) INTO actual FROM eventlite.events e
      WHERE e.stream = to_stream;
    -- In parentheses: plpgsql would end the IF's condition at the CASE's first THEN.
    IF NOT (CASE expected
              WHEN 'any' THEN true
              WHEN 'no-stream' THEN actual = 0
              WHEN 'exists' THEN actual > 0
              ELSE actual = expected::bigint
            END) THEN
      RAISE EXCEPTION 'version conflict on stream "%": expected %, actual %',
        to_stream, expected, actual USING ERRCODE = 'EL409', DETAIL = actual::text;
    END IF;
    INSERT INTO eventlite.events
      (position, id, stream, version, type, data, metadata, recorded_at)
      SELECT head + given.n, given.id, to_stream, actual + given.n, given.type, given.data,
             given.metadata, recorded
        FROM unnest(ids, types, datas, metadatas) WITH ORDINALITY
             AS given(id, type, data, metadata, n);
    RETURN QUERY SELECT 'appended', head, actual + batch, NULL::text[];
  END
  $$;
`;

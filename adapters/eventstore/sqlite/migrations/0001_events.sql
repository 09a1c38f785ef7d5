-- The event log. position is the rowid: the global order, assigned by the
-- store's single writer, so the table is stored in position order and
-- ReadAll/subscriptions are sequential scans of it.
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    id       BLOB    NOT NULL,  -- 16-byte UUID; looked up through event_ids
    stream   TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    recorded INTEGER NOT NULL,  -- Unix nanoseconds, UTC
    data     TEXT    NOT NULL,  -- the event's JSON body, as appended
    metadata TEXT               -- Metadata as JSON; NULL when empty
) STRICT;

CREATE UNIQUE INDEX events_stream_revision ON events (stream, revision);

-- Event id -> position, for idempotent appends. Ids are random, so this index
-- is written in bulk, sorted, every few thousand events rather than once per
-- event (see doc.go); ids of events after ids_indexed_through are held in the
-- writer's memory and rebuilt from events on open.
CREATE TABLE event_ids (
    id       BLOB    NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE store_state (
    singleton           INTEGER PRIMARY KEY CHECK (singleton = 1),
    ids_indexed_through INTEGER NOT NULL
) STRICT;

INSERT INTO store_state (singleton, ids_indexed_through) VALUES (1, 0);

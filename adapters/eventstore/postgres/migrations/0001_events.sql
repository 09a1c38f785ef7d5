-- The event log. position is the global order, assigned from store_head in
-- the appending transaction (see doc.go), so positions are contiguous and
-- commit in increasing order.
CREATE TABLE events (
    position       bigint      PRIMARY KEY,
    id             uuid        NOT NULL UNIQUE,  -- idempotent appends look ids up here
    stream         text        NOT NULL,
    revision       bigint      NOT NULL,
    type           text        NOT NULL,
    version        integer     NOT NULL,
    recorded       timestamptz NOT NULL,
    -- json, not jsonb: the body is kept byte for byte as appended (jsonb would
    -- reorder keys, and idempotency compares bodies after whitespace only).
    data           json        NOT NULL,
    -- event.Metadata as columns, '' when unset: filterable without JSON.
    correlation_id text        NOT NULL DEFAULT '',
    causation_id   text        NOT NULL DEFAULT '',
    node           text        NOT NULL DEFAULT '',
    namespace      text        NOT NULL DEFAULT '',
    CONSTRAINT events_stream_revision UNIQUE (stream, revision)
);

-- One row per stream with its current revision. Appends lock their streams'
-- rows (SELECT ... FOR UPDATE) to check the expected revision, so appends to
-- one stream from several processes are serialised, and appends to
-- different streams are not.
CREATE TABLE streams (
    name     text   PRIMARY KEY,
    revision bigint NOT NULL
);

-- The single-row position counter: the last assigned, and once committed
-- the last visible, position. Appends update it last in their transaction,
-- holding its row lock only while they insert and commit.
CREATE TABLE store_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);

INSERT INTO store_head (singleton, position) VALUES (true, 0);

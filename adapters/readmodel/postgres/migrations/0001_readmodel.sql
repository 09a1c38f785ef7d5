-- The tables this schema holds, each with the hash of the DDL it was
-- created from (generated from its declaration in package projections; see
-- doc.go). Open refuses a table created from another declaration.
CREATE TABLE schema_tables (
    name     text        NOT NULL PRIMARY KEY,
    ddl_hash text        NOT NULL,  -- lower-case hex SHA-256 of ddl
    ddl      text        NOT NULL,  -- the statements, as run
    created  timestamptz NOT NULL DEFAULT now(),
    indexed  boolean     NOT NULL   -- true once the secondary indexes exist (Config.DeferIndexes)
);

-- How far each projector has applied the event log; written in the same
-- transaction as the rows it produced.
CREATE TABLE checkpoints (
    projector text   NOT NULL PRIMARY KEY,
    position  bigint NOT NULL CHECK (position >= 0)
);

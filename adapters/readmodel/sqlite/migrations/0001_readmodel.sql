-- The tables this file holds, each with the hash of the DDL it was created
-- from (generated from its declaration in package projections; see doc.go).
-- Open refuses a file whose table was created from another declaration.
CREATE TABLE schema_tables (
    name     TEXT    NOT NULL PRIMARY KEY,
    ddl_hash TEXT    NOT NULL,  -- lower-case hex SHA-256 of ddl
    ddl      TEXT    NOT NULL,  -- the statements, as run
    created  INTEGER NOT NULL,  -- Unix nanoseconds, UTC
    indexed  INTEGER NOT NULL   -- 1 once the secondary indexes exist (Config.DeferIndexes)
) STRICT;

-- How far each projector has applied the event log; written in the same
-- transaction as the rows it produced.
CREATE TABLE checkpoints (
    projector TEXT    NOT NULL PRIMARY KEY,
    position  INTEGER NOT NULL
) STRICT;

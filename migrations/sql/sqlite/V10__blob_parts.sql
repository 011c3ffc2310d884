-- A blob's bytes in parts: the blobs row holds the first 256 KiB, blob_parts the rest in order (part 1, 2, ...). A
-- checkpoint of a 196-unit L-BFGS run is 28 MB; written as one value, SQLite's copies of it (the bound value, the record)
-- were allocations of 28 MB each, which the C library kept after the first few: 50-130 MB more resident memory per
-- trainer. Blobs written before this migration are one part, in their blobs row, and are read as they are.
-- IF NOT EXISTS: the newest migration must be safe to apply again (a log put back to the version before it).
CREATE TABLE IF NOT EXISTS blob_parts (
    hash   TEXT    NOT NULL,
    part   INTEGER NOT NULL,
    bytes  BLOB    NOT NULL,
    PRIMARY KEY (hash, part)
);

-- Content-addressed like the blobs rows: a part's bytes never change (a blob may be deleted whole).
CREATE TRIGGER IF NOT EXISTS blob_parts_no_update BEFORE UPDATE ON blob_parts
BEGIN
    SELECT RAISE(ABORT, 'blobs are content-addressed: UPDATE refused');
END;

-- A blob is deleted whole: its parts go with its row, however the row is deleted.
CREATE TRIGGER IF NOT EXISTS blobs_delete_parts AFTER DELETE ON blobs
BEGIN
    DELETE FROM blob_parts WHERE hash = old.hash;
END;

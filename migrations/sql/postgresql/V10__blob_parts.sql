-- A blob's bytes in parts: the blobs row holds the first 256 KiB, blob_parts the rest in order (part 1, 2, ...). A
-- checkpoint of a 196-unit L-BFGS run is 28 MB; written as one value, the copies of it on the way to the database were
-- allocations of 28 MB each, which the C library kept after the first few: 50-130 MB more resident memory per trainer.
-- Blobs written before this migration are one part, in their blobs row, and are read as they are.
-- IF NOT EXISTS, IF EXISTS: the newest migration must be safe to apply again (a log put back to the version before it).
CREATE TABLE IF NOT EXISTS blob_parts (
    hash   TEXT    NOT NULL,
    part   INTEGER NOT NULL,
    bytes  BYTEA   NOT NULL,
    PRIMARY KEY (hash, part)
);

-- Content-addressed like the blobs rows: a part's bytes never change (a blob may be deleted whole).
DROP TRIGGER IF EXISTS blob_parts_no_update ON blob_parts;
CREATE TRIGGER blob_parts_no_update BEFORE UPDATE ON blob_parts FOR EACH ROW EXECUTE FUNCTION blobs_immutable();

-- A blob is deleted whole: its parts go with its row, however the row is deleted.
CREATE OR REPLACE FUNCTION blob_parts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM blob_parts WHERE hash = OLD.hash;
    RETURN OLD;
END;
$$;
DROP TRIGGER IF EXISTS blobs_delete_parts ON blobs;
CREATE TRIGGER blobs_delete_parts AFTER DELETE ON blobs FOR EACH ROW EXECUTE FUNCTION blob_parts_delete();

-- As the blobs table (V6): a replaced checkpoint's parts are deleted, and their space is reusable once vacuumed.
ALTER TABLE blob_parts SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,
    toast.autovacuum_vacuum_threshold = 0, toast.autovacuum_vacuum_scale_factor = 0);

-- A run keeps only its latest checkpoint: the one before is deleted when the next is written. On PostgreSQL a deleted
-- row's space is reusable only after VACUUM, and autovacuum's defaults wait until a fifth of a table is dead, which
-- for the blobs (checkpoints of megabytes, among snapshots that stay) could be many checkpoints. The blobs table and
-- its TOAST table (where the bytes live) are vacuumed as soon as they have any dead row, at autovacuum's next round.
ALTER TABLE blobs SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,
    toast.autovacuum_vacuum_threshold = 0, toast.autovacuum_vacuum_scale_factor = 0);

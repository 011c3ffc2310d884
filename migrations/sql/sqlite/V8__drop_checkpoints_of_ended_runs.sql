-- A finished or diverged run is never resumed, so it keeps no checkpoint: from this version on, its last one is
-- deleted when it ends (for a full-batch run, megabytes that were most of the log). Runs that ended before are brought
-- in line here: the bytes of their last checkpoints are deleted unless a run that may still resume points at the same
-- bytes, or a snapshot does; nothing else is touched. The same in both databases.
DELETE FROM blobs
 WHERE hash IN (SELECT last_checkpoint FROM runs WHERE status IN ('finished', 'diverged') AND last_checkpoint IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.last_checkpoint = blobs.hash AND r.status NOT IN ('finished', 'diverged'))
   AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.blob = blobs.hash);
UPDATE runs SET last_checkpoint = NULL, last_checkpoint_epoch = NULL WHERE status IN ('finished', 'diverged');

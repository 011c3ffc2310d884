-- A finished or diverged run is never resumed, so it keeps no checkpoint: from this version on, its last one is
-- deleted when it ends (for a full-batch run, megabytes that were most of the log). Runs that ended before are brought
-- in line here, and the bytes no run or snapshot points at any more are deleted. The same in both databases.
UPDATE runs SET last_checkpoint = NULL, last_checkpoint_epoch = NULL WHERE status IN ('finished', 'diverged');
DELETE FROM blobs
 WHERE hash NOT IN (SELECT blob FROM snapshots)
   AND hash NOT IN (SELECT last_checkpoint FROM runs WHERE last_checkpoint IS NOT NULL);

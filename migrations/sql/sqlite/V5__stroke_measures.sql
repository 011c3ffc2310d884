-- Projection: the share of a snapshot's filters that read as pen strokes (filter_measures events' strokeShare;
-- NULL for snapshots measured before it existed).
ALTER TABLE filter_measures ADD COLUMN stroke_share DOUBLE PRECISION;

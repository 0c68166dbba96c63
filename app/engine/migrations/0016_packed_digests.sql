-- Image digests as 32 raw bytes instead of 64 hex characters (digests.py): on a two-year city of
-- 20 million reads, the reads' two image names shrink from 2.6 GB to 1.3 GB. The columns keep
-- their declared types (a BLOB is stored as a BLOB whatever the column's affinity), so no table
-- is rebuilt; only values written as text are converted.
UPDATE images SET sha256 = unhex(sha256) WHERE typeof(sha256) = 'text';
UPDATE reads SET plate_image_sha256 = unhex(plate_image_sha256) WHERE typeof(plate_image_sha256) = 'text';
UPDATE reads SET scene_image_sha256 = unhex(scene_image_sha256) WHERE typeof(scene_image_sha256) = 'text';

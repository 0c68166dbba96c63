-- Image digests as 32 raw bytes instead of 64 hex characters (digests.py): on a two-year city of
-- 20 million reads, the reads' two image names shrink from 2.6 GB to 1.3 GB. The columns keep
-- their declared types (a BLOB is stored as a BLOB whatever the column's affinity), but every
-- converted row is rewritten, cached images included (store.py asks for the room first). Only
-- text that is a digest is converted (sync never stored anything else); a cached image under
-- any other name could never be asked for, and leaves. A read's other text stays: it names no
-- image (unpacked() reads it as it is).
UPDATE images SET sha256 = unhex(sha256)
    WHERE typeof(sha256) = 'text' AND length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*';
DELETE FROM images WHERE typeof(sha256) != 'blob';
UPDATE reads SET plate_image_sha256 = unhex(plate_image_sha256)
    WHERE typeof(plate_image_sha256) = 'text' AND length(plate_image_sha256) = 64
    AND plate_image_sha256 NOT GLOB '*[^0-9a-f]*';
UPDATE reads SET scene_image_sha256 = unhex(scene_image_sha256)
    WHERE typeof(scene_image_sha256) = 'text' AND length(scene_image_sha256) = 64
    AND scene_image_sha256 NOT GLOB '*[^0-9a-f]*';

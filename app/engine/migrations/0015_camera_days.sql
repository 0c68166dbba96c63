-- Reads each camera took each UTC day, kept by triggers whoever writes reads, so that the camera
-- map over two years sums days instead of counting 20 million index entries (camera_map in
-- analyses_sql.py counts only a period's partial first and last days from the reads). A day's
-- count may fall to 0 when its reads are purged; such rows are harmless. A bulk first sync
-- drops these triggers with the indexes and recounts at the end (sync_apply.py). A trigger body
-- ends on its END line: migrations split at ';' and a newline.
CREATE TABLE camera_days (
    camera_id TEXT    NOT NULL,
    day       INTEGER NOT NULL,             -- read_at / 86400: days since 1970-01-01 UTC
    reads     INTEGER NOT NULL,
    PRIMARY KEY (camera_id, day)
) WITHOUT ROWID;
CREATE TRIGGER reads_camera_days AFTER INSERT ON reads BEGIN
    INSERT INTO camera_days(camera_id, day, reads) VALUES (new.camera_id, new.read_at / 86400, 1) ON CONFLICT(camera_id, day) DO UPDATE SET reads = reads + 1; END;
CREATE TRIGGER reads_camera_days_delete AFTER DELETE ON reads BEGIN
    UPDATE camera_days SET reads = reads - 1 WHERE camera_id = old.camera_id AND day = old.read_at / 86400; END;
CREATE TRIGGER reads_camera_days_update AFTER UPDATE OF camera_id, read_at ON reads BEGIN
    UPDATE camera_days SET reads = reads - 1 WHERE camera_id = old.camera_id AND day = old.read_at / 86400; INSERT INTO camera_days(camera_id, day, reads) VALUES (new.camera_id, new.read_at / 86400, 1) ON CONFLICT(camera_id, day) DO UPDATE SET reads = reads + 1; END;
INSERT INTO camera_days(camera_id, day, reads)
    SELECT camera_id, read_at / 86400, count(*) FROM reads GROUP BY camera_id, read_at / 86400;

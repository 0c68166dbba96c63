-- Camera health from the city server's receiver: the spans a camera was offline (a heartbeat
-- said so, or it was silent past the receiver's gap); ended_at NULL: still offline. Synced
-- like cameras; the camera map and its report name the cameras offline in their period.
CREATE TABLE camera_outages (
    id         INTEGER PRIMARY KEY,
    camera_id  TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    reason     TEXT    NOT NULL
);
CREATE INDEX camera_outages_camera ON camera_outages(camera_id, started_at)

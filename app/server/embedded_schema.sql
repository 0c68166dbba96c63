-- The embedded city server: the tables of installer/server/schema.sql in SQLite terms
-- (no partitions, no roles: one file, one process at a time).
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters(name, value) VALUES ('change', 0), ('read', 0), ('entry', 0), ('ocr', 0);
CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cameras (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, site TEXT NOT NULL, lat REAL, lon REAL,
    direction TEXT, seq INTEGER NOT NULL
);
CREATE INDEX cameras_seq ON cameras(seq);
CREATE TABLE reads (
    id INTEGER PRIMARY KEY, plate TEXT NOT NULL, read_at INTEGER NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras(id), confidence REAL NOT NULL, vendor TEXT,
    plate_box TEXT, plate_image_sha256 TEXT, scene_image_sha256 TEXT,
    source TEXT NOT NULL DEFAULT 'camera', ingested_at INTEGER NOT NULL, seq INTEGER NOT NULL,
    plate_state TEXT, vehicle_make TEXT, vehicle_color TEXT, vehicle_body TEXT
);
CREATE INDEX reads_seq ON reads(seq);
CREATE INDEX reads_plate ON reads(plate, read_at);
CREATE INDEX reads_time ON reads(read_at);
CREATE TABLE drop_keys (key TEXT PRIMARY KEY, read_id INTEGER);
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('plate', 'scene')),
    mime TEXT NOT NULL, width INTEGER, height INTEGER, size INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE TABLE hotlists (id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL,
                       kind TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX hotlists_seq ON hotlists(seq);
CREATE TABLE hotlist_entries (
    id INTEGER PRIMARY KEY, hotlist_id TEXT NOT NULL REFERENCES hotlists(id), plate TEXT NOT NULL,
    reason TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 3, expires_at INTEGER, added_by TEXT,
    added_at INTEGER NOT NULL, seq INTEGER NOT NULL, plate_state TEXT
);
CREATE INDEX hotlist_entries_seq ON hotlist_entries(seq);
CREATE INDEX hotlist_entries_plate ON hotlist_entries(plate);
CREATE TABLE tombstones (seq INTEGER PRIMARY KEY, read_id INTEGER NOT NULL,
                         purged_at INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE ocr_queue (
    id INTEGER PRIMARY KEY, camera_id TEXT NOT NULL REFERENCES cameras(id), read_at INTEGER NOT NULL,
    vendor TEXT, plate_box TEXT, plate_image_sha256 TEXT, scene_image_sha256 TEXT NOT NULL,
    source_file TEXT NOT NULL, queued_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'read', 'unreadable')),
    read_id INTEGER, resolved_at INTEGER, plate_state TEXT
);
CREATE INDEX ocr_queue_pending ON ocr_queue(status, id);
CREATE TABLE corrections (
    uuid TEXT PRIMARY KEY, workstation_id TEXT NOT NULL, read_id INTEGER NOT NULL,
    old_plate TEXT NOT NULL, new_plate TEXT NOT NULL, reason TEXT NOT NULL, username TEXT NOT NULL,
    corrected_at INTEGER NOT NULL, received_at INTEGER NOT NULL
);
CREATE TABLE access_log (
    workstation_id TEXT NOT NULL, seq INTEGER NOT NULL, ts TEXT NOT NULL, username TEXT NOT NULL,
    agency TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, query TEXT NOT NULL,
    purpose TEXT, case_number TEXT, result_ids TEXT NOT NULL, detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at INTEGER NOT NULL, mac TEXT,
    PRIMARY KEY (workstation_id, seq)
);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the uploaded access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the uploaded access log is append-only'); END

-- Local encrypted store of the workstation, schema version 1.
-- Times are integer Unix seconds in UTC unless the column name ends in _on (ISO date).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE cameras (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    site      TEXT NOT NULL,
    lat       REAL,
    lon       REAL,
    direction TEXT
);

-- One ALPR read as the city server holds it; plate is the current (possibly corrected) text.
CREATE TABLE reads (
    id                 INTEGER PRIMARY KEY,          -- the city server's read id
    plate              TEXT    NOT NULL,
    plate_skel         TEXT    NOT NULL,             -- OCR-confusion skeleton for similar search
    original_plate     TEXT,                         -- the vendor's reading when corrected
    read_at            INTEGER NOT NULL,
    camera_id          TEXT    NOT NULL REFERENCES cameras(id),
    confidence         REAL    NOT NULL,
    vendor             TEXT,
    plate_box          TEXT,                         -- JSON [x, y, w, h] in the scene image
    plate_image_sha256 TEXT,
    scene_image_sha256 TEXT,
    ocr_plate          TEXT,                         -- re-read by our OCR (verification)
    ocr_confidence     REAL,
    possible_misread   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reads_plate       ON reads(plate, read_at);
CREATE INDEX reads_orig_plate  ON reads(original_plate) WHERE original_plate IS NOT NULL;
CREATE INDEX reads_skel        ON reads(plate_skel);
CREATE INDEX reads_time        ON reads(read_at);
CREATE INDEX reads_camera_time ON reads(camera_id, read_at);

-- Image bytes live inside the encrypted file, keyed by their SHA-256 from ingest.
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY,
    kind   TEXT NOT NULL CHECK (kind IN ('plate', 'scene')),
    mime   TEXT NOT NULL,
    width  INTEGER,
    height INTEGER,
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);

CREATE TABLE corrections (
    id           INTEGER PRIMARY KEY,
    read_id      INTEGER NOT NULL,
    old_plate    TEXT NOT NULL,
    new_plate    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    username     TEXT NOT NULL,
    corrected_at INTEGER NOT NULL,
    uuid         TEXT NOT NULL UNIQUE,                 -- idempotent upload to the server
    uploaded     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX corrections_read ON corrections(read_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name           TEXT NOT NULL,
    role                TEXT NOT NULL,
    agency              TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    password_changed_at INTEGER NOT NULL,
    totp_secret         TEXT,
    totp_enrolled       INTEGER NOT NULL DEFAULT 0,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    created_by          TEXT NOT NULL
);

CREATE TABLE password_history (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    hash       TEXT    NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, changed_at);

CREATE TABLE training (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    course       TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    expires_on   TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX training_user ON training(user_id, expires_on);

CREATE TABLE hotlists (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    source TEXT NOT NULL,                               -- e.g. "CA DOJ SVS", "City code enforcement"
    kind   TEXT NOT NULL                                -- stolen, wanted, missing, code_enforcement
);

CREATE TABLE hotlist_entries (
    id         INTEGER PRIMARY KEY,                    -- server id, or negative for local-only
    hotlist_id TEXT    NOT NULL REFERENCES hotlists(id),
    plate      TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 3,             -- 1 highest
    expires_at INTEGER,
    added_by   TEXT,
    added_at   INTEGER NOT NULL
);
CREATE INDEX hotlist_entries_plate ON hotlist_entries(plate);

CREATE TABLE hits (
    id               INTEGER PRIMARY KEY,
    read_id          INTEGER NOT NULL,
    entry_id         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    disposition      TEXT CHECK (disposition IN ('confirmed', 'misread', 'not_actioned')),
    disposition_note TEXT,
    disposed_by      TEXT,
    disposed_at      INTEGER,
    UNIQUE (read_id, entry_id)
);
CREATE INDEX hits_open ON hits(disposition, created_at);

CREATE TABLE holds (
    id          INTEGER PRIMARY KEY,
    case_number TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('evidence', 'discovery', 'litigation')),
    reason      TEXT    NOT NULL,
    placed_by   TEXT    NOT NULL,
    placed_at   INTEGER NOT NULL,
    released_by TEXT,
    released_at INTEGER,
    release_reason TEXT
);

CREATE TABLE hold_reads (
    hold_id INTEGER NOT NULL REFERENCES holds(id),
    read_id INTEGER NOT NULL,
    PRIMARY KEY (hold_id, read_id)
) WITHOUT ROWID;
CREATE INDEX hold_reads_read ON hold_reads(read_id);

-- Written requests from other agencies (Calabasas, "Releasing ALPR data").
CREATE TABLE release_requests (
    id                INTEGER PRIMARY KEY,
    agency            TEXT NOT NULL,
    agency_type       TEXT NOT NULL CHECK (agency_type IN ('law_enforcement', 'prosecutorial', 'public_agency', 'private', 'public', 'media')),
    requester         TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    description       TEXT NOT NULL,
    case_number       TEXT NOT NULL,
    received_on       TEXT NOT NULL,
    entered_by        TEXT NOT NULL,
    entered_at        INTEGER NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    decided_by        TEXT,
    decided_at        INTEGER,
    decision_note     TEXT
);

-- The access log of Civil Code 1798.90.52, hash-chained with a keyed hash.
CREATE TABLE access_log (
    seq         INTEGER PRIMARY KEY,
    ts          TEXT    NOT NULL,                        -- ISO 8601 UTC with microseconds
    username    TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    query       TEXT    NOT NULL,                        -- JSON of the data elements used to query
    purpose     TEXT,
    case_number TEXT,
    result_ids  TEXT    NOT NULL,                        -- JSON list of read ids returned/touched
    detail      TEXT    NOT NULL,                        -- JSON of anything else (counts, reason)
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    uploaded    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_log_upload ON access_log(uploaded, seq);

-- Where the chain ends, keyed too, so a truncated tail is found.
CREATE TABLE access_log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL,
    mac  TEXT    NOT NULL
);

-- Sync watermarks and other progress kept between runs.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Standing alerts, hit notifications and dispositions from the profile (issue 15, parts 3-4).

-- A hotlist's priority (1 most urgent .. 5): what a hit notification shows, and what a user
-- who mutes all but the most urgent still hears. Pulled from the city server like the rest.
ALTER TABLE hotlists ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;

-- Dispositions now come from the policy profile's [[dispositions]] (app/engine/policy.py), so
-- the hits table is rebuilt without 0009's fixed CHECK. The old codes map onto the profiles'
-- codes one for one (confirmed = "confirmed and located", misread, not_actioned, wrong_state),
-- so every disposition already recorded stays a valid one.
CREATE TABLE hits_0011 (
    id               INTEGER PRIMARY KEY,
    read_id          INTEGER NOT NULL,
    entry_id         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    disposition      TEXT CHECK (disposition IS NULL OR length(disposition) BETWEEN 1 AND 32),
    disposition_note TEXT,
    disposed_by      TEXT,
    disposed_at      INTEGER,
    UNIQUE (read_id, entry_id)
);
INSERT INTO hits_0011 SELECT id, read_id, entry_id, created_at, disposition, disposition_note,
                             disposed_by, disposed_at FROM hits;
DROP TABLE hits;
ALTER TABLE hits_0011 RENAME TO hits;
CREATE INDEX hits_open ON hits(disposition, created_at);

-- "Tell me when this plate (or pattern) is read again": bound to the owner's purpose and case,
-- until it expires (at most the profile's alert_max_days), is cancelled, or its case closes.
CREATE TABLE standing_alerts (
    id           INTEGER PRIMARY KEY,
    owner        TEXT    NOT NULL,                     -- username
    purpose      TEXT    NOT NULL,
    case_number  TEXT    NOT NULL,
    pattern      TEXT    NOT NULL,                     -- a plate, or a ?/* pattern
    glob         TEXT    NOT NULL,                     -- the pattern as an SQLite GLOB
    plate_state  TEXT,                                 -- NULL: any state
    note         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    end_reason   TEXT CHECK (end_reason IN ('expired', 'cancelled', 'case_closed')),
    ended_by     TEXT
);
CREATE INDEX standing_alerts_live ON standing_alerts(ended_at, expires_at);
CREATE INDEX standing_alerts_owner ON standing_alerts(owner, ended_at);

-- What a sync found for an alert: the owner's queue.
CREATE TABLE alert_matches (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES standing_alerts(id),
    read_id  INTEGER NOT NULL,
    found_at INTEGER NOT NULL,
    UNIQUE (alert_id, read_id)
);

-- A person's own settings that belong with the data (e.g. which hit notifications they hear).
CREATE TABLE user_settings (
    username TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (username, key)
) WITHOUT ROWID;

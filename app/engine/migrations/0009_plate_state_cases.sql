-- Plate state and cases (issue 15).
-- A plate is its characters and its issuing state: reads and hotlist entries carry the state's
-- two-letter code (app/engine/states.py), NULL where the camera or the list did not say.
ALTER TABLE reads ADD COLUMN plate_state TEXT;
ALTER TABLE hotlist_entries ADD COLUMN plate_state TEXT;

-- "wrong_state" joins the dispositions (a hit on the same characters from another state).
-- SQLite cannot widen a CHECK constraint in place, so the hits table is rebuilt from 0001's.
CREATE TABLE hits_0009 (
    id               INTEGER PRIMARY KEY,
    read_id          INTEGER NOT NULL,
    entry_id         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    disposition      TEXT CHECK (disposition IN ('confirmed', 'misread', 'not_actioned', 'wrong_state')),
    disposition_note TEXT,
    disposed_by      TEXT,
    disposed_at      INTEGER,
    UNIQUE (read_id, entry_id)
);
INSERT INTO hits_0009 SELECT id, read_id, entry_id, created_at, disposition, disposition_note,
                             disposed_by, disposed_at FROM hits;
DROP TABLE hits;
ALTER TABLE hits_0009 RENAME TO hits;
CREATE INDEX hits_open ON hits(disposition, created_at);

-- A case gathers the work done under one case number: the searches, views, exports and prints
-- (access-log entries under its number), the holds placed for it, and the notes and
-- bookmarked reads below. Only its members see it, and a closed case takes no more searches.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,              -- in the profile's case_number_pattern
    purpose      TEXT    NOT NULL,                     -- the profile's purpose code
    title        TEXT    NOT NULL,
    owner        TEXT    NOT NULL,                     -- username
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_at    INTEGER NOT NULL,
    closed_at    INTEGER,
    closed_by    TEXT,
    close_reason TEXT
);

CREATE TABLE case_members (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    username TEXT    NOT NULL,
    added_by TEXT    NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, username)
) WITHOUT ROWID;
CREATE INDEX case_members_user ON case_members(username);

CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    author     TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, created_at);

-- A bookmark names a read by id: it outlives the read's purge (the case then says so).
CREATE TABLE case_bookmarks (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    read_id  INTEGER NOT NULL,
    note     TEXT    NOT NULL DEFAULT '',
    added_by TEXT    NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, read_id)
) WITHOUT ROWID

-- Release requests carry the scope the written request describes (plates and/or read ids, a
-- period, optionally cameras) and are used up by their one release (status 'released').
-- SQLite cannot widen a CHECK constraint in place, so the table is rebuilt from 0001's columns.
-- Requests entered before this migration keep no scope (NULL period): nothing can be released on
-- them, a new request with its scope must be entered.
CREATE TABLE release_requests_0004 (
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
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'released')),
    decided_by        TEXT,
    decided_at        INTEGER,
    decision_note     TEXT,
    scope_plates      TEXT NOT NULL DEFAULT '[]',       -- JSON list of normalised plates
    scope_read_ids    TEXT NOT NULL DEFAULT '[]',       -- JSON list of read ids
    scope_cameras     TEXT NOT NULL DEFAULT '[]',       -- JSON list of camera ids (empty: any camera)
    scope_start       INTEGER,                          -- Unix seconds UTC, inclusive
    scope_end         INTEGER CHECK (scope_end IS NULL OR scope_end > scope_start),   -- exclusive
    released_at       INTEGER,
    released_by       TEXT,
    released_package  TEXT
);
INSERT INTO release_requests_0004 (id, agency, agency_type, requester, purpose, description, case_number,
                                   received_on, entered_by, entered_at, status, decided_by, decided_at,
                                   decision_note)
    SELECT id, agency, agency_type, requester, purpose, description, case_number, received_on, entered_by,
           entered_at, status, decided_by, decided_at, decision_note FROM release_requests;
DROP TABLE release_requests;
ALTER TABLE release_requests_0004 RENAME TO release_requests;

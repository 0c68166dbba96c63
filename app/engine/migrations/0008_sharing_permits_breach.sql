-- The designee's records (app/engine/oversight/): the agency register that release requests
-- pick from, written permissions for a role barred without one, breach incidents and notices.

-- Agencies ALPR data may be released to (Civil Code 1798.90.55(b)). A request records the
-- entry and its version, so an entry changed or retired after a request releases nothing.
CREATE TABLE agencies (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    agency_type   TEXT    NOT NULL CHECK (agency_type IN ('law_enforcement', 'prosecutorial', 'public_agency', 'private', 'public', 'media')),
    level         TEXT    CHECK (level IN ('local', 'state', 'federal')),  -- NULL: from an old request
    state         TEXT,                                  -- two-letter postal code, NULL as level
    agreement     TEXT    NOT NULL DEFAULT '',           -- the agreement or MOU on file
    contact       TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_by    TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    retired_at    INTEGER,
    retired_by    TEXT,
    retire_reason TEXT
);

-- Requests entered before the register named their agency in free text: each distinct agency
-- becomes an entry without level or state (nothing is released to it until the designee records
-- them), and one of a type the law bars is retired at once. The requests keep their text as entered.
INSERT INTO agencies (name, agency_type, created_by, created_at, updated_by, updated_at, retired_at,
                      retired_by, retire_reason)
    SELECT agency, agency_type, 'migration', min(entered_at), 'migration', min(entered_at),
           CASE WHEN agency_type IN ('private', 'public', 'media') THEN min(entered_at) END,
           CASE WHEN agency_type IN ('private', 'public', 'media') THEN 'migration' END,
           CASE WHEN agency_type IN ('private', 'public', 'media')
                THEN 'not a public agency (Civil Code 1798.90.55(b))' END
      FROM release_requests GROUP BY agency, agency_type ORDER BY min(id);
ALTER TABLE release_requests ADD COLUMN agency_id INTEGER REFERENCES agencies(id);
-- the entry's version the request was made (then approved) on
ALTER TABLE release_requests ADD COLUMN agency_version INTEGER;
UPDATE release_requests SET agency_id = (SELECT a.id FROM agencies a WHERE a.name = release_requests.agency
                                         AND a.agency_type = release_requests.agency_type);

-- Written permission for a role barred without one (Coachella Section 3): who, which case,
-- which data, from and until when, the document. Expires by itself, revocable.
CREATE TABLE written_permissions (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL COLLATE NOCASE,
    case_number    TEXT    NOT NULL,
    scope_cameras  TEXT    NOT NULL DEFAULT '[]',       -- JSON camera ids (empty: any camera)
    scope_start    INTEGER,                             -- the data's period, Unix seconds UTC
    scope_end      INTEGER CHECK (scope_end IS NULL OR scope_end > scope_start),
    scope_read_ids TEXT    NOT NULL DEFAULT '[]',       -- JSON read ids
    valid_from     INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL CHECK (valid_until > valid_from),
    document_ref   TEXT    NOT NULL,
    granted_by     TEXT    NOT NULL,
    granted_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_by     TEXT,
    revoke_reason  TEXT
);
CREATE INDEX written_permissions_user ON written_permissions(username, valid_until);

-- A breach of security of ALPR data (Civil Code 1798.29) and the notices it calls for.
CREATE TABLE breach_incidents (
    id           INTEGER PRIMARY KEY,
    what         TEXT    NOT NULL,
    found_at     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,                       -- when the data may have been exposed
    window_end   INTEGER NOT NULL CHECK (window_end > window_start),
    medium_kind  TEXT    NOT NULL CHECK (medium_kind IN ('package', 'store')),
    medium       TEXT    NOT NULL,                       -- the package's folder name, or the store id
    recorded_by  TEXT    NOT NULL,
    recorded_at  INTEGER NOT NULL
);
CREATE TABLE breach_notices (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES breach_incidents(id),
    kind        TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    produced_at INTEGER,
    produced_by TEXT,
    file_path   TEXT,
    done_on     TEXT,                                    -- ISO date posted or sent
    done_by     TEXT,
    keep_until  TEXT,                                    -- a website notice: not removed before
    removed_on  TEXT,
    UNIQUE (incident_id, kind)
)

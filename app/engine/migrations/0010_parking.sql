-- LA Metro parking (app/engine/parking/): facilities from the city server, the stays paired from
-- their entry and exit reads, imported permits and pay-by-plate payments, and citations.
-- Times are Unix seconds UTC; money is in cents.

-- A facility as the city server defines it; spec is JSON (zones, cameras, rules: facilities.py).
CREATE TABLE parking_facilities (
    id       TEXT PRIMARY KEY,
    name     TEXT    NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    spec     TEXT    NOT NULL
);

-- Stays paired from reads (derived data, rebuilt from the reads; stays.py). exit_at NULL: open.
CREATE TABLE parking_stays (
    id            INTEGER PRIMARY KEY,
    facility_id   TEXT    NOT NULL,
    plate         TEXT    NOT NULL,                  -- the entry read's plate
    plate_skel    TEXT    NOT NULL,
    entry_read_id INTEGER NOT NULL,
    exit_read_id  INTEGER,
    entry_at      INTEGER NOT NULL,
    exit_at       INTEGER,
    exit_plate    TEXT,                              -- the exit read's plate where it differs
    until_at      INTEGER NOT NULL                   -- exit_at, or how long an open stay counts
);
CREATE INDEX parking_stays_time  ON parking_stays(facility_id, entry_at);
CREATE INDEX parking_stays_plate ON parking_stays(plate_skel);
CREATE INDEX parking_stays_entry ON parking_stays(entry_read_id);

-- Reads at a facility's gates that could not be paired, each with its reason.
CREATE TABLE parking_unpaired (
    read_id     INTEGER PRIMARY KEY,
    facility_id TEXT    NOT NULL,
    read_at     INTEGER NOT NULL,
    reason      TEXT    NOT NULL
);
CREATE INDEX parking_unpaired_time ON parking_unpaired(facility_id, read_at);

-- Where each facility's pairing stands, so that new reads re-pair only what they can change.
CREATE TABLE parking_builds (
    facility_id  TEXT PRIMARY KEY,
    max_read_id  INTEGER NOT NULL,                   -- the newest read held (any camera)
    last_read_at INTEGER NOT NULL,
    redo_from    INTEGER NOT NULL,                   -- reads from here on are paired again
    max_span     INTEGER NOT NULL                    -- the longest stay (until_at - entry_at)
);

-- Permits imported from the operator's CSV.
CREATE TABLE parking_permits (
    id          INTEGER PRIMARY KEY,
    facility_id TEXT    NOT NULL,
    plate       TEXT    NOT NULL,
    plate_skel  TEXT    NOT NULL,
    zone        TEXT    NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_until INTEGER NOT NULL,
    permit_no   TEXT    NOT NULL,
    batch       INTEGER NOT NULL                     -- access_log.seq of the import
);
CREATE INDEX parking_permits_plate ON parking_permits(facility_id, plate_skel);

-- Pay-by-plate sessions and the day's transactions imported from the operator's CSV.
CREATE TABLE parking_payments (
    id           INTEGER PRIMARY KEY,
    facility_id  TEXT    NOT NULL,
    plate        TEXT    NOT NULL,
    plate_skel   TEXT    NOT NULL,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    method       TEXT    NOT NULL,
    line         INTEGER NOT NULL,                   -- line of the CSV it came from
    batch        INTEGER NOT NULL
);
CREATE INDEX parking_payments_time ON parking_payments(facility_id, start_at);

-- Citations issued from violations; their reads are kept by an evidence hold.
CREATE TABLE parking_citations (
    id            INTEGER PRIMARY KEY,
    citation_no   TEXT    NOT NULL UNIQUE,
    facility_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('overstay', 'no_payment', 'no_permit')),
    plate         TEXT    NOT NULL,
    entry_read_id INTEGER NOT NULL,
    exit_read_id  INTEGER,
    entry_at      INTEGER NOT NULL,
    exit_at       INTEGER,
    detail        TEXT    NOT NULL,                  -- JSON: the rule applied and what was found
    hold_id       INTEGER NOT NULL,
    issued_by     TEXT    NOT NULL,
    issued_at     INTEGER NOT NULL
);

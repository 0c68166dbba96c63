-- The audit cycle (issue 14): reviews of the access log over a period, their flagged items and
-- sampled entries, the reviewer's findings, and the sign-off and approval. Each step is also an
-- entry in the access log's chain (audit_review_start, audit_finding, audit_signoff,
-- audit_approve); these tables are the working record, checked against those entries.

-- Who supervises whom (LA Metro policy section 6: "the actions of their staff"). A supervisor
-- whose role grants audit_team but not audit_view sees only the entries of these users.
ALTER TABLE users ADD COLUMN supervisor_id INTEGER REFERENCES users(id);

-- A review reads one period of the log by time: without this index it scans the whole log.
CREATE INDEX access_log_ts ON access_log(ts);

CREATE TABLE audit_reviews (
    id            INTEGER PRIMARY KEY,
    period_start  INTEGER NOT NULL,                  -- Unix seconds UTC, inclusive
    period_end    INTEGER NOT NULL CHECK (period_end > period_start),   -- exclusive
    label         TEXT    NOT NULL,                  -- "October 2026", or the dates on demand
    scheduled     INTEGER NOT NULL,                  -- 1: a period of the profile's schedule
    scope_owner   TEXT,                              -- the supervisor of a team review; NULL: everyone
    scope_users   TEXT    NOT NULL DEFAULT '[]',     -- JSON: the staff reviewed (team reviews)
    reviewer      TEXT    NOT NULL,
    started_at    INTEGER NOT NULL,
    start_seq     INTEGER NOT NULL,                  -- its audit_review_start entry
    through_seq   INTEGER NOT NULL,                  -- the log's head the review read up to
    through_hash  TEXT    NOT NULL,
    sample_seed   TEXT    NOT NULL,                  -- hex: the sample can be drawn again from it
    notes         TEXT    NOT NULL DEFAULT '[]',     -- JSON: what the review could not check
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'signed', 'approved')),
    signed_at     INTEGER,
    signoff_seq   INTEGER,
    signoff_note  TEXT,
    approver      TEXT,
    approved_at   INTEGER,
    approve_seq   INTEGER,
    approve_note  TEXT
);
CREATE INDEX audit_reviews_period ON audit_reviews(period_start, period_end);

-- What the review put before the reviewer: a risk rule's flag, or an entry of the sample.
CREATE TABLE audit_review_items (
    review_id INTEGER NOT NULL REFERENCES audit_reviews(id),
    item      INTEGER NOT NULL,                      -- 1, 2, ... in the order shown
    rule      TEXT    NOT NULL,                      -- the risk rule's name, or 'sample'
    sentence  TEXT    NOT NULL,
    seqs      TEXT    NOT NULL,                      -- JSON: the log entries behind it
    users     TEXT    NOT NULL,                      -- JSON: whose entries they are
    outcome   TEXT CHECK (outcome IN ('confirmed', 'explained', 'referred', 'misuse')),
    note      TEXT,
    found_at  INTEGER,
    found_seq INTEGER,                               -- its latest audit_finding entry
    PRIMARY KEY (review_id, item)
) WITHOUT ROWID;

-- Retention certificates (app/engine/oversight/certificates.py): one row for each purge that
-- removed or kept reads (the custodian's, the start-up's, and each batch of the city server's
-- tombstones applied by a sync), written in the purge's own transaction together with the
-- `retention_certificate` access-log entry (seq) whose detail holds the same certificate.
-- Local bookkeeping of what was removed, never ALPR data: days and counts, no read ids.
CREATE TABLE retention_certificates (
    id             INTEGER PRIMARY KEY,
    seq            INTEGER NOT NULL,                  -- its access_log entry
    made_at        INTEGER NOT NULL,
    source         TEXT    NOT NULL CHECK (source IN ('purge', 'startup', 'sync')),
    username       TEXT    NOT NULL,                  -- who ran it ('system' at start-up and sync)
    cutoff         INTEGER,                           -- reads before this were due (NULL: sync)
    retention_days INTEGER NOT NULL,
    reads          INTEGER NOT NULL,                  -- reads removed
    images         INTEGER NOT NULL,
    hits           INTEGER NOT NULL,
    kept_by_hold   INTEGER NOT NULL,
    oldest_left    INTEGER,                           -- read_at of the oldest read left (NULL: none)
    detail         TEXT    NOT NULL                   -- JSON: by day, holds kept, tombstones
);
-- The transparency report counts one period's entries action by action (oversight/transparency.py):
-- over a log of millions of entries it reads only those.
CREATE INDEX access_log_action_time ON access_log(action, ts);

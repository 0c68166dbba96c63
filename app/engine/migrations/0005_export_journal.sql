-- Exports in flight: a row is written in the same transaction as the export's
-- `export_started` access-log entry, before the first byte reaches the medium, and closed when
-- the package is renamed to its final name or its leftovers are removed. A row still open at
-- the next start is an interrupted export (kill -9, power cut): its leftovers are removed and
-- logged. Local bookkeeping only: never synced.
CREATE TABLE export_journal (
    id          INTEGER PRIMARY KEY,
    started_seq INTEGER NOT NULL,                    -- access_log.seq of its export_started entry
    action      TEXT    NOT NULL,                    -- 'export' or 'release_aggregate'
    package     TEXT    NOT NULL,                    -- the package's final folder name
    target      TEXT    NOT NULL,                    -- the medium: a drive's mount point or a folder
    temp_path   TEXT    NOT NULL,                    -- <target>/<package>.INCOMPLETE, written first
    final_path  TEXT    NOT NULL,                    -- <target>/<package>, after the rename
    on_mount    INTEGER NOT NULL DEFAULT 0,          -- the target was a mount point at the start
    lock_token  TEXT    NOT NULL,                    -- names the lock file the exporting process holds
    started_at  INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('writing', 'recorded', 'done', 'failed', 'unremoved')),
    ended_at    INTEGER,
    ended_seq   INTEGER                              -- the access_log entry that closed it
);
CREATE INDEX export_journal_open ON export_journal(state) WHERE state IN ('writing', 'recorded', 'unremoved');

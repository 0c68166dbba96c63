-- City server schema on PostgreSQL (idempotent: 'alpr server init' runs it on every call).
-- Times are Unix seconds (UTC) as BIGINT, as in the workstation's store.
-- Every row a workstation pulls carries "seq" from one change counter; a writer takes the
-- counter's row lock until it commits, so sequence numbers become visible in order and a
-- workstation can resume from its last seq without ever skipping a late commit.

CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters(name, value) VALUES ('change', 0), ('read', 0), ('entry', 0), ('ocr', 0)
    ON CONFLICT (name) DO NOTHING;

CREATE TABLE IF NOT EXISTS server_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO server_meta(key, value) VALUES ('server_id', md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (key) DO NOTHING;

CREATE TABLE IF NOT EXISTS cameras (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    site      TEXT NOT NULL,
    lat       DOUBLE PRECISION,
    lon       DOUBLE PRECISION,
    direction TEXT,
    seq       BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cameras_seq ON cameras(seq);

-- Reads, partitioned by month of read_at; the primary key must hold the partition key.
CREATE TABLE IF NOT EXISTS reads (
    id                 BIGINT NOT NULL,
    plate              TEXT   NOT NULL,
    read_at            BIGINT NOT NULL,
    camera_id          TEXT   NOT NULL REFERENCES cameras(id),
    confidence         REAL   NOT NULL,
    vendor             TEXT,
    plate_box          TEXT,
    plate_image_sha256 TEXT,
    scene_image_sha256 TEXT,
    source             TEXT   NOT NULL DEFAULT 'camera',
    ingested_at        BIGINT NOT NULL,
    seq                BIGINT NOT NULL,
    PRIMARY KEY (id, read_at)
) PARTITION BY RANGE (read_at);
CREATE TABLE IF NOT EXISTS reads_default PARTITION OF reads DEFAULT;
CREATE INDEX IF NOT EXISTS reads_seq ON reads(seq);
CREATE INDEX IF NOT EXISTS reads_plate ON reads(plate, read_at);
CREATE INDEX IF NOT EXISTS reads_camera_time ON reads(camera_id, read_at);

-- One month's partition, made on demand by ingest (SECURITY DEFINER: ingest may not CREATE).
CREATE OR REPLACE FUNCTION alpr_ensure_month(ts BIGINT) RETURNS TEXT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    start_ts TIMESTAMPTZ := date_trunc('month', to_timestamp(ts) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    stop_ts  TIMESTAMPTZ := start_ts + INTERVAL '1 month';
    part     TEXT := 'reads_' || to_char(start_ts AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NULL THEN
        IF EXISTS (SELECT 1 FROM reads_default WHERE read_at >= extract(epoch FROM start_ts)
                   AND read_at < extract(epoch FROM stop_ts)) THEN
            RETURN 'reads_default';      -- rows already there: leave them, it stays correct
        END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF reads FOR VALUES FROM (%s) TO (%s)', part,
                       extract(epoch FROM start_ts)::bigint, extract(epoch FROM stop_ts)::bigint);
    END IF;
    RETURN part;
END $$;

-- Which drops were already ingested: (camera, time, scene image hash).
CREATE TABLE IF NOT EXISTS drop_keys (
    key     TEXT PRIMARY KEY,
    read_id BIGINT
);

CREATE TABLE IF NOT EXISTS images (
    sha256 TEXT PRIMARY KEY,
    kind   TEXT NOT NULL CHECK (kind IN ('plate', 'scene')),
    mime   TEXT NOT NULL,
    width  INTEGER,
    height INTEGER,
    size   INTEGER NOT NULL,
    data   BYTEA NOT NULL
);

CREATE TABLE IF NOT EXISTS hotlists (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    source TEXT NOT NULL,
    kind   TEXT NOT NULL,
    seq    BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS hotlists_seq ON hotlists(seq);

CREATE TABLE IF NOT EXISTS hotlist_entries (
    id         BIGINT PRIMARY KEY,
    hotlist_id TEXT   NOT NULL REFERENCES hotlists(id),
    plate      TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 3,
    expires_at BIGINT,
    added_by   TEXT,
    added_at   BIGINT NOT NULL,
    seq        BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS hotlist_entries_seq ON hotlist_entries(seq);
CREATE INDEX IF NOT EXISTS hotlist_entries_plate ON hotlist_entries(plate);

-- What the server purged: workstations delete their copies when they pull these.
CREATE TABLE IF NOT EXISTS tombstones (
    seq       BIGINT PRIMARY KEY,
    read_id   BIGINT NOT NULL,
    purged_at BIGINT NOT NULL,
    reason    TEXT   NOT NULL
);

-- Drops that came without a plate read, waiting for the OCR engine.
CREATE TABLE IF NOT EXISTS ocr_queue (
    id                 BIGINT PRIMARY KEY,
    camera_id          TEXT   NOT NULL REFERENCES cameras(id),
    read_at            BIGINT NOT NULL,
    vendor             TEXT,
    plate_box          TEXT,
    plate_image_sha256 TEXT,
    scene_image_sha256 TEXT   NOT NULL,
    source_file        TEXT   NOT NULL,
    queued_at          BIGINT NOT NULL,
    status             TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'read', 'unreadable')),
    read_id            BIGINT,
    resolved_at        BIGINT
);
CREATE INDEX IF NOT EXISTS ocr_queue_pending ON ocr_queue(status, id);

-- Plate corrections made on workstations (idempotent by uuid).
CREATE TABLE IF NOT EXISTS corrections (
    uuid           TEXT PRIMARY KEY,
    workstation_id TEXT   NOT NULL,
    read_id        BIGINT NOT NULL,
    old_plate      TEXT   NOT NULL,
    new_plate      TEXT   NOT NULL,
    reason         TEXT   NOT NULL,
    username       TEXT   NOT NULL,
    corrected_at   BIGINT NOT NULL,
    received_at    BIGINT NOT NULL
);

-- The workstations' access logs (Civil Code 1798.90.52), append-only; an entry sent twice is kept once.
CREATE TABLE IF NOT EXISTS access_log (
    workstation_id TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    ts             TEXT   NOT NULL,
    username       TEXT   NOT NULL,
    agency         TEXT   NOT NULL,
    role           TEXT   NOT NULL,
    action         TEXT   NOT NULL,
    query          TEXT   NOT NULL,
    purpose        TEXT,
    case_number    TEXT,
    result_ids     TEXT   NOT NULL,
    detail         TEXT   NOT NULL,
    prev_hash      TEXT   NOT NULL,
    hash           TEXT   NOT NULL,
    received_at    BIGINT NOT NULL,
    PRIMARY KEY (workstation_id, seq)
);

CREATE OR REPLACE FUNCTION alpr_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the uploaded access log is append-only (% refused)', TG_OP;
END $$;
DROP TRIGGER IF EXISTS access_log_append_only ON access_log;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION alpr_append_only();

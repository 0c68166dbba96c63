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
-- The plate's issuing state (two-letter code, NULL unknown); servers made before it get the column.
ALTER TABLE reads ADD COLUMN IF NOT EXISTS plate_state TEXT;
-- What the camera's vendor said of the vehicle (make, colour, body type; NULL where it said nothing).
ALTER TABLE reads ADD COLUMN IF NOT EXISTS vehicle_make TEXT;
ALTER TABLE reads ADD COLUMN IF NOT EXISTS vehicle_color TEXT;
ALTER TABLE reads ADD COLUMN IF NOT EXISTS vehicle_body TEXT;
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
-- Photos are JPEG or PNG, compressed already: kept out of line without another try at
-- compressing them, which costs the server CPU on every insert and saves nothing.
ALTER TABLE images ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS hotlists (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    source TEXT NOT NULL,
    kind   TEXT NOT NULL,
    seq    BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS hotlists_seq ON hotlists(seq);
-- 1 most urgent .. 5: what a workstation's hit notification shows (issue 15).
ALTER TABLE hotlists ADD COLUMN IF NOT EXISTS priority INTEGER NOT NULL DEFAULT 3;

-- Parking facilities (LA Metro, app/engine/parking/): capacity, and as JSON the zones, the
-- entry, exit and patrol cameras and the fee resolution's rules; synced like cameras.
CREATE TABLE IF NOT EXISTS parking_facilities (
    id       TEXT    PRIMARY KEY,
    name     TEXT    NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    spec     TEXT    NOT NULL,
    seq      BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS parking_facilities_seq ON parking_facilities(seq);

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
ALTER TABLE hotlist_entries ADD COLUMN IF NOT EXISTS plate_state TEXT;

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
ALTER TABLE ocr_queue ADD COLUMN IF NOT EXISTS plate_state TEXT;
ALTER TABLE ocr_queue ADD COLUMN IF NOT EXISTS vehicle_make TEXT;
ALTER TABLE ocr_queue ADD COLUMN IF NOT EXISTS vehicle_color TEXT;
ALTER TABLE ocr_queue ADD COLUMN IF NOT EXISTS vehicle_body TEXT;

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

-- The anchor of each workstation's access log (docs/security.md). At enrolment the
-- workstation escrows its log's first key; this trigger re-derives each next key, checks
-- every entry's hash and MAC and that it follows the last one received, and binds the
-- workstation id to the database login. Anything else is not stored but raised as an
-- alert: a re-written entry under a seq already held, a gap, a bad MAC, another
-- workstation's id. The workstation compares its log with the anchor at every sync.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
ALTER TABLE access_log ADD COLUMN IF NOT EXISTS mac TEXT;

CREATE TABLE IF NOT EXISTS log_anchors (
    workstation_id TEXT   PRIMARY KEY,
    first_key      BYTEA  NOT NULL,
    next_key       BYTEA  NOT NULL,
    chain_start    BIGINT NOT NULL,     -- entries up to here came before signed entries: linked only
    seq            BIGINT NOT NULL,     -- the last entry received and checked
    hash           TEXT   NOT NULL,
    enrolled_at    BIGINT NOT NULL
);

-- Which database login speaks for which workstation (a login not listed here that is a
-- member of alpr_workstation may upload for none).
CREATE TABLE IF NOT EXISTS workstation_logins (
    login          TEXT PRIMARY KEY,
    workstation_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS log_alerts (
    id             BIGSERIAL PRIMARY KEY,
    workstation_id TEXT   NOT NULL,
    at             BIGINT NOT NULL,
    kind           TEXT   NOT NULL,
    detail         TEXT   NOT NULL
);

CREATE OR REPLACE FUNCTION alpr_entry_hash(e access_log) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(digest(convert_to(
        (SELECT string_agg(CASE WHEN p IS NULL THEN '-;' ELSE length(p)::text || ':' || p || ';' END, '' ORDER BY n)
         FROM unnest(ARRAY[e.seq::text, e.ts, e.username, e.agency, e.role, e.action, e.query,
                           e.purpose, e.case_number, e.result_ids, e.detail, e.prev_hash])
              WITH ORDINALITY AS t(p, n)), 'UTF8'), 'sha256'), 'hex')
$$;

CREATE OR REPLACE FUNCTION alpr_log_login_ok(ws TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM workstation_logins WHERE login = session_user)
            THEN EXISTS (SELECT 1 FROM workstation_logins WHERE login = session_user AND workstation_id = ws)
        ELSE NOT pg_has_role(session_user, 'alpr_workstation', 'MEMBER')
             OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
    END
$$;

CREATE OR REPLACE FUNCTION alpr_log_alert(ws TEXT, at BIGINT, kind TEXT, detail TEXT) RETURNS VOID
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO log_alerts(workstation_id, at, kind, detail) VALUES (ws, at, kind, detail)
$$;

CREATE OR REPLACE FUNCTION alpr_enrol_log(ws TEXT, first_key BYTEA, start_seq BIGINT, start_hash TEXT,
                                          now BIGINT) RETURNS TEXT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE a log_anchors%ROWTYPE; last_seq BIGINT; last_hash TEXT;
BEGIN
    IF NOT alpr_log_login_ok(ws) THEN
        PERFORM alpr_log_alert(ws, now, 'foreign_login', format('login %s tried to enrol workstation %s', session_user, ws));
        RETURN 'foreign';
    END IF;
    SELECT * INTO a FROM log_anchors WHERE workstation_id = ws;
    IF FOUND THEN
        IF a.first_key = first_key THEN RETURN 'enrolled'; END IF;
        PERFORM alpr_log_alert(ws, now, 're_enrol', 'a second first key was offered for this workstation');
        RETURN 'conflict';
    END IF;
    SELECT seq, hash INTO last_seq, last_hash FROM access_log WHERE workstation_id = ws ORDER BY seq DESC LIMIT 1;
    INSERT INTO log_anchors VALUES (ws, first_key, first_key, start_seq,
                                    coalesce(last_seq, 0), coalesce(last_hash, repeat('0', 64)), now);
    RETURN 'enrolled';
END $$;

CREATE OR REPLACE FUNCTION alpr_log_receipt(ws TEXT) RETURNS TABLE(seq BIGINT, hash TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.seq, a.hash FROM log_anchors a WHERE a.workstation_id = ws AND alpr_log_login_ok(ws)
$$;

CREATE OR REPLACE FUNCTION alpr_log_alerts(ws TEXT) RETURNS TABLE(at BIGINT, kind TEXT, detail TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT l.at, l.kind, l.detail FROM log_alerts l
    WHERE l.workstation_id = ws AND alpr_log_login_ok(ws) ORDER BY l.id
$$;

CREATE OR REPLACE FUNCTION alpr_log_anchor() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE a log_anchors%ROWTYPE; held TEXT;
BEGIN
    IF NOT alpr_log_login_ok(NEW.workstation_id) THEN
        PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'foreign_login',
            format('login %s sent entry %s for workstation %s', session_user, NEW.seq, NEW.workstation_id));
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM log_anchors WHERE workstation_id = NEW.workstation_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'not_enrolled', format('entry %s', NEW.seq));
        RETURN NULL;
    END IF;
    IF NEW.seq <= a.seq THEN
        SELECT hash INTO held FROM access_log WHERE workstation_id = NEW.workstation_id AND seq = NEW.seq;
        IF held IS DISTINCT FROM NEW.hash THEN
            PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'rewrite',
                format('entry %s differs from the one received before', NEW.seq));
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.seq <> a.seq + 1 OR NEW.prev_hash <> a.hash THEN
        -- after a refused entry the rest of its batch cannot follow either: one alert is enough
        IF NOT EXISTS (SELECT 1 FROM log_alerts WHERE workstation_id = NEW.workstation_id
                       AND at = NEW.received_at) THEN
            PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'gap',
                format('entry %s does not follow entry %s received before', NEW.seq, a.seq));
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.mac IS NULL THEN
        IF NEW.seq > a.chain_start THEN
            PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'unsigned', format('entry %s', NEW.seq));
            RETURN NULL;
        END IF;
    ELSIF alpr_entry_hash(NEW) <> NEW.hash
          OR encode(hmac(convert_to(NEW.hash, 'UTF8'), a.next_key, 'sha256'), 'hex') <> NEW.mac THEN
        PERFORM alpr_log_alert(NEW.workstation_id, NEW.received_at, 'bad_mac',
            format('entry %s is not signed with the key its chain reached (re-written or re-chained)', NEW.seq));
        RETURN NULL;
    ELSE
        a.next_key := digest('alpr-log-evolve'::bytea || a.next_key, 'sha256');
    END IF;
    UPDATE log_anchors SET seq = NEW.seq, hash = NEW.hash, next_key = a.next_key
        WHERE workstation_id = NEW.workstation_id;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS access_log_anchor ON access_log;
CREATE TRIGGER access_log_anchor BEFORE INSERT ON access_log
    FOR EACH ROW EXECUTE FUNCTION alpr_log_anchor();

-- What people did on the server through the alpr command (ingest, hotlists, purges): the
-- operator they named, and the database login they used (always a personal role).
CREATE TABLE IF NOT EXISTS server_audit (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    operator TEXT   NOT NULL,
    login    TEXT   NOT NULL DEFAULT session_user,
    action   TEXT   NOT NULL,
    detail   TEXT   NOT NULL
);

-- The receiver (app/server/receiver/): payloads it refused, with the reason, for the
-- administrator; its counters (requests refused for want of a token, stored, duplicates); and
-- reads waiting for their photos from a camera system that is unreachable (the retry queue).
-- A read's source and source id ("agent-uid/group uuid") are its drop key ("src|SOURCE|ID"),
-- so the same read sent twice is stored once.
CREATE TABLE IF NOT EXISTS receiver_rejects (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT NOT NULL,
    source TEXT   NOT NULL,
    reason TEXT   NOT NULL,
    detail TEXT   NOT NULL
);
CREATE TABLE IF NOT EXISTS receiver_counts (
    source TEXT   NOT NULL,
    name   TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (source, name)
);
CREATE TABLE IF NOT EXISTS receiver_pending (
    key        TEXT    PRIMARY KEY,
    source     TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    first_at   BIGINT  NOT NULL,
    next_at    BIGINT  NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL
);

-- Camera health: when each camera was last heard from (a read or a heartbeat), and the spans
-- it was offline (a heartbeat saying so, or no word for longer than the receiver's gap);
-- workstations pull the spans like cameras, so a report over a period can name them.
CREATE TABLE IF NOT EXISTS camera_health (
    camera_id TEXT   PRIMARY KEY REFERENCES cameras(id),
    last_seen BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS camera_outages (
    id         BIGSERIAL PRIMARY KEY,
    camera_id  TEXT   NOT NULL REFERENCES cameras(id),
    started_at BIGINT NOT NULL,
    ended_at   BIGINT,
    reason     TEXT   NOT NULL,
    seq        BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS camera_outages_seq ON camera_outages(seq);

-- Hotlist files imported (app/server/hotlist_files/): the watched folder skips a file whose
-- hash was imported already.
CREATE TABLE IF NOT EXISTS hotlist_imports (
    id        BIGSERIAL PRIMARY KEY,
    list_id   TEXT   NOT NULL,
    file_name TEXT   NOT NULL,
    sha256    TEXT   NOT NULL,
    at        BIGINT NOT NULL,
    entries   INTEGER NOT NULL,
    rejected  INTEGER NOT NULL
);

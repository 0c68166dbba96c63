-- Group roles of the city server (idempotent). Give people and services LOGIN roles that are
-- members of these, e.g. CREATE ROLE ws_lhs LOGIN PASSWORD '...' IN ROLE alpr_workstation;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alpr_workstation') THEN
        CREATE ROLE alpr_workstation NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alpr_ingest') THEN
        CREATE ROLE alpr_ingest NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alpr_server_admin') THEN
        CREATE ROLE alpr_server_admin NOLOGIN;
    END IF;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;

-- A workstation reads what it syncs and only appends to the uploaded log and corrections.
GRANT SELECT ON cameras, reads, images, hotlists, hotlist_entries, tombstones, server_meta
    TO alpr_workstation;
GRANT SELECT ON parking_facilities TO alpr_workstation;
GRANT INSERT ON access_log, corrections TO alpr_workstation;
REVOKE UPDATE, DELETE, TRUNCATE ON access_log, corrections FROM alpr_workstation;

-- Ingest writes reads, images and the OCR queue; it does not see the access log.
GRANT SELECT, INSERT ON cameras, reads, images, drop_keys, ocr_queue TO alpr_ingest;
GRANT UPDATE ON ocr_queue, counters, drop_keys TO alpr_ingest;
GRANT SELECT ON counters, server_meta TO alpr_ingest;
GRANT EXECUTE ON FUNCTION alpr_ensure_month(BIGINT) TO alpr_ingest;
REVOKE EXECUTE ON FUNCTION alpr_ensure_month(BIGINT) FROM PUBLIC;

-- The access log's anchor: workstations enrol and read their own receipt only through
-- these functions, and never see the escrowed keys or other workstations' anchors.
REVOKE ALL ON log_anchors, workstation_logins, log_alerts FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION alpr_enrol_log(TEXT, BYTEA, BIGINT, TEXT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alpr_enrol_log(TEXT, BYTEA, BIGINT, TEXT, BIGINT) TO alpr_workstation;
GRANT EXECUTE ON FUNCTION alpr_log_alert(TEXT, BIGINT, TEXT, TEXT) TO alpr_workstation;
REVOKE EXECUTE ON FUNCTION alpr_log_receipt(TEXT), alpr_log_alerts(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alpr_log_receipt(TEXT), alpr_log_alerts(TEXT) TO alpr_workstation;

-- The people who run the server (administrator, custodian): each a personal LOGIN role in
-- alpr_server_admin, so that server_audit and PostgreSQL's own log name the person. They
-- ingest, load cameras and hotlists and purge; they never see the escrowed log keys.
GRANT alpr_ingest TO alpr_server_admin;
GRANT SELECT, INSERT, UPDATE ON hotlists, hotlist_entries TO alpr_server_admin;
GRANT SELECT, INSERT, UPDATE ON parking_facilities TO alpr_server_admin;
GRANT SELECT, INSERT, DELETE ON tombstones, reads, images TO alpr_server_admin;
GRANT SELECT, INSERT ON server_audit TO alpr_server_admin, alpr_ingest;
GRANT USAGE ON SEQUENCE server_audit_id_seq TO alpr_server_admin, alpr_ingest;

-- The receiver (a LOGIN in alpr_ingest): its rejects, counters, retry queue and camera health.
GRANT SELECT, INSERT ON receiver_rejects TO alpr_ingest, alpr_server_admin;
GRANT USAGE ON SEQUENCE receiver_rejects_id_seq TO alpr_ingest;
GRANT SELECT, INSERT, UPDATE ON receiver_counts TO alpr_ingest;
GRANT SELECT ON receiver_counts TO alpr_server_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON receiver_pending TO alpr_ingest;
GRANT SELECT, INSERT, UPDATE ON camera_health, camera_outages TO alpr_ingest;
GRANT USAGE ON SEQUENCE camera_outages_id_seq TO alpr_ingest;
GRANT SELECT ON camera_outages TO alpr_workstation;
-- Hotlist files are imported by an administrator (or a watcher running as one).
GRANT SELECT, INSERT ON hotlist_imports TO alpr_server_admin;
GRANT USAGE ON SEQUENCE hotlist_imports_id_seq TO alpr_server_admin;

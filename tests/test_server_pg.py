"""PostgreSQL specifics: idempotent init, monthly partitions, and what each role may do."""
from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from app.engine import accesslog
from app.server.postgres import init_schema

from tests.server_helpers import CAMS, PG_DSN, NO_PG, add_reads, make_city

pytestmark = pytest.mark.skipif(not PG_DSN, reason=NO_PG)


@pytest.fixture
def pg(tmp_path):
    c, cleanup = make_city("postgresql", tmp_path)
    yield c
    c.server.close()
    cleanup()


def login_role(dsn: str, group: str) -> str:
    name = f"t_{group}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE {group}")
    return make_conninfo(dsn, user=name)


def test_init_is_idempotent_and_partitions_by_month(pg):
    sid = init_schema(pg.dsn)
    assert init_schema(pg.dsn) == sid
    pg.server.put_cameras(CAMS)
    t = 1795400000
    add_reads(pg.server, [("7ABC123", t, CAMS[0].id), ("7ABC124", t - 40 * 86400, CAMS[0].id)], t)
    with psycopg.connect(pg.dsn) as conn:
        parts = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'reads'::regclass")}
        where = dict(conn.execute("SELECT plate, tableoid::regclass::text FROM reads").fetchall())
    assert {"reads_2026_11", "reads_2026_10", "reads_default"} <= parts
    assert where == {"7ABC123": "reads_2026_11", "7ABC124": "reads_2026_10"}


def test_photos_are_stored_out_of_line_uncompressed(pg):
    """A JPEG does not compress: the server keeps it as sent instead of trying on every insert."""
    with psycopg.connect(pg.dsn) as conn:
        storage = conn.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'images'::regclass "
                               "AND attname = 'data'").fetchone()
    assert storage == ("e",)


def _signed_entry(key: bytes, seq: int = 1, prev: str = "0" * 64) -> tuple:
    fields = (seq, "2026-11-23T00:00:00.000000+00:00", "pat", "City", "prosecutor", "search", "{}",
              None, None, "[]", "{}", prev)
    digest = accesslog.entry_hash(*fields)
    return (*fields, digest, accesslog.mac(key, digest))


def test_workstation_role_appends_to_the_log_only(pg):
    ws_dsn = login_role(pg.dsn, "alpr_workstation")
    key = bytes(range(32))
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO workstation_logins VALUES (%s, 'ws1')", (psycopg.conninfo.conninfo_to_dict(ws_dsn)["user"],))
    row = _signed_entry(key)
    with psycopg.connect(ws_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT alpr_enrol_log('ws1', %s, 0, %s, 0)", (key, "0" * 64)).fetchone()[0] == "enrolled"
        for _ in range(2):         # uploaded twice, stored once
            conn.execute("INSERT INTO access_log(workstation_id, seq, ts, username, agency, role, action, query, "
                         "purpose, case_number, result_ids, detail, prev_hash, hash, mac, received_at) VALUES "
                         "('ws1', %s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s, 0) ON CONFLICT DO NOTHING", row)
        for sql in ("UPDATE access_log SET username = 'x'", "DELETE FROM access_log",
                    "SELECT * FROM log_anchors", "INSERT INTO reads(id, plate, read_at, camera_id, confidence, ingested_at, seq) "
                    "VALUES (1, 'X', 1, 'c', 1, 1, 1)", "DELETE FROM reads"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        conn.execute("SELECT count(*) FROM reads")      # but it may read what it syncs
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM access_log").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM access_log")        # not even the owner


def test_ingest_role_writes_reads_but_cannot_see_the_log(pg):
    from app.server.postgres import PgServer
    pg.server.put_cameras(CAMS)
    ingest = PgServer(login_role(pg.dsn, "alpr_ingest"))
    try:
        ids = add_reads(ingest, [("7ABC123", 1795400000, CAMS[0].id)], 1795400000)
        assert len(ids) == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ingest.conn.execute("SELECT * FROM access_log")
    finally:
        ingest.conn.close()
    assert os.environ.get("ALPR_TEST_PG_DSN")

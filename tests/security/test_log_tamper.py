"""Twelve ways to tamper with the access log, each found at `audit verify` or at the next sync.

The attacker here holds the store's data key (a person with a login, or its key read from
memory): they can run any SQL on the decrypted file, and know the log's current MAC key
(it is in the store). What they cannot have is a MAC key from before they came: those were
overwritten, and the first one is in escrow on the city server.
"""
from __future__ import annotations

import shutil

import pytest

from app.engine import accesslog
from app.engine.errors import LogTampered, TamperDetected
from app.engine.search import SearchQuery
from app.engine.store import DB_NAME
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, PURPOSES
from tests.server_helpers import make_city

COLS = ("seq, ts, username, agency, role, action, query, purpose, case_number, result_ids, "
        "detail, prev_hash, hash, mac")


@pytest.fixture
def busy(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    ws.search(dep, SearchQuery(plate="7ABC123"))
    ws.read_detail(dep, 1)
    ws.place_hold(dep, "LHS-2026-004512", "evidence", "stolen vehicle case", [1, 2])
    return dep


@pytest.fixture(params=["embedded", "postgresql"])
def city(request, tmp_path):
    """Both city servers: the embedded one checks in Python, PostgreSQL in its trigger."""
    c, cleanup = make_city(request.param, tmp_path)
    yield c
    c.server.close()
    cleanup()


def _verify(ws):
    with ws.store.reading() as conn:
        return accesslog.verify(conn, ws.log_first_key(), ws.log_receipt())


def _sync(ws, people, city):
    ws.sync.configure(people.admin(), city.address, city.secret)
    for _ in ws.sync.run(people.admin()):
        pass


def _resign_head(ws):
    """What a key holder can do: point the head at the log's last entry and sign it with the
    current key (which they can read from the store)."""
    with ws.store.transaction() as conn:
        seq, digest = conn.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
        key = bytes(conn.execute("SELECT next_key FROM access_log_head").fetchone()[0])
        conn.execute("UPDATE access_log_head SET seq = ?, hash = ?, mac = ?",
                     (seq, digest, accesslog._head_mac(key, seq, digest)))


def _rechain(ws, from_seq: int):
    """Recompute every hash from ``from_seq`` and sign with the current key: all the
    attacker can do to make an edited log look whole."""
    with ws.store.transaction() as conn:
        key = bytes(conn.execute("SELECT next_key FROM access_log_head").fetchone()[0])
        prev = conn.execute("SELECT hash FROM access_log WHERE seq = ?", (from_seq - 1,)).fetchone()
        prev = prev[0] if prev else accesslog.GENESIS
        for row in conn.execute(f"SELECT {COLS} FROM access_log WHERE seq >= ? ORDER BY seq",
                                (from_seq,)).fetchall():
            digest = accesslog.entry_hash(*row[:11], prev)
            conn.execute("UPDATE access_log SET prev_hash = ?, hash = ?, mac = ? WHERE seq = ?",
                         (prev, digest, accesslog.mac(key, digest), row[0]))
            prev = digest
        seq = conn.execute("SELECT max(seq) FROM access_log").fetchone()[0]
        conn.execute("UPDATE access_log_head SET seq = ?, hash = ?, mac = ?",
                     (seq, prev, accesslog._head_mac(key, seq, prev)))


# -- found by `audit verify` ---------------------------------------------------------------------
def test_1_edited_entry(ws, busy):
    ws.store.execute("UPDATE access_log SET query = replace(query, '7ABC123', '9ZZZ999') WHERE action = 'search'")
    assert any("modified" in p for p in _verify(ws).problems)


def test_2_deleted_entry(ws, busy):
    ws.store.execute("DELETE FROM access_log WHERE action = 'view'")
    assert any("missing" in p for p in _verify(ws).problems)


def test_3_inserted_entry(ws, busy):
    ws.store.execute("UPDATE access_log SET seq = -(seq + 1) WHERE seq > 5")
    ws.store.execute("UPDATE access_log SET seq = -seq WHERE seq < 0")
    ws.store.execute(f"INSERT INTO access_log({COLS}) SELECT 6, ts, username, agency, role, action, query, "
                     "purpose, case_number, result_ids, detail, prev_hash, hash, mac FROM access_log WHERE seq = 5")
    assert not _verify(ws).ok


def test_4_reordered_entries(ws, busy):
    a, b = ws.store.query("SELECT seq FROM access_log WHERE username = 'dep1' ORDER BY seq LIMIT 2")
    ws.store.execute("UPDATE access_log SET seq = -1 WHERE seq = ?", a)
    ws.store.execute("UPDATE access_log SET seq = ? WHERE seq = ?", (a[0], b[0]))
    ws.store.execute("UPDATE access_log SET seq = ? WHERE seq = -1", b)
    assert any("does not follow" in p for p in _verify(ws).problems)


def test_5_truncated_tail_without_head_edit(ws, busy):
    ws.store.execute("DELETE FROM access_log WHERE seq = (SELECT max(seq) FROM access_log)")
    assert any("cut off" in p for p in _verify(ws).problems)


def test_6_truncated_tail_with_head_edit(ws, busy):
    ws.store.execute("DELETE FROM access_log WHERE seq > (SELECT max(seq) - 3 FROM access_log)")
    _resign_head(ws)      # the head now looks right, signed with the current key
    # The first key is still here (no sync yet): the keys no longer line up with the head.
    assert any("key does not follow" in p for p in _verify(ws).problems)


def test_7_wiped_log(ws, busy, people):
    with ws.store.transaction() as conn:
        conn.execute("DELETE FROM access_log")
        conn.execute("DELETE FROM access_log_head")
    assert any("head record is missing" in p for p in _verify(ws).problems)
    # ... and the store now refuses data: no entry can be written, so nothing is returned.
    with pytest.raises(LogTampered):
        ws.search(busy, SearchQuery(plate="7ABC123"))


def test_8_head_replay(ws, busy):
    old_head = ws.store.query_one("SELECT seq, hash, mac, next_key FROM access_log_head")
    ws.search(busy, SearchQuery(plate="8XYZ999"))
    ws.store.execute("UPDATE access_log_head SET seq = ?, hash = ?, mac = ?, next_key = ?", old_head)
    assert any("head" in p for p in _verify(ws).problems)
    with pytest.raises(LogTampered):                     # checked before the next append
        ws.search(busy, SearchQuery(plate="7ABC123"))


def test_10_rechained_with_the_current_key(ws, busy):
    target = ws.store.query_one("SELECT seq FROM access_log WHERE action = 'search'")[0]
    ws.store.execute("UPDATE access_log SET query = replace(query, '7ABC123', '9ZZZ999') WHERE seq = ?", (target,))
    _rechain(ws, target)
    report = _verify(ws)
    assert any("re-chained" in p for p in report.problems)


# -- found at the next sync, after the first key went into escrow ----------------------------
def test_9_whole_file_rollback(ws, busy, people, city, tmp_path):
    _sync(ws, people, city)
    assert ws.log_first_key() is None                    # escrowed: no longer in the store
    ws.store.checkpoint()
    backup = tmp_path / "old.db"
    shutil.copy(ws.store.path, backup)
    ws.search(busy, SearchQuery(plate="7ABC123"))        # searches the attacker wants gone
    _sync(ws, people, city)
    data_dir = ws.data_dir
    ws.close()
    shutil.copy(backup, data_dir / DB_NAME)              # the old file, as it was, WAL gone
    for extra in ("-wal", "-shm"):
        (data_dir / (DB_NAME + extra)).unlink(missing_ok=True)
    w = Workstation.open(data_dir, ws.clock, purge_on_start=False)
    try:
        admin = w.login("amanager", PASSWORD, people.code("amanager"))
        w.set_purpose(admin, *PURPOSES["calabasas"])
        with pytest.raises(TamperDetected, match="rolled back"):
            for _ in w.sync.run(admin):
                pass
        assert any(kind == "rollback" for _at, kind, _d in city.server.log_alerts(w.store.store_id))
    finally:
        w.close()


def test_10b_rechained_after_escrow_found_at_sync(ws, busy, people, city):
    _sync(ws, people, city)
    assert _verify(ws).ok
    ws.search(busy, SearchQuery(plate="4KLM456"))        # not yet uploaded
    target = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    ws.store.execute("UPDATE access_log SET query = '{}' WHERE seq = ?", (target,))
    _rechain(ws, target)
    assert _verify(ws).ok                                # locally it looks whole ...
    with pytest.raises(TamperDetected, match="not signed by this log's chain"):
        _sync(ws, people, city)                          # ... but the escrowed chain says no
    assert any(k == "bad_mac" for _a, k, _d in city.server.log_alerts(ws.store.store_id))


def test_6b_truncated_and_resigned_after_escrow_found_at_sync(ws, busy, people, city):
    _sync(ws, people, city)
    uploaded = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    ws.search(busy, SearchQuery(plate="4KLM456"))
    ws.search(busy, SearchQuery(plate="8XYZ999"))
    ws.store.execute("DELETE FROM access_log WHERE seq > ?", (uploaded + 1,))
    _resign_head(ws)
    assert _verify(ws).ok                                # the cut is invisible locally
    with pytest.raises(TamperDetected):
        _sync(ws, people, city)                          # the next entry is signed with a later key


def test_11_duplicate_seq_upload_after_wipe(ws, busy, people, city):
    _sync(ws, people, city)
    with ws.store.transaction() as conn:                 # wipe, and start a fresh-looking log
        conn.execute("DELETE FROM access_log")
        accesslog.start_chain(conn)
        accesslog.append(conn, ws.clock(), accesslog.SYSTEM, "store_create")
    with pytest.raises(TamperDetected):
        _sync(ws, people, city)
    kinds = {k for _a, k, _d in city.server.log_alerts(ws.store.store_id)}
    assert kinds & {"rollback", "rewrite"}
    # The server still holds the original entry 1, never replaced by the new one.
    assert city.server.uploaded_log(ws.store.store_id)[0][5] == "store_create"
    assert len(city.server.uploaded_log(ws.store.store_id)) > 1


def test_12_another_workstations_seq(ws, busy, people, city, clock, tmp_path):
    _sync(ws, people, city)
    victim = ws.store.store_id
    before = city.server.uploaded_log(victim)
    # Another workstation (or a forger with its own key) sends entries under this one's id.
    other = Workstation.create(tmp_path / "other", "calabasas", clock)
    with other.store.reading() as conn:
        rows = conn.execute(f"SELECT {COLS} FROM access_log ORDER BY seq").fetchall()
    other.close()
    forged = [(len(before) + 1, *rows[0][1:11], before[-1][12], *rows[0][12:])]
    receipt = city.server.upload_log(victim, forged, int(clock()))
    assert receipt == (before[-1][0], before[-1][12])     # refused: the receipt did not move
    assert city.server.uploaded_log(victim) == before
    assert any(k == "bad_mac" for _a, k, _d in city.server.log_alerts(victim))


def test_broken_head_is_reported_at_the_next_sync(ws, busy, people, city):
    _sync(ws, people, city)
    admin = people.admin()
    ws.store.execute("UPDATE access_log_head SET mac = ?", ("0" * 64,))
    with pytest.raises(TamperDetected, match="head record was modified"):
        for _ in ws.sync.run(admin):
            pass
    assert any(k == "head" for _a, k, _d in city.server.log_alerts(ws.store.store_id))


def test_the_auditor_sees_the_servers_alerts(ws, busy, people, city):
    _sync(ws, people, city)
    ws.search(busy, SearchQuery(plate="4KLM456"))
    target = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    ws.store.execute("UPDATE access_log SET query = '{}' WHERE seq = ?", (target,))
    _rechain(ws, target)
    with pytest.raises(TamperDetected):
        _sync(ws, people, city)
    auditor = people.user("aud1", "auditor")
    kinds = [kind for _at, kind, _detail in ws.sync.alerts(auditor)]
    assert kinds == ["bad_mac", "refused"]     # the server's finding, then the workstation's report


def test_12b_postgres_binds_the_workstation_to_its_login(tmp_path):
    """On PostgreSQL a login speaks for one workstation: entries under another's id are refused."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    c, cleanup = make_city("postgresql", tmp_path)
    try:
        name = "t_ws_" + tmp_path.name[-6:].replace("-", "_").lower()
        with psycopg.connect(c.dsn, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE alpr_workstation")
            conn.execute("INSERT INTO workstation_logins VALUES (%s, 'ws-a')", (name,))
        key = bytes(32)
        fields = (1, "2026-11-23T00:00:00.000000+00:00", "pat", "City", "prosecutor", "search", "{}",
                  None, None, "[]", "{}", accesslog.GENESIS)
        digest = accesslog.entry_hash(*fields)
        row = (*fields, digest, accesslog.mac(key, digest))
        from app.server.postgres import PgServer
        srv = PgServer(make_conninfo(c.dsn, user=name))
        try:
            assert srv.enrol_log("ws-b", key, 0, accesslog.GENESIS, 0) == "foreign"
            assert srv.enrol_log("ws-a", key, 0, accesslog.GENESIS, 0) == "enrolled"
            assert srv.upload_log("ws-b", [row], 0) is None           # not its workstation
            assert srv.upload_log("ws-a", [row], 0) == (1, digest)
        finally:
            srv.close()
        assert conninfo_to_dict(c.dsn)["user"] != name
        assert any(k == "foreign_login" for _a, k, _d in c.server.log_alerts("ws-b"))
    finally:
        c.server.close()
        cleanup()

"""The access log: what is logged, tampering of every kind is found, fail closed, crash-safe."""
from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.engine import accesslog
from app.engine.errors import AuditLogError
from app.engine.search import SearchQuery
from app.engine.workstation import AuditFilter

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def busy(ws, people, seeded, tmp_path):
    """A log with searches, views, holds, purges, logins and administrative changes."""
    dep = people.user("dep1", "deputy")
    ws.search(dep, SearchQuery(plate="7ABC123"))
    ws.read_detail(dep, 1)
    ws.place_hold(dep, "LHS-2026-004512", "evidence", "stolen vehicle case", [1, 2])
    with pytest.raises(Exception):
        ws.login("dep1", "wrong password")
    ws.purge(people.admin())
    ws.logout(dep)
    return dep


def _verify(ws):
    with ws.store.reading() as conn:
        return accesslog.verify(conn, ws.store.log_key())


def test_entries_carry_who_when_what_why_and_results(ws, people, busy):
    rows = ws.store.query("SELECT ts, username, agency, action, query, purpose, case_number, result_ids "
                          "FROM access_log WHERE username = 'dep1'")
    by_action = {r[3]: r for r in rows}
    assert {"login", "purpose_set", "search", "view", "hold_place", "login_failed", "logout"} <= set(by_action)
    search = by_action["search"]
    assert search[0].endswith("+00:00") and search[2] == "Los Angeles County Sheriff's Department"
    assert json.loads(search[4])["plate"] == "7ABC123" and json.loads(search[4])["mode"] == "exact"
    assert (search[5], search[6]) == ("FELONY-INV", "LHS-2026-004512")
    assert sorted(json.loads(search[7])) == [1, 2]
    assert json.loads(by_action["view"][7]) == [1]
    assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'purge' AND username = 'amanager'")
    assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'user_add'")
    assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'training_add'")
    assert _verify(ws).ok


def test_modified_entry_found(ws, busy):
    ws.store.execute("UPDATE access_log SET query = replace(query, '7ABC123', '9ZZZ999') WHERE action = 'search'")
    report = _verify(ws)
    assert not report.ok and any("modified" in p for p in report.problems)


def test_deleted_entry_found(ws, busy):
    ws.store.execute("DELETE FROM access_log WHERE action = 'view'")
    report = _verify(ws)
    assert not report.ok and any("missing" in p for p in report.problems)


def test_deleted_tail_found(ws, busy):
    last = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    ws.store.execute("DELETE FROM access_log WHERE seq >= ?", (last - 1,))
    # An attacker without the keyring's log key can move the head but not sign it.
    prev = ws.store.query_one("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
    ws.store.execute("UPDATE access_log_head SET seq = ?, hash = ?", prev)
    report = _verify(ws)
    assert not report.ok and any("head" in p for p in report.problems)


def test_truncated_tail_without_touching_head_found(ws, busy):
    ws.store.execute("DELETE FROM access_log WHERE seq = (SELECT max(seq) FROM access_log)")
    assert any("cut off" in p for p in _verify(ws).problems)


def test_inserted_entry_found(ws, busy):
    cols = "ts, username, agency, role, action, query, purpose, case_number, result_ids, detail, prev_hash, hash"
    ws.store.execute("UPDATE access_log SET seq = -(seq + 1) WHERE seq > 5")  # make room, as an inserter must
    ws.store.execute("UPDATE access_log SET seq = -seq WHERE seq < 0")
    ws.store.execute(f"INSERT INTO access_log(seq, {cols}) SELECT 6, {cols} FROM access_log WHERE seq = 5")
    report = _verify(ws)
    assert not report.ok and any("entry 6" in p or "entry 7" in p for p in report.problems)


def test_forged_entry_appended_at_the_end_found(ws, busy):
    ws.store.execute(
        "INSERT INTO access_log(seq, ts, username, agency, role, action, query, purpose, case_number, "
        "result_ids, detail, prev_hash, hash) SELECT seq + 1, ts, 'ghost', agency, role, 'login', '{}', "
        "NULL, NULL, '[]', '{}', hash, hash FROM access_log ORDER BY seq DESC LIMIT 1")
    report = _verify(ws)
    assert not report.ok and any("modified" in p for p in report.problems)


def test_reordered_entries_found(ws, busy):
    a, b = ws.store.query("SELECT seq FROM access_log WHERE username = 'dep1' ORDER BY seq LIMIT 2")
    ws.store.execute("UPDATE access_log SET seq = -1 WHERE seq = ?", a)
    ws.store.execute("UPDATE access_log SET seq = ? WHERE seq = ?", (a[0], b[0]))
    ws.store.execute("UPDATE access_log SET seq = ? WHERE seq = -1", b)
    report = _verify(ws)
    assert not report.ok and any("does not follow" in p for p in report.problems)


def test_verify_and_export_through_the_facade(ws, people, busy, tmp_path):
    aud = people.user("aud1", "auditor")
    assert ws.audit_verify(aud).ok
    out = tmp_path / "log.csv"
    n = ws.audit_export(aud, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == n and rows[0]["seq"] == "1" and {"hash", "prev_hash", "purpose"} <= set(rows[0])
    only = ws.audit_entries(aud, AuditFilter(username="dep1", action="search"))
    assert [e.action for e in only] == ["search"]
    by_plate = ws.audit_entries(aud, AuditFilter(plate="7abc123"))
    assert by_plate and all("7ABC123" in json.dumps(e.query) for e in by_plate)


def test_fail_closed_when_the_log_cannot_be_written(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    ws.store.execute("CREATE TRIGGER no_log BEFORE INSERT ON access_log BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(AuditLogError, match="nothing was returned"):
        ws.search(dep, SearchQuery(plate="7ABC123"))
    with pytest.raises(AuditLogError):
        ws.read_detail(dep, 1)
    with pytest.raises(AuditLogError):
        ws.place_hold(dep, "LHS-2026-004512", "evidence", "x", [1])
    assert not ws.store.query("SELECT 1 FROM holds")          # the hold rolled back with it


CRASH_RUNNER = r"""
import sys, time
sys.path.insert(0, sys.argv[2])
from app.engine.workstation import Workstation
from app.engine.search import SearchQuery
ws = Workstation.open(sys.argv[1], purge_on_start=False)
s = ws.login("dep1", sys.argv[3])
ws.set_purpose(s, "FELONY-INV", "LHS-2026-004512")
print("ready", flush=True)
while True:
    ws.search(s, SearchQuery(plate="7ABC123"))
    seq = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    print(seq, flush=True)
"""


@pytest.mark.slow
def test_kill_9_mid_search_loses_no_committed_entry(ws, people, seeded, tmp_path):
    from tests.conftest import PASSWORD
    ws.add_user(people.admin(), "dep1", "Dee Puty", "prosecutor", PASSWORD)
    people.train("dep1")
    ws.close()
    runner = tmp_path / "runner.py"
    runner.write_text(CRASH_RUNNER)
    rnd = random.Random(4)
    confirmed = 0
    for _ in range(6):
        p = subprocess.Popen([sys.executable, str(runner), str(ws.store.data_dir), str(ROOT), PASSWORD],
                             stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.05, 0.4))
        os.kill(p.pid, signal.SIGKILL)
        out = p.stdout.read().split()
        p.wait()
        if out:
            confirmed = max(confirmed, int(out[-1]))
    from app.engine.workstation import Workstation
    w = Workstation.open(ws.store.data_dir, purge_on_start=False)
    try:
        with w.store.reading() as conn:
            report = accesslog.verify(conn, w.store.log_key())
        assert report.ok, report.problems
        assert w.store.query_one("SELECT max(seq) FROM access_log")[0] >= confirmed > 0
    finally:
        w.close()

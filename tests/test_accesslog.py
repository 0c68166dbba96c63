"""The access log: what is logged, fail closed, crash-safe (tampering: tests/security/)."""
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
        return accesslog.verify(conn, ws.log_first_key(), ws.log_receipt())


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


def test_verify_and_export_through_the_facade(ws, people, busy, tmp_path):
    aud = people.user("aud1", "auditor")
    assert ws.audit_verify(aud).ok
    out = tmp_path / "log.csv"
    n = ws.audit_export(aud, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == n and rows[0]["seq"] == "1" and {"hash", "prev_hash", "purpose"} <= set(rows[0])
    only = ws.audit_entries(aud, AuditFilter(username="dep1", action="search"))
    assert [e.action for e in only] == ["search"]
    by_plate = ws.audit_entries(aud, AuditFilter(plate="7abc123"))    # typed it, or saw reads 1, 2
    assert {e.action for e in by_plate} == {"search", "view", "hold_place"}


def test_who_looked_at_a_plate_finds_every_entry_about_its_reads_in_words(ws, people, seeded, clock, tmp_path):
    """Reads 1 and 2 are 7ABC123 and read 4 (7A8C123) is corrected to it: every entry whose
    results or subject include one of them is found, whatever was typed, and reads as a sentence;
    what the screen showed is what the export holds."""
    from app.engine.evidence import ExportRequest, run
    from app.engine.hits import HitFilter
    from tests.evidence_data import add_hit_and_correction, add_reads_with_images
    now = int(clock())
    dep = people.user("dep1", "deputy")
    ws.search(dep, SearchQuery(plate="ABC1", mode="partial"))                     # 1, 2 and 6
    ws.search(dep, SearchQuery(plate="7?BC*", mode="wildcard"))
    ws.search(dep, SearchQuery(plate="7A8C123", mode="similar"))                  # 4, 1, 2
    ws.search(dep, SearchQuery(cameras=("CAM-LV-N",), start=now - 4 * 3600, end=now))  # 5, 1
    ws.search(dep, SearchQuery(plate="8XYZ999"))                                  # not about it
    ws.search(dep, SearchQuery(plate="7ABC123"))                                  # typed, found 1, 2
    ws.read_detail(dep, 3)                                                        # not about it
    ws.read_detail(dep, 4)                                                        # 7A8C123, then
    ws.correct_read(dep, 4, "7ABC123", "Plate photo shows A, B")                  # corrected to it
    ws.place_hold(dep, "LHS-2026-004512", "evidence", "stolen vehicle case", [2])
    add_hit_and_correction(ws, 1, "7ABC123", now)                                 # a hit on read 1
    [hit] = ws.hits.queue(dep, HitFilter(open_only=False))
    ws.hits.dispose(dep, hit.id, "misread", "Plate reads 7A8C123 on the photo")
    ws.hits.add_entry(dep, "svs", "7ABC123", "Stolen, VC 10851")                 # names the plate
    exported = add_reads_with_images(ws, 2, 800, now)                            # 1ABC000, 2ABC001
    (tmp_path / "usb").mkdir()
    run(ws.evidence.export(dep, ExportRequest(exported, tmp_path / "usb", "Two sightings")))
    ws.logout(dep)

    aud = people.user("aud1", "auditor")
    res = ws.audit_search(aud, AuditFilter(plate="7abc-123"))
    found = [(e.action, e.query.get("plate") or e.query.get("new_plate")) for e in res.entries]
    assert res.plate.read_ids == {1, 2, 4}
    assert found == [("search", "ABC1"), ("search", "7?BC*"), ("search", "7A8C123"), ("search", None),
                     ("search", "7ABC123"), ("view", None), ("correct", "7ABC123"),
                     ("hold_place", None), ("hotlist_view", None), ("hit_disposition", None),
                     ("hotlist_edit", "7ABC123")]
    text = [res.sentence(e) for e in res.entries]
    assert text[0] == ("dep1 (deputy) searched for plates containing ABC1, for purpose FELONY-INV, "
                       "case LHS-2026-004512, and was shown 3 reads (#6, #2, #1; #2 and #1 of plate 7ABC123).")
    assert text[3].startswith("dep1 (deputy) searched for every plate at camera CAM-LV-N from ")
    assert text[3].endswith("and was shown 2 reads (#5, #1; #1 of plate 7ABC123).")
    assert text[5] == ("dep1 (deputy) opened read #4 (of plate 7ABC123), for purpose FELONY-INV, "
                       "case LHS-2026-004512.")
    assert "corrected the plate of read #4 (of plate 7ABC123) from 7A8C123 to 7ABC123" in text[6]
    assert "placed evidence hold #1 for case LHS-2026-004512 on read #2 (of plate 7ABC123)" in text[7]
    assert "recorded hit #1 on read #1, plate 7ABC123, as misread" in text[9]
    assert "put plate 7ABC123 on hot list svs" in text[10]
    assert not any("{" in t or "}" in t for t in text)                          # words, not JSON
    # the export of one of the packaged reads is found by that read's plate
    pkg = [e.action for e in ws.audit_entries(aud, AuditFilter(plate="1ABC000"))]
    assert pkg == ["export_started", "hold_place", "export"]
    # the export holds what the screen showed, though the log has grown since
    ws.audit_verify(aud)
    out = tmp_path / "about-7ABC123.csv"
    assert ws.audit_export(aud, out, AuditFilter(plate="7ABC123", through_seq=res.through_seq)) == len(res.entries)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [int(r["seq"]) for r in rows] == [e.seq for e in res.entries]
    assert [r["description"] for r in rows] == text


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
        p = subprocess.Popen([sys.executable, str(runner), str(ws.data_dir), str(ROOT), PASSWORD],
                             stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.05, 0.4))
        os.kill(p.pid, signal.SIGKILL)
        out = p.stdout.read().split()
        p.wait()
        if out:
            confirmed = max(confirmed, int(out[-1]))
    from app.engine.workstation import Workstation
    w = Workstation.open(ws.data_dir, purge_on_start=False)
    try:
        w.login("dep1", PASSWORD)
        with w.store.reading() as conn:
            report = accesslog.verify(conn, w.log_first_key(), w.log_receipt())
        assert report.ok, report.problems
        assert w.store.query_one("SELECT max(seq) FROM access_log")[0] >= confirmed > 0
    finally:
        w.close()

"""Retention: purge what is past the profile's period, keep what a hold protects."""
from __future__ import annotations

import json

import pytest

from app.engine.errors import PermissionDenied, ValidationError
from app.engine.workstation import Workstation
from tests.conftest import insert_reads

DAY = 86400


def _old_and_new(ws, clock, days):
    now = int(clock())
    insert_reads(ws, [(1, "1OLD111", now - (days + 2) * DAY, "CAM-LV-N", 0.9),
                      (2, "2OLD222", now - (days + 1) * DAY, "CAM-LV-S", 0.9),
                      (3, "3NEW333", now - (days - 1) * DAY, "CAM-CC-E", 0.9)])
    with ws.store.transaction() as c:
        for rid in (1, 2, 3):
            sha = f"{rid:064x}"
            c.execute("INSERT INTO images(sha256, kind, mime, size, data) VALUES (unhex(?), 'plate', 'image/png', 3, x'010203')", (sha,))
            c.execute("UPDATE reads SET plate_image_sha256 = unhex(?) WHERE id = ?", (sha, rid))
        c.execute("INSERT INTO hotlists(id, name, source, kind) VALUES ('svs', 'Stolen', 'CA DOJ SVS', 'stolen')")
        c.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, added_at) VALUES (1, 'svs', '1OLD111', 'x', 0)")
        c.execute("INSERT INTO hits(read_id, entry_id, created_at) VALUES (1, 1, 0)")


@pytest.mark.parametrize("profile, days", [("calabasas", 730), ("coachella", 30), ("lametro-parking", 365)])
def test_purge_by_profile_retention(make_ws, clock, profile, days):
    ws = make_ws(profile)
    from tests.conftest import People
    people = People(ws, clock)
    _old_and_new(ws, clock, days)
    report = ws.purge(people.admin())
    assert (report.reads, report.images, report.hits, report.kept_by_hold) == (2, 2, 1, 0)
    assert [r[0] for r in ws.store.query("SELECT id FROM reads")] == [3]
    entry = ws.store.query("SELECT detail FROM access_log WHERE action = 'purge' ORDER BY seq DESC LIMIT 1")[0][0]
    assert json.loads(entry)["reads"] == 2 and json.loads(entry)["retention_days"] == days


def test_held_reads_survive_purge_until_the_custodian_releases(ws, people, clock):
    _old_and_new(ws, clock, 730)
    dep = people.user("dep1", "deputy")
    hold = ws.place_hold(dep, "LHS-2026-004512", "litigation", "civil suit pending", [1])
    report = ws.purge(people.admin())
    assert (report.reads, report.kept_by_hold) == (1, 1)
    assert {r[0] for r in ws.store.query("SELECT id FROM reads")} == {1, 3}
    assert ws.store.query("SELECT 1 FROM images WHERE sha256 = unhex(?)", (f"{1:064x}",))
    with pytest.raises(PermissionDenied):
        ws.release_hold(people.admin(), hold, "done")           # calabasas: custodian only
    cust = people.user("cust1", "custodian")
    with pytest.raises(ValidationError, match="reason"):
        ws.release_hold(cust, hold, " ")
    ws.release_hold(cust, hold, "litigation settled")
    with pytest.raises(ValidationError, match="already released"):
        ws.release_hold(cust, hold, "again")
    holds = ws.list_holds(cust)
    assert holds[0].released_by == "cust1" and not holds[0].active
    assert ws.purge(people.admin()).reads == 1
    assert [r[0] for r in ws.store.query("SELECT id FROM reads")] == [3]


def test_hold_needs_case_kind_reason_and_known_reads(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    with pytest.raises(ValidationError):
        ws.place_hold(dep, "LHS-2026-004512", "whim", "x", [1])
    with pytest.raises(Exception, match="format"):
        ws.place_hold(dep, "bad", "evidence", "x", [1])
    with pytest.raises(Exception, match="not held locally"):
        ws.place_hold(dep, "LHS-2026-004512", "evidence", "x", [1, 999])


def test_purge_runs_at_the_first_login_with_secure_delete(tmp_path, clock):
    from tests.conftest import PASSWORD, People
    ws = Workstation.create(tmp_path / "s", "coachella", clock)
    people = People(ws, clock)
    people.admin()
    _old_and_new(ws, clock, 30)
    assert ws.store.query_one("PRAGMA secure_delete")[0] == 1
    ws.close()
    ws = Workstation.open(tmp_path / "s", clock)
    try:
        ws.login("amanager", PASSWORD, people.code("amanager"))
        assert [r[0] for r in ws.store.query("SELECT id FROM reads")] == [3]
        assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'purge' AND username = 'system'")
    finally:
        ws.close()

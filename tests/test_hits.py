"""The hits queue, dispositions, hotlist entries and re-evaluation after a plate correction."""
from __future__ import annotations

import pytest

from app.engine import hits
from app.engine.errors import NotFound, PermissionDenied, TrainingRequired, ValidationError
from app.engine.hits import HitFilter

from tests.conftest import insert_reads


@pytest.fixture
def lists(ws, seeded, clock):
    """Two hotlists; an SVS entry on 7ABC123 (2 reads) and a code-enforcement entry on 4KLM456."""
    now = int(clock())
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO hotlists(id, name, source, kind) VALUES (?,?,?,?)",
                         [("svs", "Stolen vehicles", "CA DOJ SVS", "stolen"),
                          ("ce", "Code enforcement", "City of Calabasas", "code_enforcement")])
        conn.executemany("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                         "VALUES (?,?,?,?,?,?)", [(1, "svs", "7ABC123", "Stolen vehicle", 1, now),
                                                  (2, "ce", "4KLM456", "Unpaid citations", 4, now)])
        hits.match_entries(conn, [1, 2], now)
    return now


def test_queue_orders_open_first_then_priority_and_is_logged(ws, people, lists):
    deputy = people.user("dana.kim", "deputy")
    q = ws.hits.queue(deputy)
    assert [(h.plate, h.source, h.priority) for h in q] == [("7ABC123", "CA DOJ SVS", 1)] * 2 + \
        [("4KLM456", "City of Calabasas", 4)]
    ws.hits.dispose(deputy, q[0].id, "confirmed")
    q2 = ws.hits.queue(deputy)
    assert q2[-1].id == q[0].id and q2[-1].disposition == "confirmed"       # disposed go last
    assert [h.plate for h in ws.hits.queue(deputy, HitFilter(open_only=True, hotlist_id="ce"))] == ["4KLM456"]
    views = [e for e in ws.audit_entries(people.admin()) if e.action == "hotlist_view"]
    assert views[0].username == "dana.kim" and sorted(views[0].result_ids) == [1, 2, 5]


def test_dispose_rules_and_log(ws, people, lists):
    deputy = people.user("dana.kim", "deputy")
    hit = ws.hits.queue(deputy)[0]
    with pytest.raises(ValidationError, match="note"):
        ws.hits.dispose(deputy, hit.id, "misread")
    with pytest.raises(ValidationError):
        ws.hits.dispose(deputy, hit.id, "arrested")
    with pytest.raises(NotFound):
        ws.hits.dispose(deputy, 999, "confirmed")
    done = ws.hits.dispose(deputy, hit.id, "misread", "crop shows 7A8C123")
    assert (done.disposition, done.disposed_by) == ("misread", "dana.kim")
    entry = [e for e in ws.audit_entries(people.admin()) if e.action == "hit_disposition"][-1]
    assert entry.detail["disposition"] == "misread" and entry.result_ids == [hit.read_id]
    auditor = people.user("avery.shah", "auditor")
    with pytest.raises(PermissionDenied):
        ws.hits.dispose(auditor, hit.id, "confirmed")
    with pytest.raises(TrainingRequired):
        ws.hits.queue(people.user("pat.nolan", "prosecutor", trained=False))


def test_add_entry_hits_held_reads_and_expire(ws, people, lists, clock):
    pros = people.user("pat.rivera", "prosecutor")
    entry_id, new = ws.hits.add_entry(pros, "svs", "8xyz-999", "Stolen plates (PC 496d)", 1)
    assert entry_id < 0 and new == 1
    assert any(h.plate == "8XYZ999" and h.entry_id == entry_id for h in ws.hits.queue(pros))
    rows = ws.hits.entries(pros, "svs")
    assert {(r.plate, r.local, r.active) for r in rows} == {("7ABC123", False, True), ("8XYZ999", True, True)}
    ws.hits.expire_entry(pros, entry_id)
    assert {r.plate for r in ws.hits.entries(pros, "svs")} == {"7ABC123"}
    with pytest.raises(ValidationError):
        ws.hits.expire_entry(pros, entry_id)
    insert_reads(ws, [(50, "8XYZ999", int(clock()), "CAM-LV-N", 0.9)])
    with ws.store.transaction() as conn:
        assert hits.match_reads(conn, [50], clock()) == 0           # expired: no new hit
    with pytest.raises(ValidationError):
        ws.hits.add_entry(pros, "svs", "7ABC123", "", 1)
    with pytest.raises(NotFound):
        ws.hits.add_entry(pros, "nope", "7ABC123", "x", 1)
    with pytest.raises(PermissionDenied):
        ws.hits.add_entry(people.user("casey.lee", "custodian"), "svs", "1AAA111", "x")
    edits = [e for e in ws.audit_entries(people.admin()) if e.action == "hotlist_edit"]
    assert [e.detail["op"] for e in edits] == ["add", "expire"]


def test_reevaluate_after_correction(ws, lists, clock):
    with ws.store.transaction() as conn:       # read 4 (7A8C123) corrected to 7ABC123, read 5 away from 4KLM456
        conn.execute("UPDATE reads SET plate = '7ABC123' WHERE id = 4")
        conn.execute("UPDATE reads SET plate = '4KLM465' WHERE id = 5")
        added, removed = hits.reevaluate_reads(conn, [4, 5], clock())
    assert (added, removed) == (1, 1)
    pairs = set(ws.store.query("SELECT read_id, entry_id FROM hits"))
    assert pairs == {(1, 1), (2, 1), (4, 1)}


def test_alert_counts_new_hits_cheaply(ws, people, lists, clock):
    deputy = people.user("dana.kim", "deputy")
    a = ws.hits.alert(deputy)
    assert (a.open_hits, a.new_since, a.top_priority) == (3, 3, 1)
    insert_reads(ws, [(60, "4KLM456", int(clock()), "CAM-LV-N", 0.9)])
    with ws.store.transaction() as conn:
        hits.match_reads(conn, [60], clock())
    b = ws.hits.alert(deputy, a.newest_id)
    assert (b.new_since, b.top_priority) == (1, 4)
    assert ws.hits.alert(people.user("avery.shah", "auditor")).open_hits == 0

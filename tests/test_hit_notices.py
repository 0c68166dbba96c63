"""Hit notifications (who is told about which new hit, the per-user mute, logged as a view) and
dispositions from the policy profile (unknown ones refused, note rules enforced)."""
from __future__ import annotations

import pytest

from app.engine import hits
from app.engine.errors import ValidationError

from tests.conftest import insert_reads


def hotlists(ws, now):
    """A priority-1 stolen list and a priority-4 code-enforcement list, one entry each."""
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO hotlists(id, name, source, kind, priority) VALUES (?,?,?,?,?)",
                         [("svs", "Stolen vehicles", "CA DOJ SVS", "stolen", 1),
                          ("ce", "Code enforcement", "City of Calabasas", "code_enforcement", 4)])
        conn.executemany("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                         "VALUES (?,?,?,?,?,?)", [(1, "svs", "7ABC123", "Stolen vehicle", 2, now),
                                                  (2, "ce", "4KLM456", "Unpaid citations", 4, now)])


def arrive(ws, reads, now):
    """Reads arriving as a sync applies them: stored, then matched in one transaction."""
    insert_reads(ws, reads)
    with ws.store.transaction() as conn:
        hits.match_reads(conn, [r[0] for r in reads], now)


def test_a_new_high_priority_hit_is_notified_and_a_muted_one_is_not(ws, people, clock):
    now = int(clock())
    hotlists(ws, now)
    s = people.user("dana.kim", "deputy")
    first = ws.alerts.hit_notices(s, None)          # the first poll only sets the mark
    assert first.notices == [] and first.mark == 0
    arrive(ws, [(1, "7ABC123", now - 60, "CAM-LV-N", 0.97), (2, "4KLM456", now - 50, "CAM-CC-E", 0.9)], now)
    batch = ws.alerts.hit_notices(s, first.mark)
    assert [(n.plate, n.hotlist, n.priority) for n in batch.notices] == [
        ("7ABC123", "Stolen vehicles", 1), ("4KLM456", "Code enforcement", 4)]
    view = [e for e in ws.audit_entries(people.admin()) if e.action == "hotlist_view"][-1]
    assert view.query["view"] == "notification" and sorted(view.result_ids) == [1, 2]
    assert ws.alerts.hit_notices(s, batch.mark).notices == []      # nothing new: nothing shown

    assert not ws.alerts.only_highest(s)
    ws.alerts.set_only_highest(s, True)             # mute all but priority 1
    assert ws.alerts.only_highest(s)
    arrive(ws, [(3, "4KLM456", now - 10, "CAM-LV-N", 0.9)], now)
    muted = ws.alerts.hit_notices(s, batch.mark)
    assert muted.notices == [] and muted.muted == 1 and muted.mark == 3
    arrive(ws, [(4, "7ABC123", now - 5, "CAM-LV-S", 0.9)], now)
    heard = ws.alerts.hit_notices(s, muted.mark)
    assert [n.plate for n in heard.notices] == ["7ABC123"] and heard.muted == 0
    other = people.user("lee.park", "deputy")      # the setting is the person's own
    assert not ws.alerts.only_highest(other)


def test_a_role_without_hotlists_gets_no_notices(ws, people, clock):
    hotlists(ws, int(clock()))
    auditor = people.user("avery.audit", "auditor", purpose=False)
    assert ws.alerts.hit_notices(auditor, 0).notices == []


def test_dispositions_come_from_the_profile_with_their_note_rules(ws, people, clock):
    now = int(clock())
    hotlists(ws, now)
    arrive(ws, [(1, "7ABC123", now - 60, "CAM-LV-N", 0.97), (2, "7ABC123", now - 30, "CAM-CC-E", 0.9)], now)
    s = people.user("dana.kim", "deputy")
    first, second = ws.hits.queue(s)[:2]
    with pytest.raises(ValidationError, match="'towed' is not a disposition.*arrest"):
        ws.hits.dispose(s, first.id, "towed", "towed to the yard")
    with pytest.raises(ValidationError, match="'Arrest made' needs a note"):
        ws.hits.dispose(s, first.id, "arrest", "  ")
    done = ws.hits.dispose(s, first.id, "arrest", "booked at Lost Hills, #LH-2231")
    assert done.disposition == "arrest"
    assert ws.hits.dispose(s, second.id, "confirmed").disposition == "confirmed"   # note optional
    assert [d.code for d in ws.profile.dispositions][:3] == ["confirmed", "recovered", "arrest"]


def test_the_upgrade_keeps_dispositions_recorded_before_the_profile_named_them(tmp_path, clock, monkeypatch):
    """A store of schema 0010 with hits disposed of under the old fixed list opens under 0011:
    every old code is kept (each is a code of every shipped profile), hotlists get priority 3,
    and the profile's new codes can be recorded."""
    from app.engine import store as store_mod
    from app.engine.policy import available_profiles, load_profile
    from app.engine.workstation import Workstation
    from tests.conftest import PASSWORD, People
    every = store_mod._migrations()
    monkeypatch.setattr(store_mod, "_migrations", lambda: [m for m in every if m[0] <= 10])
    old = Workstation.create(tmp_path / "old", "calabasas", clock)
    old.create_first_admin("amanager", "Alex Manager", PASSWORD)
    now = int(clock())
    insert_reads(old, [(i, "7ABC123", now - 60 * i, "CAM-LV-N", 0.9) for i in range(1, 6)])
    with old.store.transaction() as conn:
        conn.execute("INSERT INTO hotlists(id, name, source, kind) VALUES ('svs', 'Stolen', 'DOJ', 'stolen')")
        conn.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                     "VALUES (1, 'svs', '7ABC123', 'Stolen', 1, ?)", (now,))
        hits.match_entries(conn, [1], now)
        for hit_id, code in zip((1, 2, 3, 4), ("confirmed", "misread", "not_actioned", "wrong_state")):
            conn.execute("UPDATE hits SET disposition = ?, disposition_note = 'n' WHERE id = ?", (code, hit_id))
    old.close()
    monkeypatch.setattr(store_mod, "_migrations", lambda: every)
    ws = Workstation.open(tmp_path / "old", clock)
    People(ws, clock).login("amanager")
    assert ws.store.query("SELECT disposition FROM hits ORDER BY id") == [
        ("confirmed",), ("misread",), ("not_actioned",), ("wrong_state",), (None,)]
    assert ws.store.query("SELECT priority FROM hotlists") == [(3,)]
    ws.store.execute("UPDATE hits SET disposition = 'recovered' WHERE id = 5")
    for name in available_profiles():
        codes = {d.code for d in load_profile(name).dispositions}
        assert {"confirmed", "misread", "not_actioned", "wrong_state"} <= codes, name
    ws.close()

"""Standing alerts: set under a purpose and case, fired by the next sync from a real city server
(embedded and PostgreSQL), ended at expiry, on cancel and when the case closes; each step logged."""
from __future__ import annotations

import pytest

from app.engine.audit import describe
from app.engine.errors import PermissionDenied, PurposeRequired, ValidationError

from tests.server_helpers import CAMS, add_reads, city, seed_city  # noqa: F401


def run(ws, session):
    return list(ws.sync.run(session))


def again(ws, people):
    """The deputy signs in again after the clock moved past the idle lock."""
    s = people.login("dana.kim")
    ws.set_purpose(s, "FELONY-INV", "LHS-2026-004512")
    return s


def entries(ws, people, action):
    return [e for e in ws.audit_entries(people.admin()) if e.action == action]


@pytest.fixture
def deputy(ws, people, city, clock):
    """A synced store (cameras, the SVS list, 30 reads) and a deputy working case LHS-2026-004512."""
    seed_city(city.server, int(clock()))
    ws.sync.configure(people.admin(), city.address, city.secret)
    s = people.user("dana.kim", "deputy")
    run(ws, s)
    return s


def test_alert_fires_on_the_next_sync_and_stops_at_its_expiry(ws, city, deputy, people, clock):
    alert = ws.alerts.set(deputy, "8abc0?1", 3, note="suspect's car")
    assert (alert.pattern, alert.case_number, alert.purpose) == ("8ABC0?1", "LHS-2026-004512", "FELONY-INV")
    assert alert.expires_at == int(clock()) + 3 * 86400
    [set_entry] = entries(ws, people, "alert_set")
    assert set_entry.case_number == "LHS-2026-004512" and set_entry.query["pattern"] == "8ABC0?1"
    assert ws.alerts.queue(deputy) == []            # reads from before the alert are not "again"

    clock.advance(3600)
    now = int(clock())
    new = add_reads(city.server, [("8ABC011", now - 60, CAMS[0].id), ("8ABC099", now - 50, CAMS[1].id),
                                  ("8ABC021", now - 40, CAMS[1].id)], now, seed=5)
    run(ws, None)                                   # the unattended sync
    deputy = again(ws, people)
    found = ws.alerts.queue(deputy)
    assert sorted(m.read.plate for m in found) == ["8ABC011", "8ABC021"]
    assert {m.read.id for m in found} == {new[0], new[2]}
    [fire] = entries(ws, people, "alert_fire")
    assert (fire.username, fire.case_number, sorted(fire.result_ids)) == ("system", "LHS-2026-004512",
                                                                          sorted([new[0], new[2]]))
    [view] = entries(ws, people, "alert_view")
    assert view.username == "dana.kim" and view.purpose == "FELONY-INV" and len(view.result_ids) == 2
    assert ws.alerts.pending(deputy) == (2, max(m.id for m in found))

    clock.advance(3 * 86400)                        # past its expiry: the next sync ends it, no firing
    now = int(clock())
    add_reads(city.server, [("8ABC031", now - 30, CAMS[0].id)], now, seed=6)
    run(ws, None)
    deputy = again(ws, people)
    assert len(ws.alerts.queue(deputy)) == 2 and len(entries(ws, people, "alert_fire")) == 1
    [ended] = entries(ws, people, "alert_end")
    assert ended.detail["reason"] == "expired" and ended.case_number == "LHS-2026-004512"
    assert ws.alerts.mine(deputy) == [] and ws.alerts.mine(deputy, include_ended=True)[0].end_reason == "expired"
    # the auditor reads each step as a sentence, not as field names
    said = [describe(e) for e in (set_entry, fire, view, ended)]
    assert said[0].startswith("dana.kim (deputy) set a standing alert on plates matching 8ABC0?1") \
        and f"as alert #{alert.id}" in said[0] and "for 3 days" in said[0]
    assert f"matched standing alert #{alert.id} (8ABC0?1, set by dana.kim) to 2 new reads: " in said[1]
    assert "opened the standing alerts' matches (2): " in said[2]
    assert f"ended standing alert #{alert.id} (8ABC0?1, set by dana.kim, 2 matches): expired" in said[3]
    assert not any("_" in sentence.split(":")[0] for sentence in said)


def test_hotlist_priority_comes_from_the_city_server(ws, city, deputy):
    assert ws.store.query("SELECT id, priority FROM hotlists") == [("svs", 3)]


def test_an_alert_longer_than_the_profile_allows_is_refused_and_logged(ws, people, clock):
    s = people.user("dana.kim", "deputy")
    assert ws.profile.alert_max_days == 30
    with pytest.raises(ValidationError, match="1 to 30 days"):
        ws.alerts.set(s, "7ABC123", 31)
    denied = entries(ws, people, "denied")[-1]
    assert "31 days is refused" in denied.detail["reason"] and not ws.alerts.mine(s)
    with pytest.raises(ValidationError, match="too broad"):
        ws.alerts.set(s, "7*", 5)
    ws.alerts.set(s, "7ABC123", 30, state="ca")
    assert ws.alerts.mine(s)[0].plate_state == "CA"


def test_an_alert_needs_a_purpose_and_only_its_owner_cancels_it(ws, people):
    s = people.user("dana.kim", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        ws.alerts.set(s, "7ABC123", 5)
    other = people.user("lee.park", "deputy")
    alert = ws.alerts.set(other, "7ABC123", 5)
    people.ws.set_purpose(s, "FELONY-INV", "LHS-2026-004512")
    with pytest.raises(PermissionDenied, match="only its owner"):
        ws.alerts.cancel(s, alert.id)
    done = ws.alerts.cancel(other, alert.id)
    assert done.end_reason == "cancelled" and done.ended_by == "lee.park"
    [ended] = entries(ws, people, "alert_end")
    assert ended.username == "lee.park" and ended.detail["reason"] == "cancelled"
    with pytest.raises(ValidationError, match="already ended"):
        ws.alerts.cancel(other, alert.id)


def test_closing_the_case_ends_its_alerts(ws, people):
    s = people.user("dana.kim", "deputy", purpose=False)
    ws.cases.open(s, "LHS-2026-000777", "STOLEN-VEH", "Stolen Civic")
    ws.set_purpose(s, "STOLEN-VEH", "LHS-2026-000777")
    ws.alerts.set(s, "7ABC123", 10)
    ws.cases.close(s, "LHS-2026-000777", "vehicle recovered")
    [ended] = entries(ws, people, "alert_end")
    assert ended.detail["reason"] == "case_closed" and ended.case_number == "LHS-2026-000777"
    assert ws.alerts.mine(s) == []

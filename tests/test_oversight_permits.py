"""Written permission for a barred role (issue 14, part 5): Coachella's contractor is refused
without one, works within its scope while it is valid, and is refused outside the scope, after
it expires (the workstation clock) and after it is revoked; every step is logged."""
from __future__ import annotations

import json

import pytest

from app.engine.errors import EngineError, PermissionDenied
from app.engine.oversight.permits import PermitForm
from app.engine.search import SearchQuery
from tests.conftest import People, insert_reads

CASE = "RSO-260012345"
HOUR = 3600


@pytest.fixture
def city(make_ws, clock):
    """Coachella: the City Manager, a contractor, and reads at two cameras over the last day."""
    ws = make_ws("coachella")
    people = People(ws, clock)
    now = int(clock())
    insert_reads(ws, [(i, f"7ABC{i:03d}", now - i * 600, "CAM-LV-N" if i % 2 else "CAM-LV-S", 0.9)
                      for i in range(1, 41)])
    return ws, people, people.admin(), people.user("vendor1", "contractor")


def grant(ws, manager, clock, **kw):
    now = int(clock())
    base = dict(username="vendor1", case_number=CASE, valid_from=now - 60, valid_until=now + 2 * HOUR,
                document_ref="CM-LTR-2026-07 (signed letter)", cameras=("CAM-LV-N",),
                start=now - 6 * HOUR, end=now)
    base.update(kw)
    return ws.permits.grant(manager, PermitForm(**base))


def denials(ws) -> list[dict]:
    return [json.loads(d) for (d,) in ws.store.query(
        "SELECT detail FROM access_log WHERE action = 'denied' AND username = 'vendor1' ORDER BY seq")]


def test_no_permission_no_data(city):
    ws, _people, _manager, vendor = city
    with pytest.raises(PermissionDenied, match="no written permission of the City covers you now.*"
                                               "Section 3"):
        ws.search(vendor, SearchQuery(plate="7ABC001"))
    with pytest.raises(PermissionDenied, match="not authorised"):     # beyond the role's grants
        ws.permits.grant(vendor, PermitForm("vendor1", CASE, 0, 1, "x"))
    assert [d["action"] for d in denials(ws)] == ["search", "permission_grant"]


def test_within_scope_while_valid_then_refused_outside_after_expiry_and_revocation(city, clock):
    ws, people, manager, vendor = city
    permit = grant(ws, manager, clock)
    now = int(clock())
    in_scope = SearchQuery(start=now - 3 * HOUR, end=now, cameras=("CAM-LV-N",))
    page = ws.search(vendor, in_scope)
    assert page.rows and {r.camera_id for r in page.rows} == {"CAM-LV-N"}
    assert ws.read_detail(vendor, 1).read.id == 1                      # CAM-LV-N, 10 minutes ago
    # outside: another camera, data older than the scope, and a read by id
    with pytest.raises(PermissionDenied, match=f"outside written permission #{permit.id}"):
        ws.search(vendor, SearchQuery(start=now - 3 * HOUR, end=now, cameras=("CAM-LV-S",)))
    with pytest.raises(PermissionDenied, match="Read #37 is outside"):
        ws.search(vendor, SearchQuery(start=now - 7 * HOUR, end=now - 3 * HOUR, cameras=("CAM-LV-N",)))
    with pytest.raises(PermissionDenied, match="Read #2 is outside"):
        ws.read_detail(vendor, 2)
    views = ws.store.query("SELECT count(*) FROM access_log WHERE username = 'vendor1' AND action = 'view'")
    assert views == [(1,)]                                             # the refused view left no view entry
    ws.set_purpose(vendor, "AUTO-THEFT", "RSO-260099999")             # another case: not covered
    with pytest.raises(PermissionDenied, match=f"covers case {CASE}, not RSO-260099999"):
        ws.search(vendor, in_scope)
    ws.set_purpose(vendor, "AUTO-THEFT", CASE)
    clock.advance(2 * HOUR)                                            # the permission ends by itself
    ws.logout(vendor)                                                  # (the idle lock came first)
    vendor = people.login("vendor1")
    ws.set_purpose(vendor, "AUTO-THEFT", CASE)
    with pytest.raises(PermissionDenied, match=f"permission #{permit.id} expired"):
        ws.search(vendor, in_scope)
    assert [d["action"] for d in denials(ws)] == ["search", "search", "view", "search", "search"]


def test_revoked_and_listed_for_the_audit_cycle(city, clock):
    ws, people, manager, vendor = city
    now = int(clock())
    permit = grant(ws, manager, clock, cameras=(), start=None, end=None, read_ids=(3, 4))
    assert ws.read_detail(vendor, 3).read.id == 3
    ws.permits.revoke(manager, permit.id, "Evidence collected; work done")
    with pytest.raises(PermissionDenied, match="was revoked \\(Evidence collected; work done\\)"):
        ws.read_detail(vendor, 3)
    later = grant(ws, manager, clock, valid_from=now + 5 * HOUR, valid_until=now + 9 * HOUR)
    auditor = people.user("aud1", "auditor", purpose=False)
    active = ws.permits.active_in(auditor, now - HOUR, now + HOUR)
    assert [p.id for p in active] == [permit.id]                       # revoked inside the period
    assert [p.id for p in ws.permits.active_in(auditor, now + 6 * HOUR, now + 7 * HOUR)] == [later.id]
    assert ws.permits.active_in(auditor, now - 9 * HOUR, now - 8 * HOUR) == []
    with pytest.raises(PermissionDenied):
        ws.permits.on_file(auditor)
    acts = [a for (a,) in ws.store.query("SELECT action FROM access_log WHERE action LIKE 'permission_%' ORDER BY seq")]
    assert acts == ["permission_grant", "permission_revoke", "permission_grant"]


def test_a_permission_must_say_who_which_case_which_data_when_and_the_document(city, clock):
    ws, people, manager, _vendor = city
    people.user("dep1", "deputy")
    now = int(clock())
    for kw, why in ((dict(username="dep1"), "not barred"), (dict(username="nobody"), "No user"),
                    (dict(case_number="42"), "case"), (dict(document_ref=" "), "reference"),
                    (dict(valid_until=now - 120), "end after it starts"),
                    (dict(valid_from=now - 7200, valid_until=now - 60), "already have expired"),
                    (dict(start=None, end=None), "must name the data"),
                    (dict(cameras=("CAM-NOPE",)), "No camera CAM-NOPE")):
        with pytest.raises(EngineError, match=why):
            grant(ws, manager, clock, **kw)
    assert ws.permits.on_file(manager) == []

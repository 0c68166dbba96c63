"""Every role x every action, for every policy profile, plus the training and purpose gates."""
from __future__ import annotations

import pytest

from app.engine.errors import AuthError, PermissionDenied, PurposeRequired, TrainingRequired
from app.engine.permissions import ACTIONS, DATA_ACTIONS
from app.engine.policy import available_profiles, load_profile
from app.engine.search import SearchQuery
from tests.conftest import People


def test_each_profile_loads_with_its_retention_and_roles():
    assert available_profiles() == ["calabasas", "coachella", "lametro-parking"]
    expected = {"calabasas": 730, "coachella": 30, "lametro-parking": 365}
    for pid, days in expected.items():
        p = load_profile(pid)
        assert p.retention_days == days and p.purposes and p.roles
        assert all(p.purpose(x.code) for x in p.purposes)
    cal = load_profile("calabasas")
    assert set(cal.roles) == {"administrator", "prosecutor", "deputy", "custodian", "auditor"}
    vendor = load_profile("coachella").roles["contractor"]           # only under written permission
    assert vendor.grants == frozenset({"search", "view"}) and vendor.barred_without_permission
    assert load_profile("coachella").breach_notice
    assert load_profile("lametro-parking").vendor_perfect_read_rate == 0.978
    assert cal.release.aggregate_only_to == ("public_agency",)


@pytest.mark.parametrize("profile_id", ["calabasas", "coachella", "lametro-parking"])
def test_role_matrix(make_ws, clock, profile_id):
    ws = make_ws(profile_id)
    people = People(ws, clock)
    profile = ws.profile
    sessions = {role: people.user(f"u{i}{role[:8]}", role) for i, role in enumerate(profile.roles)}
    # a role barred without written permission (Coachella's contractor) has none here
    allowed = {r: frozenset() if d.barred_without_permission else d.grants for r, d in profile.roles.items()}
    for role, session in sessions.items():
        grants = allowed[role]
        for action in sorted(ACTIONS):
            if action in grants:
                ws.guard(session, action)
            else:
                with pytest.raises(PermissionDenied):
                    ws.guard(session, action)
    denied = ws.store.query("SELECT count(*) FROM access_log WHERE action = 'denied'")[0][0]
    assert denied == sum(len(ACTIONS - allowed[r]) for r in profile.roles)


def test_real_operations_follow_the_matrix(ws, people, seeded, tmp_path):
    auditor = people.user("aud1", "auditor")
    deputy = people.user("dep1", "deputy")
    custodian = people.user("cust1", "custodian")
    with pytest.raises(PermissionDenied):
        ws.search(auditor, SearchQuery(plate="7ABC123"))
    with pytest.raises(PermissionDenied):
        ws.read_detail(auditor, 1)
    with pytest.raises(PermissionDenied):
        ws.audit_entries(deputy)
    with pytest.raises(PermissionDenied):
        ws.add_user(deputy, "newbie", "New Bee", "deputy", "Kx7#mQ2v-long-enough-x")
    with pytest.raises(PermissionDenied):
        ws.purge(deputy)
    hold = ws.place_hold(deputy, "LHS-2026-004512", "evidence", "booked", [1])
    with pytest.raises(PermissionDenied):
        ws.release_hold(deputy, hold, "done")
    ws.release_hold(custodian, hold, "case closed")
    assert ws.search(deputy, SearchQuery(plate="7ABC123")).rows
    assert ws.audit_verify(auditor).ok
    assert ws.audit_export(auditor, tmp_path / "log.csv") > 0


def test_contractor_is_barred_in_coachella(make_ws, clock):
    ws = make_ws("coachella")
    people = People(ws, clock)
    vendor = people.user("vendor1", "contractor")
    for action in sorted(ACTIONS):
        with pytest.raises(PermissionDenied):
            ws.guard(vendor, action)


def test_no_current_training_no_data(ws, people, clock, seeded):
    untrained = people.user("dep1", "deputy", trained=False)
    with pytest.raises(TrainingRequired, match="training"):
        ws.search(untrained, SearchQuery(plate="7ABC123"))
    people.train("dep1", days_ago=400, valid_days=365)           # expired 35 days ago
    with pytest.raises(TrainingRequired, match="IV\\(d\\)"):
        ws.read_detail(untrained, 1)
    people.train("dep1")
    assert ws.search(untrained, SearchQuery(plate="7ABC123")).rows
    assert all(a in DATA_ACTIONS for a in ("search", "view", "export"))
    reasons = [r[0] for r in ws.store.query(
        "SELECT detail FROM access_log WHERE action = 'denied' AND username = 'dep1'")]
    assert len(reasons) == 2 and all("training" in r for r in reasons)


def test_search_and_view_need_purpose_and_case(ws, people, seeded):
    s = people.user("dep1", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        ws.search(s, SearchQuery(plate="7ABC123"))
    with pytest.raises(PurposeRequired):
        ws.read_detail(s, 1)
    with pytest.raises(PurposeRequired, match="not an authorised purpose"):
        ws.set_purpose(s, "investigation", "LHS-2026-004512")
    with pytest.raises(PurposeRequired, match="format"):
        ws.set_purpose(s, "STOLEN-VEH", "case 12")
    with pytest.raises(PurposeRequired, match="required"):
        ws.set_purpose(s, "STOLEN-VEH", "")
    ws.set_purpose(s, "STOLEN-VEH", "lhs-2026-004512")
    assert s.case_number == "LHS-2026-004512"
    assert ws.search(s, SearchQuery(plate="7ABC123")).rows
    ws.set_purpose(s, "WANTED", "LHS-2026-004513")
    sets = ws.store.query("SELECT purpose, case_number, detail FROM access_log WHERE action = 'purpose_set' AND username = 'dep1'")
    assert [r[:2] for r in sets] == [("STOLEN-VEH", "LHS-2026-004512"), ("WANTED", "LHS-2026-004513")]
    assert '"previous_purpose":"STOLEN-VEH"' in sets[1][2]


def test_no_profile_offers_a_bare_investigation_purpose():
    for pid in available_profiles():
        for p in load_profile(pid).purposes:
            assert p.label.lower() not in {"investigation", "general", "other"}


def test_ended_session_is_refused(ws, people):
    s = people.user("dep1", "deputy")
    ws.logout(s)
    with pytest.raises(AuthError):
        ws.guard(s, "search")

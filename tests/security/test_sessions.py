"""Sessions belong to the engine: a Session object is only a handle on a registered session.

One test per attack: a handle the engine never issued, a logged-out one brought back, a copy
with its role edited, and accounts changed under a live session (disabled, role, expiry).
"""
from __future__ import annotations

import dataclasses
import json
import secrets

import pytest

from app.engine.auth import PasswordExpired, Session
from app.engine.errors import AuthError, PermissionDenied, PurposeRequired, SessionLocked
from app.engine.search import SearchQuery

PLATE = SearchQuery(plate="7ABC123")


def _logouts(ws, username: str) -> list[str]:
    return [json.loads(d)["reason"] for (d,) in ws.store.query(
        "SELECT detail FROM access_log WHERE username = ? AND action = 'logout' ORDER BY seq",
        (username,))]


def test_forged_session_is_refused(ws, people, clock, seeded):
    people.admin()
    dep = people.user("dep1", "deputy")
    before = ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0]
    admin_user = ws.auth.get_user("amanager")
    for user in (admin_user, dep.user):          # any user name, even a real live user's
        forged = Session(user=user, token=secrets.token_hex(16), started=clock(),
                         last_activity=clock(), purpose=dep.purpose, case_number=dep.case_number)
        with pytest.raises(AuthError, match="not issued by this workstation"):
            ws.search(forged, PLATE)
        with pytest.raises(AuthError, match="not issued by this workstation"):
            ws.list_users(forged)
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0] == before
    refusals = ws.store.query("SELECT detail FROM access_log WHERE action = 'denied'")
    assert any("not issued" in d for (d,) in refusals)
    assert ws.search(dep, PLATE).rows                # the real session is untouched


def test_logged_out_session_is_refused(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    ws.logout(dep)
    dep.ended = False                                # the handle's flag is not the truth
    with pytest.raises(AuthError, match="ended"):
        ws.search(dep, PLATE)
    dep.ended = False
    with pytest.raises(AuthError, match="ended"):
        ws.unlock(dep, "Correct-Horse-7-Battery-Staple", "000000")
    assert _logouts(ws, "dep1") == ["user"]


def test_copied_session_with_edited_role_is_refused(ws, people, seeded):
    people.admin()
    aud = people.user("aud1", "auditor")
    forged = dataclasses.replace(aud, user=dataclasses.replace(aud.user, role="administrator"))
    with pytest.raises(AuthError, match="does not match"):
        ws.list_users(forged)
    with pytest.raises(AuthError, match="ended"):
        ws.search(forged, PLATE)
    # Tampering ends the session it was copied from, too.
    with pytest.raises(AuthError, match="ended"):
        ws.audit_entries(aud)
    assert _logouts(ws, "aud1") == ["session altered: user or role differs from the sign-in"]


def test_unlocking_by_editing_the_handle_is_refused(ws, people, clock, seeded):
    dep = people.user("dep1", "deputy")
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    with pytest.raises(SessionLocked):
        ws.search(dep, PLATE)
    dep.locked, dep.last_activity = False, clock()   # the lock is the engine's, not the handle's
    with pytest.raises(SessionLocked):
        ws.search(dep, PLATE)
    assert dep.locked


def test_disabling_a_user_ends_their_live_session(ws, people, seeded):
    admin = people.admin()
    dep = people.user("dep1", "deputy")
    assert ws.search(dep, PLATE).rows
    ws.disable_user(admin, "dep1")
    assert _logouts(ws, "dep1") == ["account disabled"]     # ended at once, not at next use
    with pytest.raises(AuthError, match="disabled"):
        ws.search(dep, PLATE)
    assert dep.ended
    ws.enable_user(admin, "dep1")                    # enabling again does not revive it
    with pytest.raises(AuthError, match="ended"):
        ws.search(dep, PLATE)


def test_role_change_ends_the_session(ws, people, seeded):
    admin = people.admin()
    dep = people.user("dep1", "deputy")
    ws.set_role(admin, "dep1", "auditor")
    with pytest.raises(AuthError, match="role changed"):
        ws.search(dep, PLATE)
    # Changed behind the engine's back (straight in the store): the next check sees it.
    pros = people.user("pros1", "prosecutor")
    ws.store.execute("UPDATE users SET role = 'administrator' WHERE username = 'pros1'")
    with pytest.raises(AuthError, match="role changed from prosecutor to administrator"):
        ws.list_users(pros)
    assert pros.ended
    assert _logouts(ws, "dep1") == ["role changed"] and _logouts(ws, "pros1") == ["role changed"]


def test_guard_rereads_the_user(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    ws.store.execute("UPDATE users SET full_name = 'Dana Renamed' WHERE username = 'dep1'")
    ws.search(dep, PLATE)
    assert dep.user.full_name == "Dana Renamed"
    with pytest.raises(PermissionDenied):
        ws.list_users(dep)                           # the role at sign-in still rules


def test_password_expiring_during_a_session_ends_it(ws, people, clock, seeded):
    dep = people.user("dep1", "deputy")
    ws.store.execute("UPDATE users SET password_changed_at = ? WHERE username = 'dep1'",
                     (int(clock()) - ws.profile.password_max_age_days * 86400 - 1,))
    with pytest.raises(PasswordExpired, match="expired"):
        ws.search(dep, PLATE)
    assert dep.ended and _logouts(ws, "dep1") == ["password expired"]


def test_training_lapsing_during_a_session_ends_it(ws, people, clock, seeded):
    people.admin()
    pros = people.user("pross", "prosecutor")
    ws.search(pros, PLATE)
    ws.store.execute("UPDATE training SET expires_on = '2000-01-01'")      # it lapses now
    with pytest.raises(AuthError, match="training lapsed"):
        ws.search(pros, PLATE)
    assert "training lapsed" in _logouts(ws, "pross")
    with pytest.raises(AuthError):
        ws.search(pros, PLATE)                      # the session is over, not just refused


def test_purpose_written_on_the_handle_is_not_a_declaration(ws, people, seeded):
    people.admin()
    pros = people.user("pross", "prosecutor", purpose=False)
    pros.purpose, pros.case_number = "FELONY-INV", "LHS-2026-004512"    # never declared, never logged
    with pytest.raises(PurposeRequired, match="not declared"):
        ws.search(pros, PLATE)
    ws.set_purpose(pros, "FELONY-INV", "LHS-2026-004512")
    ws.search(pros, PLATE)
    pros.case_number = "LHS-2026-999999"            # switched without a new declaration
    with pytest.raises(PurposeRequired):
        ws.search(pros, PLATE)

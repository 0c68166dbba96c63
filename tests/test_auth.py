"""Personal logins: argon2id, password rules, lock-out, second factor, idle lock, expiry."""
from __future__ import annotations

import pyotp
import pytest

from app.engine import passwords
from app.engine.auth import PasswordExpired
from app.engine.errors import (AccountLocked, AuthError, PasswordRejected, PermissionDenied,
                               SecondFactorRequired, SessionLocked, ValidationError)
from tests.conftest import PASSWORD


def _hash_of(ws, username):
    return ws.store.query_one("SELECT password_hash FROM users WHERE username = ?", (username,))[0]


def test_first_admin_once_and_argon2id_parameters(ws, people):
    people.admin()
    h = _hash_of(ws, "amanager")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in h
    with pytest.raises(PermissionDenied):
        ws.create_first_admin("second", "Second Admin", PASSWORD)


def test_user_names_are_unique_and_personal(ws, people):
    admin = people.admin()
    ws.add_user(admin, "jdoe", "Jane Doe", "prosecutor", PASSWORD)
    with pytest.raises(ValidationError, match="taken"):
        ws.add_user(admin, "JDoe", "John Doe", "prosecutor", PASSWORD)
    with pytest.raises(ValidationError, match="shared accounts"):
        ws.add_user(admin, "deputy", "Any Deputy", "deputy", PASSWORD)
    with pytest.raises(ValidationError, match="not defined"):
        ws.add_user(admin, "xyz", "X Y", "janitor", PASSWORD)


@pytest.mark.parametrize("password, second_factor, message", [
    ("Sh0rt!pw", False, "at least 20"),
    ("Sh0rt!p", True, "at least 8"),
    ("jdoe-is-my-name-2026-long", False, "user name"),
    ("password123", True, "banned"),
    ("Calabasas2026!", True, "banned"),
    ("aaaaaaaaaaaaaaaaaaaaaaa", False, "repeated"),
])
def test_password_rules(password, second_factor, message):
    with pytest.raises(PasswordRejected, match=message):
        passwords.check_rules(password, "jdoe", second_factor=second_factor)


def test_eight_characters_suffice_with_a_second_factor():
    passwords.check_rules("Kx7#mQ2v", "jdoe", second_factor=True)


def test_not_one_of_the_last_ten(ws, people):
    people.user("pross", "prosecutor")
    history = [f"Pr0secutor-Passphrase-N{i:02d}" for i in range(11)]
    current = PASSWORD
    for new in history:
        ws.change_password("pross", current, new)
        current = new
    with pytest.raises(PasswordRejected, match="last 10"):
        ws.change_password("pross", current, history[3])
    ws.change_password("pross", current, PASSWORD)      # the 12th back is allowed again
    with pytest.raises(AuthError, match="current password is wrong"):
        ws.change_password("pross", "not-it", "Another-Long-Passphrase-99")


def test_lockout_after_five_failures_admin_unlock_and_timeout(ws, people, clock):
    people.user("pross", "prosecutor")
    for i in range(5):                         # the same sentence, locking or not
        with pytest.raises(AuthError) as refused:
            ws.login("pross", "wrong")
        assert str(refused.value) == "Wrong user name or password."
        assert not isinstance(refused.value, AccountLocked)
    with pytest.raises(AuthError) as refused:
        ws.login("pross", "wrong")
    assert str(refused.value) == "Wrong user name or password."
    with pytest.raises(AccountLocked, match="administrator"):
        ws.login("pross", PASSWORD)            # said only to who knows the password
    ws.unlock_user(people.admin(), "pross")
    ws.login("pross", PASSWORD)
    for i in range(5):
        with pytest.raises(AuthError):
            ws.login("pross", "wrong")
    clock.advance(ws.profile.lockout_minutes * 60 + 1)
    assert ws.login("pross", PASSWORD).user.failed_attempts == 0
    actions = [r[0] for r in ws.store.query("SELECT action FROM access_log WHERE username = 'pross'")]
    assert actions.count("login_failed") == 10 and actions.count("login_refused") == 2
    assert "user_unlock" not in actions
    assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'user_unlock'")


def test_totp_enrolment_and_login(ws, people, clock):
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    s = ws.login("amanager", PASSWORD)
    assert s.must_enrol_totp                       # calabasas requires it for administrators
    with pytest.raises(AuthError, match="second factor"):
        ws.list_users(s)
    e = ws.begin_totp(s)
    assert e.qr_png.startswith(b"\x89PNG") and e.uri.startswith("otpauth://totp/")
    with pytest.raises(AuthError, match="does not match"):
        ws.confirm_totp(s, "000000" if pyotp.TOTP(e.secret).at(clock()) != "000000" else "111111")
    ws.confirm_totp(s, pyotp.TOTP(e.secret).at(clock()))
    assert ws.list_users(s)
    clock.advance(30)                              # a code works once: the next one
    with pytest.raises(SecondFactorRequired):
        ws.login("amanager", PASSWORD)
    with pytest.raises(AuthError, match="one-time code"):
        ws.login("amanager", PASSWORD, "123456" if pyotp.TOTP(e.secret).at(clock()) != "123456" else "654321")
    assert ws.login("amanager", PASSWORD, pyotp.TOTP(e.secret).at(clock())).user.totp_enrolled


def test_profile_can_require_second_factor_for_all_roles(make_ws, clock):
    w = make_ws("coachella")
    w.create_first_admin("cmanager", "City Manager", PASSWORD)
    admin = w.login("cmanager", PASSWORD)
    w.confirm_totp(admin, pyotp.TOTP(w.begin_totp(admin).secret).at(clock()))
    w.add_user(admin, "audit1", "Audit Person", "auditor", "Kx7#mQ2v-short")
    assert w.login("audit1", "Kx7#mQ2v-short").must_enrol_totp


def test_idle_lock_same_user_unlocks_or_another_replaces(ws, people, clock, seeded):
    from app.engine.search import SearchQuery
    s = people.user("dep1", "deputy")
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    with pytest.raises(SessionLocked):
        ws.search(s, SearchQuery(plate="7ABC123"))
    with pytest.raises(SessionLocked):
        ws.search(s, SearchQuery(plate="7ABC123"))        # stays locked
    with pytest.raises(AuthError):
        ws.unlock(s, "wrong", people.code("dep1"))
    ws.unlock(s, PASSWORD, people.code("dep1"))
    assert ws.search(s, SearchQuery(plate="7ABC123")).rows
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    with pytest.raises(SessionLocked):
        ws.search(s, SearchQuery(plate="7ABC123"))
    other = people.user("dep2", "deputy")
    ws.logout(s)
    with pytest.raises(AuthError, match="ended"):
        ws.search(s, SearchQuery(plate="7ABC123"))
    assert ws.search(other, SearchQuery(plate="7ABC123")).rows
    log = [r[0] for r in ws.store.query("SELECT action FROM access_log WHERE username = 'dep1'")]
    assert log.count("session_lock") == 2 and "session_unlock" in log and log[-1] == "logout"


def test_idle_lock_time_is_configurable_by_profile(make_ws):
    assert make_ws("coachella").profile.idle_lock_minutes == 15
    assert make_ws("calabasas").profile.idle_lock_minutes == 30


def test_expired_password_must_be_changed(ws, people, clock):
    people.user("pross", "prosecutor")
    clock.advance(ws.profile.password_max_age_days * 86400 + 60)
    people.train("pross")
    with pytest.raises(PasswordExpired, match="expired"):
        ws.login("pross", PASSWORD)
    ws.change_password("pross", PASSWORD, "A-Brand-New-Passphrase-2026")
    assert ws.login("pross", "A-Brand-New-Passphrase-2026")


def test_disabled_user_cannot_log_in(ws, people):
    people.user("pross", "prosecutor")
    ws.disable_user(people.admin(), "pross")
    with pytest.raises(AuthError, match="disabled"):
        ws.login("pross", PASSWORD)
    with pytest.raises(AuthError) as refused:     # a wrong password learns nothing
        ws.login("pross", "wrong")
    assert str(refused.value) == "Wrong user name or password."
    with pytest.raises(ValidationError, match="own account"):
        ws.disable_user(people.admin(), "amanager")

"""Attacks on accounts: replayed one-time codes, password changes, the lock screen, and
telling real user names from unknown ones. One test per attack."""
from __future__ import annotations

import json

import pyotp
import pytest

from app.engine import passwords
from app.engine.errors import AccountLocked, AuthError, SecondFactorRequired
from tests.conftest import PASSWORD

NEW = "A-Brand-New-Passphrase-2026"
WRONG = "Wrong user name or password."


def _hash(ws, username):
    return ws.store.query_one("SELECT password_hash FROM users WHERE username = ?", (username,))[0]


def _reasons(ws, username, action):
    return [json.loads(d).get("reason") for (d,) in ws.store.query(
        "SELECT detail FROM access_log WHERE username = ? AND action = ? ORDER BY seq",
        (username, action))]


def _lock_out(ws, username):
    for _ in range(ws.profile.lockout_attempts):
        with pytest.raises(AuthError):
            ws.login(username, "not-the-password")


def test_totp_replay_is_refused_at_login(ws, people, clock):
    people.user("dep1", "deputy")
    code = people.code("dep1")
    ws.login("dep1", PASSWORD, code)
    with pytest.raises(AuthError, match="already used"):
        ws.login("dep1", PASSWORD, code)             # the same code, still inside its window
    clock.advance(30)                                # a later step is fine; the old one is not
    with pytest.raises(AuthError, match="already used"):
        ws.login("dep1", PASSWORD, code)
    ws.login("dep1", PASSWORD, people.code("dep1"))
    assert "reused one-time code" in _reasons(ws, "dep1", "login_failed")


def test_totp_replay_is_refused_at_unlock(ws, people):
    people.user("dep1", "deputy")
    code = people.code("dep1")
    s = ws.login("dep1", PASSWORD, code)
    ws.lock(s)
    with pytest.raises(AuthError, match="stays locked"):
        ws.unlock(s, PASSWORD, code)                 # the code that signed in
    assert s.locked
    fresh = people.code("dep1")
    ws.unlock(s, PASSWORD, fresh)
    ws.lock(s)
    with pytest.raises(AuthError, match="stays locked"):
        ws.unlock(s, PASSWORD, fresh)                # the code that unlocked
    assert s.locked


def test_totp_replay_is_refused_at_enrolment(ws, clock):
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    s = ws.login("amanager", PASSWORD)
    totp = pyotp.TOTP(ws.begin_totp(s).secret)
    code = totp.at(clock())
    ws.confirm_totp(s, code)
    with pytest.raises(AuthError, match="already used"):
        ws.login("amanager", PASSWORD, code)
    with pytest.raises(AuthError, match="already used"):
        ws.confirm_totp(s, code)


def test_change_password_without_totp_is_refused_for_enrolled_user(ws, people, clock):
    dep = people.user("dep1", "deputy")
    before = _hash(ws, "dep1")
    with pytest.raises(SecondFactorRequired):
        ws.change_password("dep1", PASSWORD, NEW)
    with pytest.raises(SecondFactorRequired):
        ws.change_own_password(dep, PASSWORD, NEW)
    wrong = "000000" if people.code("dep1") != "000000" else "111111"
    with pytest.raises(AuthError, match="wrong or expired"):
        ws.change_password("dep1", PASSWORD, NEW, totp_code=wrong)
    assert _hash(ws, "dep1") == before
    code = people.code("dep1")
    ws.change_own_password(dep, PASSWORD, NEW, totp_code=code)
    with pytest.raises(AuthError, match="already used"):
        ws.change_password("dep1", NEW, NEW + "-again", totp_code=code)
    assert ws.login("dep1", NEW, people.code("dep1"))


def test_change_password_failures_lock_the_account(ws, people):
    people.user("pros1", "prosecutor")
    for _ in range(ws.profile.lockout_attempts):
        with pytest.raises(AuthError) as refused:
            ws.change_password("pros1", "a-guessed-password", NEW)
        assert str(refused.value) == "The current password is wrong."
    with pytest.raises(AccountLocked, match="locked"):
        ws.change_password("pros1", PASSWORD, NEW)
    with pytest.raises(AccountLocked, match="locked"):
        ws.login("pros1", PASSWORD)
    reasons = _reasons(ws, "pros1", "password_change_failed")
    assert reasons.count("wrong current password") == 4
    assert "account locked after 5 failed attempts" in reasons[4]


def test_change_password_refused_for_locked_or_disabled_account(ws, people):
    admin = people.admin()
    people.user("pros1", "prosecutor")
    people.user("pros2", "prosecutor")
    _lock_out(ws, "pros1")
    ws.disable_user(admin, "pros2")
    hashes = _hash(ws, "pros1"), _hash(ws, "pros2")
    with pytest.raises(AccountLocked, match="locked"):
        ws.change_password("pros1", PASSWORD, NEW)
    with pytest.raises(AuthError, match="disabled"):
        ws.change_password("pros2", PASSWORD, NEW)
    with pytest.raises(AuthError) as refused:        # a wrong password learns nothing more
        ws.change_password("pros2", "a-guessed-password", NEW)
    assert str(refused.value) == "The current password is wrong."
    assert (_hash(ws, "pros1"), _hash(ws, "pros2")) == hashes
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'password_change'")[0] == 0


def test_unlock_failures_lock_the_account_and_end_the_session(ws, people):
    people.user("dep1", "deputy")
    s = people.login("dep1")
    ws.lock(s)
    for _ in range(ws.profile.lockout_attempts - 1):
        with pytest.raises(AuthError, match="stays locked"):
            ws.unlock(s, "a-guessed-password", people.code("dep1"))
    with pytest.raises(AccountLocked, match="session has ended"):
        ws.unlock(s, "a-guessed-password", people.code("dep1"))
    assert s.ended
    with pytest.raises(AuthError, match="ended"):
        ws.unlock(s, PASSWORD, people.code("dep1"))  # the right password no longer helps
    with pytest.raises(AccountLocked):
        ws.login("dep1", PASSWORD, people.code("dep1"))
    logouts = _reasons(ws, "dep1", "logout")
    assert logouts[-1] == "account locked after failed unlock attempts"


def test_locked_account_cannot_unlock(ws, people):
    admin = people.admin()
    people.user("dep1", "deputy")
    people.user("dep2", "deputy")
    s1, s2 = people.login("dep1"), people.login("dep2")
    ws.lock(s1)
    ws.lock(s2)
    _lock_out(ws, "dep1")                           # someone guessed at the login screen
    with pytest.raises(AccountLocked, match="session has ended"):
        ws.unlock(s1, PASSWORD, people.code("dep1"))
    assert s1.ended and _reasons(ws, "dep1", "logout")[-1] == "account locked"
    ws.disable_user(admin, "dep2")
    with pytest.raises(AuthError, match="ended"):
        ws.unlock(s2, PASSWORD, people.code("dep2"))
    assert s2.ended


def test_unknown_and_wrong_password_logins_look_the_same(ws, people, monkeypatch):
    admin = people.admin()
    people.user("pros1", "prosecutor")
    people.user("pros2", "prosecutor")
    people.user("pros3", "prosecutor")
    ws.disable_user(admin, "pros2")
    _lock_out(ws, "pros3")
    real_verify = passwords.verify_password
    checked: list[str] = []

    def counting(stored_hash, password):
        checked.append(stored_hash)
        return real_verify(stored_hash, password)
    monkeypatch.setattr(passwords, "verify_password", counting)

    answers = {}
    for name in ("nobody.here", "pros1", "pros2", "pros3"):    # unknown, wrong, disabled, locked
        checked.clear()
        with pytest.raises(AuthError) as refused:
            ws.login(name, "a-guessed-password")
        answers[name] = (type(refused.value), str(refused.value), len(checked))
        assert all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for h in checked)
    assert set(answers.values()) == {(AuthError, WRONG, 1)}
    # The log keeps the real reason.
    assert _reasons(ws, "nobody.here", "login_failed") == ["unknown user"]
    assert _reasons(ws, "pros1", "login_failed")[-1] == "wrong password"
    assert _reasons(ws, "pros2", "login_refused") == ["account disabled; wrong password"]
    assert _reasons(ws, "pros3", "login_refused") == ["account locked; wrong password"]

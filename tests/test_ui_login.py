"""Flow 1: the login dialog and the lock screen, driven through the real widgets."""
from __future__ import annotations

import re

import pyotp
import pytest
from PySide6.QtWidgets import QDialog, QLabel

from app.engine.errors import AuthError
from app.ui.login import LoginDialog

from .conftest import PASSWORD
from .ui_fixtures import ctx, last_seq, log_actions, open_window  # noqa: F401


def _sign_in(dialog: LoginDialog, user: str, password: str, code: str | None = None) -> None:
    dialog.user.setText(user)
    dialog.password.setText(password)
    if code is not None:
        dialog.code.setText(code)
    dialog.ok.click()


def test_first_run_creates_admin_enrols_second_factor_and_warns_of_training(ws, ctx, qtbot, clock):
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.pages.currentWidget() is dialog.first
    dialog.first_user.setText("amanager")
    dialog.first_name.setText("Alex Manager")
    dialog.first_pw.setText(PASSWORD)
    dialog.first_pw2.setText(PASSWORD + "x")
    dialog.ok.click()
    assert "differ" in dialog.first.message.text()
    dialog.first_pw2.setText(PASSWORD)
    dialog.ok.click()
    assert dialog.pages.currentWidget() is dialog.login
    assert "created" in dialog.login.message.text()

    _sign_in(dialog, "amanager", PASSWORD)
    assert dialog.pages.currentWidget() is dialog.enrol            # administrators need a 2nd factor
    assert not dialog.qr.pixmap().isNull()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", dialog.secret.text())   # groups of four
    dialog.enrol_code.setText("000000")
    dialog.ok.click()
    assert "does not match" in dialog.enrol.message.text()
    dialog.enrol_code.setText(pyotp.TOTP(dialog.secret.text().replace(" ", "")).at(clock()))
    dialog.ok.click()
    assert dialog.pages.currentWidget() is dialog.notice           # no training recorded yet
    assert "training is not on record" in dialog.notice.message.text()
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session.user.username == "amanager" and dialog.session.user.totp_enrolled
    actions = [a[2] for a in log_actions(ws)]
    assert actions[-3:] == ["user_add", "login", "totp_enrol"] or \
        {"user_add", "login", "totp_enrol"} <= set(actions)


def test_wrong_password_then_locked_account(ws, ctx, people, qtbot):
    people.user("pprosecutor", "prosecutor")
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    seq = last_seq(ws)
    _sign_in(dialog, "pprosecutor", "wrong-password")
    assert dialog.login.message.text() == "Wrong user name or password."
    assert dialog.password.text() == ""
    for _ in range(4):
        _sign_in(dialog, "pprosecutor", "wrong-password")
    assert dialog.login.message.text() == "Wrong user name or password."   # no hint to a guesser
    _sign_in(dialog, "pprosecutor", PASSWORD)
    assert "account is locked" in dialog.login.message.text()
    assert dialog.session is None
    actions = [(a[1], a[2]) for a in log_actions(ws, seq)]
    assert actions.count(("pprosecutor", "login_failed")) == 5
    assert ("pprosecutor", "login_refused") in actions


def test_expired_password_is_changed_in_the_dialog(ws, ctx, people, qtbot, clock):
    people.user("pprosecutor", "prosecutor")
    ws.store.execute("UPDATE users SET password_changed_at = ? WHERE username = 'pprosecutor'",
                     (int(clock()) - 400 * 86400,))
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    _sign_in(dialog, "pprosecutor", PASSWORD)
    assert dialog.pages.currentWidget() is dialog.change
    assert "expired" in dialog.change.message.text()
    new = "Another-Long-Passphrase-42-Sky"
    dialog.new_pw.setText(new)
    dialog.new_pw2.setText(new)
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session.user.username == "pprosecutor"
    actions = [a[2] for a in log_actions(ws) if a[1] == "pprosecutor"]
    assert "password_change" in actions and actions[-1] == "login"


def test_expired_password_with_a_second_factor_takes_a_code_each_step(ws, ctx, people, qtbot, clock):
    people.user("ddeputy", "deputy")                # enrolled by the fixture
    ws.store.execute("UPDATE users SET password_changed_at = ? WHERE username = 'ddeputy'",
                     (int(clock()) - 400 * 86400,))
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    _sign_in(dialog, "ddeputy", PASSWORD)
    assert dialog.pages.currentWidget() is dialog.change
    assert not dialog.change_code.isHidden()
    new = "Another-Long-Passphrase-42-Sky"
    dialog.new_pw.setText(new)
    dialog.new_pw2.setText(new)
    dialog.ok.click()
    assert "6-digit code" in dialog.change.message.text()      # no change without the code
    dialog.change_code.setText(people.code("ddeputy"))
    dialog.ok.click()
    assert dialog.pages.currentWidget() is dialog.login
    assert "next one-time code" in dialog.login.message.text()
    assert not dialog.code.isHidden() and dialog.code.text() == ""
    _sign_in(dialog, "ddeputy", new, people.code("ddeputy"))
    assert dialog.result() == QDialog.DialogCode.Accepted
    actions = [a[2] for a in log_actions(ws) if a[1] == "ddeputy"]
    assert "password_change" in actions and actions[-1] == "login"


def test_second_factor_field_appears_when_needed(ws, ctx, people, qtbot):
    people.user("ddeputy", "deputy")                # enrolled by the fixture
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.code.isHidden()
    _sign_in(dialog, "ddeputy", PASSWORD)
    assert not dialog.code.isHidden()
    assert "6-digit code" in dialog.login.message.text()
    _sign_in(dialog, "ddeputy", PASSWORD, people.code("ddeputy"))
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_expired_training_is_explained_at_login(ws, ctx, people, qtbot):
    people.user("pprosecutor", "prosecutor", trained=False, purpose=False)
    people.train("pprosecutor", days_ago=400, valid_days=365)
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    _sign_in(dialog, "pprosecutor", PASSWORD)
    assert dialog.pages.currentWidget() is dialog.notice
    assert "training expired on" in dialog.notice.message.text()


def test_idle_lock_then_same_user_unlocks(ws, people, open_window, clock):
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    window.watcher.check()
    assert window.stack.currentWidget() is window.lock_screen
    assert deputy.locked
    lock = window.lock_screen
    lock.password.setText("wrong")
    lock.code.setText(people.code("ddeputy"))
    lock.unlock_button.click()
    assert "stays locked" in lock.message.text()
    lock.password.setText(PASSWORD)
    lock.code.setText(people.code("ddeputy"))
    lock.unlock_button.click()
    assert window.stack.currentIndex() == 0 and not deputy.locked
    actions = [a[2] for a in log_actions(ws) if a[1] == "ddeputy"]
    assert actions[-3:] == ["session_lock", "login_failed", "session_unlock"]


def test_lock_screen_failures_lock_the_account_and_return_to_login(ws, people, open_window, qtbot):
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    window.lock_now()
    lock = window.lock_screen
    for _ in range(ws.profile.lockout_attempts - 1):
        lock.password.setText("a-guessed-password")
        lock.code.setText(people.code("ddeputy"))
        lock.unlock_button.click()
        assert "stays locked" in lock.message.text() and lock.login_dialog is None
    lock.password.setText("a-guessed-password")
    lock.code.setText(people.code("ddeputy"))
    lock.unlock_button.click()
    assert deputy.ended and "now locked" in lock.message.text()
    dialog = lock.login_dialog
    assert dialog is not None and dialog.isVisible()
    heading = dialog.login.findChild(QLabel, "heading").text()
    assert "now locked" in heading and "Sign in again" in heading
    assert window.stack.currentWidget() is lock            # nothing shows behind the dialog
    ws.unlock_user(people.admin(), "ddeputy")
    _sign_in(dialog, "ddeputy", PASSWORD, people.code("ddeputy"))
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert window.ctx.session is dialog.session and not dialog.session.ended
    assert window.stack.currentIndex() == 0
    assert ("ddeputy", "logout") in [(a[1], a[2]) for a in log_actions(ws)]


def test_another_user_replaces_the_locked_one(ws, people, open_window, qtbot):
    deputy = people.user("ddeputy", "deputy")
    people.user("pprosecutor", "prosecutor")
    window = open_window(deputy)
    window.lock_now()
    assert window.stack.currentWidget() is window.lock_screen
    dialog = window.lock_screen.start_switch()
    _sign_in(dialog, "pprosecutor", PASSWORD)
    assert window.ctx.session.user.username == "pprosecutor"
    assert deputy.ended
    assert window.stack.currentIndex() == 0
    assert "pprosecutor" in window.status_user.text()
    assert window.ctx.session.purpose is None          # the new user declares their own
    rows = [(a[1], a[2]) for a in log_actions(ws)]
    assert ("ddeputy", "logout") in rows and rows[-1] == ("ddeputy", "logout")


def test_engine_lock_during_work_shows_the_lock_screen(ws, people, open_window, clock, seeded):
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    window.search.plate.setText("7ABC123")
    window.search.run_search()                          # the engine refuses: session locked
    assert window.stack.currentWidget() is window.lock_screen
    assert window.search.model.rows == []


def test_change_password_from_the_session_menu(ws, people, open_window):
    session = people.user("ddeputy", "deputy")
    window = open_window(session)
    seq = last_seq(ws)
    window.change_password()
    dialog = window.password_dialog
    assert dialog.isVisible()
    new = "Another-Long-Pass-Phrase-42"
    dialog.current.setText("wrong password entirely")
    dialog.new.setText(new)
    dialog.repeat.setText(new)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "current password is wrong" in dialog.message.text()
    assert dialog.current.text() == "" and dialog.new.text() == new
    dialog.current.setText(PASSWORD)
    dialog.repeat.setText(new + "x")
    dialog.buttons.accepted.emit()
    assert "differ" in dialog.message.text()
    dialog.repeat.setText(new)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "6-digit code" in dialog.message.text()   # enrolled: code too
    assert not dialog.code.isHidden()
    code = people.code("ddeputy")
    dialog.current.setText(PASSWORD)
    dialog.code.setText(code)
    dialog.repeat.setText("short")
    dialog.new.setText("short")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.message.text().startswith("Not changed:")
    assert "at least" in dialog.message.text()
    dialog.current.setText(PASSWORD)
    dialog.code.setText(code)                  # a refused change did not use the code up
    dialog.new.setText(new)
    dialog.repeat.setText(new)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert "Password changed" in window.statusBar().currentMessage()
    actions = [r[2] for r in log_actions(ws, seq)]
    assert actions.count("password_change") == 1 and "password_change_failed" in actions
    assert people.login("ddeputy", new).user.username == "ddeputy"
    with pytest.raises(AuthError, match="Wrong user name or password"):
        people.login("ddeputy", PASSWORD)


def test_change_password_needs_a_live_session(ws, people):
    session = people.user("ddeputy", "deputy")
    ws.logout(session)
    with pytest.raises(AuthError):
        ws.change_own_password(session, PASSWORD, "Another-Long-Pass-Phrase-42")


def test_the_sign_in_page_says_the_password_opens_the_store_and_when_the_purge_runs(ws, ctx, qtbot):
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    note = dialog.store_note.text()
    assert "opens the encrypted store" in note
    assert f"{ws.profile.retention_days}-day retention period" in note and "first sign-in" in note

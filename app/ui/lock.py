"""The idle lock: watch for input, cover the window, let the same user back or replace them.

The engine locks a session that sat idle past the profile's limit (and refuses it until
unlocked); the GUI mirrors that by watching keyboard and mouse input on the application and
covering every screen, so no read stays on display at an unattended desk. Another user may
sign in at the lock screen; the first user is then logged out, never left half-open.
Wrong passwords at the lock screen count toward lock-out; once the account is locked (or
disabled) the engine ends the session, and the lock screen turns into the login screen with
the engine's sentence.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from . import style
from .context import AppContext
from .login import LoginDialog

_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
          QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    """Emits ``idle`` once no input arrived for ``minutes`` (by the workstation's clock)."""

    idle = Signal()

    def __init__(self, clock: Callable[[], float], minutes: int, check_ms: int = 10_000) -> None:
        super().__init__()
        self.clock, self.limit = clock, minutes * 60
        self.last_input = clock()
        self.armed = True
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:   # noqa: N802 - Qt's name
        if event.type() in _INPUT:
            self.last_input = self.clock()
        return False

    def check(self) -> None:
        if self.armed and self.clock() - self.last_input >= self.limit:
            self.armed = False
            self.idle.emit()

    def rearm(self) -> None:
        self.last_input = self.clock()
        self.armed = True


class LockScreen(QWidget):
    """Covers the window while the session is locked."""

    unlocked = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("lockScreen")
        self.setStyleSheet(style.LOCK_SCREEN)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.switch_dialog: LoginDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.title = QLabel()
        self.title.setObjectName("heading")
        self.title.setStyleSheet(style.HEADING_WRAPPED)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        self.password, self.code = QLineEdit(), QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("unlockPassword")
        self.password.returnPressed.connect(self.unlock)
        self.code.setPlaceholderText("6-digit code")
        self.code.setObjectName("unlockCode")
        self.code.returnPressed.connect(self.unlock)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #ff8a80;")
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(self.unlock)
        self.switch_button = QPushButton("Sign in as &another user")
        self.switch_button.setObjectName("switchUser")
        self.switch_button.clicked.connect(self.start_switch)

        self.form = form = QFormLayout()
        form.addRow("Password", self.password)
        form.addRow("One-time code", self.code)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        box = QWidget()
        box.setObjectName("lockBox")
        box.setFixedWidth(520)          # a fixed width: the wrapped heading gets its full height
        inner = QVBoxLayout(box)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addLayout(form)
        inner.addWidget(self.message)
        inner.addLayout(buttons)
        middle = QHBoxLayout()          # not an alignment flag: that would ask the box its
        middle.addStretch(1)            # height for the whole screen's width, one line for a
        middle.addWidget(box)           # heading that needs two, and clip it
        middle.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

    def prepare(self) -> None:
        """Show who is locked out; called each time the lock screen comes up."""
        s = self.ctx.session
        self.title.setText(f"Locked. {s.user.full_name} ({s.user.username}) is signed in.\n"
                           "Enter the password to unlock.")
        self._show_unlock(True)
        self._show_code(s.user.totp_enrolled)
        self.unlock_button.setEnabled(True)
        self.switch_button.setEnabled(True)
        self.password.clear()
        self.code.clear()
        self.message.clear()
        self.password.setFocus()

    def _show_unlock(self, visible: bool) -> None:
        """The password row and buttons; gone once the session has ended (the sign-in
        dialog is the only way on)."""
        self.password.setVisible(visible)
        self.form.labelForField(self.password).setVisible(visible)
        self.unlock_button.setVisible(visible)
        self.switch_button.setVisible(visible)

    def _show_code(self, visible: bool) -> None:
        """Only a user with an authenticator app is asked for a one-time code."""
        self.code.setVisible(visible)
        self.form.labelForField(self.code).setVisible(visible)

    def unlock(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        pw, code = self.password.text(), self.code.text().strip() or None

        def failed(exc: BaseException) -> None:
            self.password.clear()
            self.code.clear()
            self.message.setText(str(exc))
            if s.ended:                     # account locked or disabled: no way back in
                self.session_ended(str(exc))
        self.ctx.db(lambda: ws.unlock(s, pw, code), lambda _n: self.unlocked.emit(), failed)

    def session_ended(self, why: str) -> LoginDialog:
        """The engine ended the session (locked or in the middle of work): only a fresh
        sign-in opens the window again; the screen says why, in the engine's words."""
        self.unlock_button.setEnabled(False)
        self.switch_button.setEnabled(False)
        self.password.clear()
        self.code.clear()
        self._show_code(False)
        self._show_unlock(False)
        self.title.setText("The session has ended. Sign in again to go on.")
        self.message.setText(why)
        old = self.login_dialog
        if old is not None and old.isVisible():
            old.rejected.disconnect()       # replaced, not cancelled: the window stays
            old.close()
        again = "" if "in again" in why else " Sign in again."
        self.login_dialog = LoginDialog(self.ctx, self, heading=f"{why}{again}")
        self.login_dialog.accepted.connect(self._signed_in_again)
        self.login_dialog.rejected.connect(lambda: self.window().close())
        self.login_dialog.open()
        return self.login_dialog

    def _signed_in_again(self) -> None:
        self._show_unlock(True)
        self.unlock_button.setEnabled(True)
        self.switch_button.setEnabled(True)
        self.ctx.set_session(self.login_dialog.session)
        self.unlocked.emit()

    def start_switch(self) -> LoginDialog:
        """Let another user sign in here; the locked user is logged out when they succeed."""
        old = self.ctx.session.user.username
        self.switch_dialog = LoginDialog(
            self.ctx, self, heading=f"Sign in as another user. {old} will be logged out.")
        self.switch_dialog.accepted.connect(self._switched)
        self.switch_dialog.open()
        return self.switch_dialog

    def _switched(self) -> None:
        old, new = self.ctx.session, self.switch_dialog.session

        def done(_n) -> None:
            self.ctx.set_session(new)
            self.unlocked.emit()
        self.ctx.db(lambda: self.ctx.ws.logout(old), done)

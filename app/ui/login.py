"""The login dialog: first administrator, password, second factor, expiry and enrolment.

Every refusal is shown inline, in the engine's own words, so a user who mistyped sees why
without a pop-up; the engine has already logged the attempt. The dialog walks through the
steps a login can need: create the first administrator on a new store, a one-time code,
a new password when the old one expired (with a one-time code where the user has one; a
code works once, so signing in afterwards takes the next one), enrolling an authenticator
app when the role requires one, and a clear notice when the user's ALPR training is not current.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.engine.auth import PasswordExpired, Session
from app.engine.errors import EngineError, SecondFactorRequired
from app.engine.permissions import DATA_ACTIONS

from . import style
from .context import AppContext
from .widgets import password_field


def grouped(secret: str) -> str:
    """A TOTP secret as people type it into an app by hand: groups of four ('ABCD EFGH ...')."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class _Page(QWidget):
    """A form with a message line; the dialog's one button acts on the page shown."""

    def __init__(self, heading: str) -> None:
        super().__init__()
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        outer = QVBoxLayout(self)
        title = QLabel(heading)
        title.setObjectName("heading")
        title.setStyleSheet(style.HEADING)
        title.setWordWrap(True)
        outer.addWidget(title)
        outer.addLayout(self.form)
        outer.addWidget(self.message)
        outer.addStretch(1)

    def say(self, text: str, error: bool = True) -> None:
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)


class LoginDialog(QDialog):
    """Signs one user in; ``session`` holds the result once the dialog is accepted."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, heading: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.session: Session | None = None
        ws = ctx.ws
        self.setWindowTitle(f"ALPR workstation - {ws.profile.agency}")
        self.setObjectName("loginDialog")
        self.setMinimumWidth(460)
        self.pages = QStackedWidget()

        self.first = _Page("New store: create the first ALPR administrator. Accounts are "
                           "personal; the administrator then adds everyone else.")
        self.first_user, self.first_name = QLineEdit(), QLineEdit()
        self.first_pw, self.first_pw2 = password_field(), password_field()
        for label, w in (("User name", self.first_user), ("Full name", self.first_name),
                         ("Password", self.first_pw), ("Repeat password", self.first_pw2)):
            self.first.form.addRow(label, w)

        self.login = _Page(heading or f"Sign in to the {ws.profile.name} workstation.")
        self.user, self.password, self.code = QLineEdit(), password_field(), QLineEdit()
        self.user.setObjectName("username")
        self.password.setObjectName("password")
        self.code.setObjectName("code")
        self.code.setPlaceholderText("6-digit code from your authenticator app")
        self.login.form.addRow("User name", self.user)
        self.login.form.addRow("Password", self.password)
        self.login.form.addRow("One-time code", self.code)
        self.store_note = QLabel(
            "Your password opens the encrypted store: nothing in it is readable before someone "
            "signs in. The first sign-in after the program starts also removes the reads past "
            f"the {ws.profile.retention_days}-day retention period (except those on hold).")
        self.store_note.setObjectName("storeNote")
        self.store_note.setWordWrap(True)
        self.login.form.addRow(self.store_note)
        self._show_code(False)

        self.change = _Page("Your password has expired. Choose a new one to continue.")
        self.new_pw, self.new_pw2 = password_field(), password_field()
        self.change_code = QLineEdit()
        self.change_code.setObjectName("changeCode")
        self.change_code.setPlaceholderText("6-digit code from your authenticator app")
        self.change.form.addRow("New password", self.new_pw)
        self.change.form.addRow("Repeat new password", self.new_pw2)
        self.change.form.addRow("One-time code", self.change_code)
        self._show_change_code(False)

        self.enrol = _Page("Your role requires a second factor. Scan this code with an "
                           "authenticator app, then enter the 6-digit code it shows.")
        self.qr, self.secret, self.enrol_code = QLabel(), QLabel(), QLineEdit()
        self.qr.setObjectName("totpQr")
        self.secret.setObjectName("totpSecret")
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret.setStyleSheet("font-family: monospace; font-size: 14px;")
        self.enrol.form.addRow(self.qr)
        self.enrol.form.addRow("Secret", self.secret)
        self.enrol.form.addRow("Code", self.enrol_code)

        self.notice = _Page("Signed in.")
        for page in (self.first, self.login, self.change, self.enrol, self.notice):
            self.pages.addWidget(page)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("okButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.buttons)
        self._go(self.login, "Sign in")
        ctx.db(ws.needs_first_admin, lambda first: first and self._go(self.first, "Create"))  # type: ignore[func-returns-value]  # used for its effect inside an expression

    # -- steps -------------------------------------------------------------------------------
    def _go(self, page: _Page, button: str) -> None:
        self.pages.setCurrentWidget(page)
        self.ok.setText(button)
        self.ok.setEnabled(True)

    def _show_code(self, visible: bool) -> None:
        self.code.setVisible(visible)
        self.login.form.labelForField(self.code).setVisible(visible)

    def _show_change_code(self, visible: bool) -> None:
        self.change_code.setVisible(visible)
        self.change.form.labelForField(self.change_code).setVisible(visible)

    def submit(self) -> None:
        """The one button: act on whichever step is shown."""
        page = self.pages.currentWidget()
        handler = {self.first: self._create_first, self.login: self._login,
                   self.change: self._change_password, self.enrol: self._confirm_totp,
                   self.notice: self.accept}[page]  # type: ignore[index]  # the stacked widget's pages are the _Page widgets
        handler()

    def _run(self, page: _Page, work, success) -> None:
        """Run on the database thread; engine refusals go to the page's message line."""
        self.ok.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.ok.setEnabled(True)
            if isinstance(exc, EngineError):
                page.say(str(exc))
            else:
                self.ctx.presenter(exc)

        def done(value) -> None:
            self.ok.setEnabled(True)
            success(value)
        self.ctx.db(work, done, failed)

    def _create_first(self) -> None:
        if self.first_pw.text() != self.first_pw2.text():
            self.first.say("The two passwords differ.")
            return
        ws = self.ctx.ws
        name, full, pw = self.first_user.text(), self.first_name.text(), self.first_pw.text()

        def created(user) -> None:
            self.user.setText(user.username)
            self._go(self.login, "Sign in")
            self.login.say(f"Administrator {user.username} created. Sign in with the new password.",
                           error=False)
        self._run(self.first, lambda: ws.create_first_admin(name, full, pw), created)

    def _login(self) -> None:
        ws = self.ctx.ws
        name, pw = self.user.text(), self.password.text()
        code = self.code.text().strip() or None

        def failed(exc: BaseException) -> None:
            self.ok.setEnabled(True)
            if isinstance(exc, SecondFactorRequired):
                self._show_code(True)
                self.code.setFocus()
                self.login.say(str(exc), error=False)
            elif isinstance(exc, PasswordExpired):
                # The engine asks for the expiry before the code, so a code typed here is
                # still unused and serves for the change.
                self._show_change_code(exc.second_factor)
                self.change_code.setText(self.code.text().strip() if exc.second_factor else "")
                self._go(self.change, "Change password")
                self.change.say(str(exc))
            elif isinstance(exc, EngineError):
                self.password.clear()
                self.login.say(str(exc))
            else:
                self.ctx.presenter(exc)
        self.ok.setEnabled(False)
        self.ctx.db(lambda: ws.login(name, pw, code), self._signed_in, failed)

    def _change_password(self) -> None:
        if self.new_pw.text() != self.new_pw2.text():
            self.change.say("The two new passwords differ.")
            return
        ws, name, old, new = self.ctx.ws, self.user.text(), self.password.text(), self.new_pw.text()
        code = self.change_code.text().strip() if self.change_code.isVisibleTo(self.change) else ""

        def changed(_none) -> None:
            self.password.setText(new)
            self._go(self.login, "Sign in")
            if code:                        # that code is used up: sign in with the next one
                self.code.clear()
                self._show_code(True)
                self.code.setFocus()
                self.login.say("Password changed. Enter the next one-time code from your "
                               "authenticator app to sign in (each code works once).", error=False)
                return
            self.login.say("Password changed. Signing in with the new password.", error=False)
            self._login()
        self._run(self.change, lambda: ws.change_password(name, old, new, code or None), changed)

    def _signed_in(self, session: Session) -> None:
        self.session = session
        if session.must_enrol_totp:
            def shown(enrolment) -> None:
                pix = QPixmap()
                pix.loadFromData(enrolment.qr_png, "PNG")
                self.qr.setPixmap(pix)
                self.secret.setText(grouped(enrolment.secret))
                self._go(self.enrol, "Confirm code")
            self._run(self.login, lambda: self.ctx.ws.begin_totp(session), shown)
        else:
            self._check_training()

    def _confirm_totp(self) -> None:
        session, code = self.session, self.enrol_code.text()
        self._run(self.enrol, lambda: self.ctx.ws.confirm_totp(session, code),
                  lambda _n: self._check_training())

    def _check_training(self) -> None:
        """Tell a user without current training, here, why data screens will refuse them."""
        ws, session = self.ctx.ws, self.session
        grants = ws.profile.role(session.user.role).grants
        if not grants & DATA_ACTIONS:
            self.accept()
            return

        def look():
            if ws.current_training(session) is not None:
                return None
            records = ws.training_records(session, session.user.username)
            return records[-1].expires_on if records else ""

        def checked(expired_on) -> None:
            if expired_on is None:
                self.accept()
                return
            when = f"expired on {expired_on}" if expired_on else "is not on record"
            self._go(self.notice, "Continue")
            self.notice.say(f"Signed in as {session.user.username}, but your ALPR training "
                            f"{when}. ALPR data (search, reads, hits) stays closed to you until "
                            "the administrator records current training.")
        self._run(self.login, look, checked)

"""Changing one's own password before it expires (Session menu).

Why ask for the current password although the user is signed in: a workstation left
unlocked for a moment must not let a passer-by take over the account. The engine checks it
(and the one-time code of a user with an authenticator app), counts a wrong one toward
lock-out as at login, applies the same rules as at expiry (length, banned list, history)
and logs the change.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from .context import AppContext
from .widgets import password_field


class PasswordDialog(QDialog):
    """Current password, one-time code (if enrolled), new password twice; refusals stay in
    the dialog."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("passwordDialog")
        self.setWindowTitle(f"Change password - {ctx.session.user.username}")
        self.setMinimumWidth(440)
        self.current = password_field("currentPassword")
        self.new = password_field("newPassword")
        self.repeat = password_field("repeatPassword")
        self.code = QLineEdit()
        self.code.setObjectName("passwordCode")
        self.code.setPlaceholderText("6-digit code from your authenticator app")
        self.message = QLabel()
        self.message.setObjectName("passwordMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change password")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Current password", self.current)
        form.addRow("One-time code", self.code)
        self.code.setVisible(ctx.session.user.totp_enrolled)
        form.labelForField(self.code).setVisible(ctx.session.user.totp_enrolled)
        form.addRow("New password", self.new)
        form.addRow("Repeat new password", self.repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        old, new = self.current.text(), self.new.text()
        code = self.code.text().strip() or None
        if not old or not new:
            self._say("Enter your current password and the new one.")
            return
        if new != self.repeat.text():
            self._say("The two new passwords differ.")
            return
        ws, session = self.ctx.ws, self.ctx.session
        self.buttons.setEnabled(False)
        self.message.clear()

        def failed(text: str) -> None:
            self.buttons.setEnabled(True)
            self.current.clear()
            self.code.clear()
            self._say(f"Not changed: {text}")

        def done(_none) -> None:
            self.buttons.setEnabled(True)
            self.accept()
        self.ctx.db(lambda: ws.change_own_password(session, old, new, code), done,
                    self.ctx.inline(failed))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.adjustSize()       # a wrapped message needs the height the dialog did not have

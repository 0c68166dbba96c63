"""Placing a hold on selected reads so retention does not purge them.

A hold is always for the case the user has declared in the purpose bar (the same case the
access log names), never a number typed here, so the hold and the searches that found its
reads line up in an audit. Only the records custodian may release it afterwards.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from app.engine.retention import HOLD_KINDS

from .context import AppContext


class HoldDialog(QDialog):
    """Kind + reason for a hold on ``read_ids``; ``hold_id`` is set once the engine placed it."""

    def __init__(self, ctx: AppContext, read_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.read_ids = list(read_ids)
        self.hold_id: int | None = None
        self.setObjectName("holdDialog")
        self.setWindowTitle("Place hold")
        case = ctx.session.case_number if ctx.session else None
        self.case = QLabel(case or "none declared: declare one in the purpose bar first")
        self.kind = QComboBox()
        self.kind.setObjectName("holdKind")
        for k in HOLD_KINDS:
            self.kind.addItem(k.capitalize(), k)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("holdReason")
        self.reason.setPlaceholderText("Why these reads must be kept (e.g. evidence in the case)")
        self.reason.setMaximumHeight(80)
        self.message = QLabel()
        self.message.setObjectName("holdMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Place hold")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reads", QLabel(f"{len(self.read_ids)} selected"))
        form.addRow("Case", self.case)
        form.addRow("Kind", self.kind)
        form.addRow("Reason", self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        ws, session = self.ctx.ws, self.ctx.session
        kind, reason, ids = self.kind.currentData(), self.reason.toPlainText(), self.read_ids
        self.buttons.setEnabled(False)

        def failed(text: str) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"No hold placed: {text}")
        self.ctx.db(lambda: ws.place_hold(session, session.case_number, kind, reason, ids),
                    self._done, self.ctx.inline(failed))

    def _done(self, hold_id: int) -> None:
        self.hold_id = hold_id
        self.buttons.setEnabled(True)
        self.message.setText(f"Hold {hold_id} placed on {len(self.read_ids)} reads.")
        self.accept()

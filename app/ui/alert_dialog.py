""""Alert me": set a standing alert on a plate (or pattern) from a read or a search.

The alert is bound to the purpose and case declared in the purpose bar (the engine takes them
from the session, never from this form); the days are offered up to the profile's
``alert_max_days`` and the engine refuses more, with one sentence shown in the dialog.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from app.engine import states

from .context import AppContext
from .widgets import MessageLabel


class AlertDialog(QDialog):
    alert_set = Signal(object)          # the StandingAlert the engine made

    def __init__(self, ctx: AppContext, plate: str, state: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("alertDialog")
        self.setWindowTitle("Alert me when this plate is read again")
        s = ctx.session
        self.pattern = QLineEdit(plate)
        self.pattern.setObjectName("alertPattern")
        self.pattern.setToolTip("A plate, or a pattern with ? (one character) and * (any run).")
        self.days = QSpinBox()
        self.days.setObjectName("alertDays")
        self.days.setRange(1, 365)
        limit = ctx.ws.profile.alert_max_days
        self.days.setValue(min(7, limit))
        self.state = QComboBox()
        self.state.setObjectName("alertState")
        self.state.addItem("Any state", None)
        for code in sorted(states.NAMES):
            self.state.addItem(f"{code} ({states.NAMES[code]})", code)
        if state:
            self.state.setCurrentIndex(max(0, self.state.findData(state)))
        self.note = QLineEdit()
        self.note.setObjectName("alertNote")
        self.note.setPlaceholderText("What to do when it is seen (optional)")
        self.message = MessageLabel(lines=2, width=380, name="alertMessage")
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("Plate or pattern", self.pattern)
        form.addRow("State", self.state)
        form.addRow(f"Days (at most {limit})", self.days)
        form.addRow("Note", self.note)
        bound = QLabel(f"Bound to purpose {s.purpose} and case {s.case_number}." if s and s.purpose
                       else "Declare a purpose and case first.")
        bound.setObjectName("alertBinding")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Set alert")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(bound)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def submit(self) -> None:
        s, ws = self.ctx.session, self.ctx.ws
        if s is None:
            return
        pattern, days, state, note = (self.pattern.text(), self.days.value(), self.state.currentData(),
                                      self.note.text())

        def done(alert) -> None:
            self.alert_set.emit(alert)
            self.accept()
        self.ctx.db(lambda: ws.alerts.set(s, pattern, days, state, note), done,
                    self.ctx.inline(self.message.setText))

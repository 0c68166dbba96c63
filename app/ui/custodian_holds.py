"""The custodian's holds: place one on reads by number, list them, release one with a reason.

A hold placed here names its own case number (a discovery request or a litigation hold comes
with one) rather than the purpose bar's; the engine checks its format, logs the hold, and only
a role granted ``hold_release`` may release it.
"""
from __future__ import annotations

import re
from typing import TypeVar

from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from app.engine.retention import HOLD_KINDS, Hold

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel, plural

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """The widget with its object name (what tests and screenshots find it by)."""
    widget.setObjectName(name)
    return widget


COLUMNS = ("Hold", "Case", "Kind", "Reads", "Placed by", "Placed", "State", "Reason")


class HoldsBox(QGroupBox):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__("Holds")
        self.ctx = ctx
        self.holds: list[Hold] = []
        self.case = named(QLineEdit(), "custodyHoldCase")
        self.case.setPlaceholderText(ctx.ws.profile.case_number_hint.split(" ")[0])
        self.kind = named(QComboBox(), "custodyHoldKind")
        for k in HOLD_KINDS:
            self.kind.addItem(k.capitalize(), k)
        self.reason = named(QLineEdit(), "custodyHoldReason")
        self.reason.setPlaceholderText("why these reads must be kept")
        self.reads = named(QLineEdit(), "custodyHoldReads")
        self.reads.setPlaceholderText("read numbers, e.g. 1024, 1031")
        self.place_button = named(QPushButton("Place hold"), "custodyPlaceHold")
        self.place_button.clicked.connect(self.place)
        self.table = read_only_table(COLUMNS, "custodyHolds")
        self.release_reason = named(QLineEdit(), "custodyReleaseReason")
        self.release_reason.setPlaceholderText("why the selected hold may end")
        self.release_button = named(QPushButton("Release selected hold"), "custodyReleaseHold")
        self.release_button.clicked.connect(self.release)
        self.message = MessageLabel(lines=2, width=600, name="custodyHoldMessage")
        form = QGridLayout()
        for col, (label, w) in enumerate((("Case", self.case), ("Kind", self.kind),
                                          ("Reads", self.reads), ("Reason", self.reason))):
            form.addWidget(QLabel(label), 0, 2 * col)
            form.addWidget(w, 0, 2 * col + 1)
        form.addWidget(self.place_button, 0, 8)
        release = QHBoxLayout()
        release.addWidget(self.release_reason, 1)
        release.addWidget(self.release_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(release)
        layout.addWidget(self.message)

    def reset(self) -> None:
        for w in (self.case, self.reason, self.reads, self.release_reason):
            w.clear()
        self.holds = []
        fill(self.table, [])
        self.message.clear()
        self.place_button.setEnabled(self.ctx.can("hold_place"))
        self.release_button.setEnabled(self.ctx.can("hold_release"))

    def refresh(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.list_holds(s), self._show, self.ctx.inline(self.message.setText))

    def _show(self, holds: list[Hold]) -> None:
        self.holds = holds
        fill(self.table, [(h.id, h.case_number, h.kind, h.read_count, h.placed_by,
                           self.ctx.fmt_time(h.placed_at, seconds=False),
                           "active" if h.active else f"released by {h.released_by}", h.reason)
                          for h in holds])

    def place(self) -> None:
        ids = [int(x) for x in re.findall(r"\d+", self.reads.text())]
        if not ids:
            self.message.setText("Give the numbers of the reads to hold (as the search shows them).")
            return
        ws, s = self.ctx.ws, self.ctx.session
        case, kind, reason = self.case.text(), self.kind.currentData(), self.reason.text()

        def placed(hold_id: int) -> None:
            self.message.setText(f"Hold {hold_id} placed on {plural(len(set(ids)), 'read')} for case "
                                 f"{case.strip().upper()}.")
            self.reads.clear()
            self.reason.clear()
            self.refresh()
        self.ctx.db(lambda: ws.place_hold(s, case, kind, reason, ids), placed,
                    self.ctx.inline(lambda t: self.message.setText(f"No hold placed: {t}")))

    def selected(self) -> Hold | None:
        row = self.table.currentRow()
        return self.holds[row] if 0 <= row < len(self.holds) else None

    def release(self) -> None:
        hold = self.selected()
        if hold is None:
            self.message.setText("Select the hold to release in the list first.")
            return
        ws, s, reason = self.ctx.ws, self.ctx.session, self.release_reason.text()

        def released(_none) -> None:
            self.message.setText(f"Hold {hold.id} released; its reads follow retention again.")
            self.release_reason.clear()
            self.refresh()
        self.ctx.db(lambda: ws.release_hold(s, hold.id, reason), released,
                    self.ctx.inline(lambda t: self.message.setText(f"Not released: {t}")))

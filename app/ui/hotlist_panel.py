"""Hotlist entries: list them, and for roles with the grant, add a local entry or expire one.

A local entry (for instance a vehicle in an open case) is matched at once against the
reads held, so the queue shows any hit it makes; the engine logs each change with reason.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QGroupBox, QHBoxLayout,
                               QLineEdit, QPushButton, QSpinBox, QTableWidgetItem, QVBoxLayout, QWidget)

from .context import AppContext
from .tables import read_only_table
from .widgets import MessageLabel

COLUMNS = ("Hotlist", "Source", "Plate", "Reason", "Priority", "Expires", "Added by", "State")


class HotlistPanel(QGroupBox):
    def __init__(self, ctx: AppContext, service) -> None:
        super().__init__("Hotlist entries")
        self.ctx, self.service = ctx, service
        self.entries: list = []
        self.show_expired = QCheckBox("Include expired")
        self.show_expired.toggled.connect(lambda _c: self.refresh())
        show = QPushButton("Show entries")
        show.setObjectName("showEntries")
        show.clicked.connect(self.refresh)
        self.table = read_only_table(COLUMNS, "entriesTable")
        self.hotlist = QComboBox()
        self.hotlist.setObjectName("hotlistCombo")
        self.plate, self.reason = QLineEdit(), QLineEdit()
        self.plate.setObjectName("entryPlate")
        self.plate.setPlaceholderText("Plate")
        self.plate.setMaximumWidth(110)
        self.plate_state = QLineEdit()
        self.plate_state.setObjectName("entryState")
        self.plate_state.setPlaceholderText("State")
        self.plate_state.setToolTip("The plate's state (CA, NV, ...); empty: any state, and its "
                                    "hits say \"state unknown\".")
        self.plate_state.setMaximumWidth(60)
        self.reason.setObjectName("entryReason")
        self.reason.setPlaceholderText("Reason (what the vehicle is wanted for)")
        self.priority = QSpinBox()
        self.priority.setRange(1, 5)
        self.priority.setValue(2)
        self.priority.setPrefix("priority ")
        self.days = QSpinBox()
        self.days.setRange(0, 365)
        self.days.setValue(30)
        self.days.setSpecialValueText("no expiry")
        self.days.setSuffix(" days")
        add = QPushButton("Add entry")
        add.setObjectName("addEntry")
        add.clicked.connect(self.add)
        expire = QPushButton("Expire selected")
        expire.setObjectName("expireEntry")
        expire.clicked.connect(self.expire)
        self.message = MessageLabel(lines=2, width=300, name="message")

        top = QHBoxLayout()
        top.addWidget(show)
        top.addWidget(self.show_expired)
        top.addStretch(1)
        top.addWidget(expire)
        self.edit_row = QWidget()
        er = QHBoxLayout(self.edit_row)
        er.setContentsMargins(0, 0, 0, 0)
        for w in (self.hotlist, self.plate, self.plate_state, self.reason, self.priority, self.days, add):
            er.addWidget(w, 1 if w is self.reason else 0)
        self.expire_button, self.add_button = expire, add
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.edit_row)
        layout.addWidget(self.message)

    def reset(self) -> None:
        """Nothing of the last session: no entries listed, nothing typed, no message."""
        self.entries = []
        self.table.setRowCount(0)
        self.message.clear()
        self.plate.clear()
        self.plate_state.clear()
        self.reason.clear()
        self.priority.setValue(2)
        self.days.setValue(30)
        self.show_expired.blockSignals(True)
        self.show_expired.setChecked(False)
        self.show_expired.blockSignals(False)

    def start(self) -> None:
        self.reset()
        can_edit = self.ctx.can("hotlist_edit") and self.service is not None
        self.edit_row.setVisible(can_edit)
        self.expire_button.setVisible(can_edit)
        if can_edit:
            service, s = self.service, self.ctx.session

            def fill(lists) -> None:
                self.hotlist.clear()
                for hid, name, source, _kind in lists:
                    self.hotlist.addItem(f"{name} ({source})", hid)
            self.ctx.db(lambda: service.hotlists(s), fill, lambda _e: None)

    def refresh(self) -> None:
        service, s = self.service, self.ctx.session
        if service is None or s is None:
            return
        active_only = not self.show_expired.isChecked()

        def shown(entries) -> None:
            self.entries = entries
            self.table.setRowCount(len(entries))
            for r, e in enumerate(entries):
                expires = (self.ctx.fmt_time(e.expires_at, seconds=False)
                           if e.expires_at else "never")
                values = (e.hotlist, e.source, f"{e.plate} ({e.plate_state or 'any state'})",
                          e.reason, e.priority, expires,
                          e.added_by or "server", "active" if e.active else "expired")
                for c, v in enumerate(values):
                    self.table.setItem(r, c, QTableWidgetItem(str(v)))
            self.table.resizeColumnsToContents()
        self.ctx.db(lambda: service.entries(s, active_only=active_only), shown,
                    self.ctx.inline(self.message.setText))

    def add(self) -> None:
        service, s = self.service, self.ctx.session
        hotlist, plate, reason = self.hotlist.currentData(), self.plate.text(), self.reason.text()
        priority, days = self.priority.value(), self.days.value()
        expires = int(self.ctx.ws.clock()) + days * 86400 if days else None

        def done(result) -> None:
            entry_id, new_hits = result
            self.plate.clear()
            self.plate_state.clear()
            self.reason.clear()
            self.message.setText(f"Entry {entry_id} added; it matched {new_hits} reads held here.")
            self.refresh()
        state = self.plate_state.text()
        self.ctx.db(lambda: service.add_entry(s, hotlist or "", plate, reason, priority, expires, state),
                    done, self.ctx.inline(self.message.setText))

    def expire(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.entries):
            self.message.setText("Select an entry to expire.")
            return
        service, s, entry = self.service, self.ctx.session, self.entries[row]

        def done(_n) -> None:
            self.message.setText(f"Entry for {entry.plate} expired.")
            self.refresh()
        self.ctx.db(lambda: service.expire_entry(s, entry.id), done,
                    self.ctx.inline(self.message.setText))

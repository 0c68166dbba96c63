"""The audit screen: filter the access log, verify its chain, export it as CSV.

Auditors answer "who looked at what, when and why"; the screen filters by user, action,
time and plate in the engine (which logs the audit itself), shows the verdict of the chain
check in words and colour, and exports exactly the filtered entries.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from app.engine import plates, timefmt
from app.engine.accesslog import LogEntry, utc_now_iso
from app.engine.permissions import ACTIONS
from app.engine.workstation import AuditFilter

from .context import AppContext
from .widgets import MessageLabel, ZoneDateTimeEdit, plural

SESSION_ACTIONS = {"login", "login_failed", "login_refused", "logout", "session_lock",
                   "session_unlock", "purpose_set", "denied", "search_page", "view_image",
                   "user_add", "user_unlock", "user_disable", "user_enable", "user_role",
                   "training_add", "password_change", "totp_enrol", "store_create"}
COLUMNS = ("Seq", "Time", "User", "Role", "Action", "Purpose", "Case", "Query", "Reads",
           "Detail")


def _compact(query: dict) -> str:
    """The query's meaningful fields only (a search logs every field, most of them empty)."""
    shown = {k: v for k, v in query.items() if v not in (None, "", [], False)
             and not (k == "sort" and v == "time") and not (k == "descending" and v is True)}
    return json.dumps(shown, separators=(",", ":")) if shown else ""


class AuditModel(QAbstractTableModel):
    def __init__(self, tz) -> None:
        super().__init__()
        self.tz = tz                    # shown in the profile's zone; UTC in the tooltip
        self.entries: list[LogEntry] = []

    def set_entries(self, entries: list[LogEntry]) -> None:
        self.beginResetModel()
        self.entries = list(reversed(entries))          # newest first
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:   # noqa: N802
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:   # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):   # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return f"Time ({timefmt.zone_name(self.tz)})" if section == 1 else COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        e = self.entries[index.row()]
        ids = e.result_ids
        if index.column() == 1 and role == Qt.ItemDataRole.ToolTipRole:
            return f"{e.ts[:19].replace('T', ' ')} UTC (as the access log records it)"
        return (str(e.seq), timefmt.fmt_iso_utc(e.ts, self.tz), e.username, e.role, e.action,
                e.purpose or "", e.case_number or "",
                _compact(e.query),
                f"{len(ids)}: {ids[:6]}{'...' if len(ids) > 6 else ''}" if ids else "",
                json.dumps(e.detail, separators=(",", ":")) if e.detail else "")[index.column()]


class AuditPanel(QWidget):
    def __init__(self, ctx: AppContext,
                 choose_path: Callable[[QWidget], str | None] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.choose_path = choose_path or self._ask_path
        self.user = QLineEdit()
        self.user.setPlaceholderText("any user")
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem("any action", None)
        for a in sorted(ACTIONS | SESSION_ACTIONS):
            self.action.addItem(a, a)
        self.plate = QLineEdit()
        self.plate.setPlaceholderText("plate in the query")
        self.use_start, self.use_end = QCheckBox("From"), QCheckBox("To")
        self.start = ZoneDateTimeEdit(ctx.tz, name="auditStart")
        self.end = ZoneDateTimeEdit(ctx.tz, name="auditEnd")
        self.show_button = QPushButton("Show entries")
        self.show_button.setObjectName("auditShow")
        self.show_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Export CSV...")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.export)
        self.verdict = MessageLabel(lines=2, width=400, name="verifyResult")
        self.count = MessageLabel(width=300, name="auditCount")
        self.model = AuditModel(ctx.tz)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((60, 180, 100, 100, 110, 100, 130, 300, 130)):
            self.table.setColumnWidth(col, width)

        grid = QGridLayout()
        grid.addWidget(QLabel("User"), 0, 0)
        grid.addWidget(self.user, 0, 1)
        grid.addWidget(QLabel("Action"), 0, 2)
        grid.addWidget(self.action, 0, 3)
        grid.addWidget(QLabel("Plate"), 0, 4)
        grid.addWidget(self.plate, 0, 5)
        grid.addWidget(self.use_start, 1, 0)
        grid.addWidget(self.start, 1, 1)
        grid.addWidget(self.use_end, 1, 2)
        grid.addWidget(self.end, 1, 3)
        grid.addWidget(QLabel(f"{ctx.zone_name} time"), 1, 4, 1, 2)
        buttons = QHBoxLayout()
        for b in (self.show_button, self.verify_button, self.export_button):
            buttons.addWidget(b)
        buttons.addWidget(self.count, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        self.reset_form()

    def reset_form(self) -> None:
        """Nothing of the last session: filters, entries, verdict."""
        self.user.clear()
        self.action.setCurrentIndex(0)
        self.plate.clear()
        now = self.ctx.ws.clock()
        self.use_start.setChecked(False)
        self.use_end.setChecked(False)
        self.start.set_timestamp(now - 7 * 86400)
        self.end.set_timestamp(now + 86400)
        self.verdict.setStyleSheet("")
        self.verdict.setText("The chain has not been verified in this session.")
        self.reset()

    def reset(self) -> None:
        """A (new) user: clear the last one's view; offer only what the role grants."""
        self.model.set_entries([])
        self.count.clear()
        self.verify_button.setEnabled(self.ctx.can("audit_verify"))
        self.export_button.setEnabled(self.ctx.can("audit_export"))

    def audit_filter(self) -> AuditFilter:
        def iso(edit: ZoneDateTimeEdit) -> str:
            return utc_now_iso(edit.timestamp())
        return AuditFilter(username=self.user.text().strip() or None,
                           action=self.action.currentData(),
                           start=iso(self.start) if self.use_start.isChecked() else None,
                           end=iso(self.end) if self.use_end.isChecked() else None,
                           plate=plates.normalize(self.plate.text()) or None)

    def refresh(self) -> None:
        ws, s, flt = self.ctx.ws, self.ctx.session, self.audit_filter()

        def shown(entries) -> None:
            self.model.set_entries(entries)
            self.count.setText(f"{plural(len(entries), 'entry', 'entries')} (newest first).")
        self.ctx.db(lambda: ws.audit_entries(s, flt), shown)

    def verify(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.verdict.setText("Verifying the chain...")

        def done(report) -> None:
            self.verdict.setText(report.summary())
            self.verdict.setProperty("ok", report.ok)
            self.verdict.setStyleSheet(
                "color: white; padding: 6px; font-weight: bold; background: "
                + ("#2e7d32;" if report.ok else "#c62828;"))
        self.ctx.db(lambda: ws.audit_verify(s), done)

    def export(self) -> None:
        path = self.choose_path(self)
        if not path:
            return
        ws, s, flt = self.ctx.ws, self.ctx.session, self.audit_filter()
        self.ctx.db(lambda: ws.audit_export(s, Path(path), flt),
                    lambda n: self.count.setText(f"{plural(n, 'entry', 'entries')} exported to {path}."))

    @staticmethod
    def _ask_path(parent: QWidget) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export the access log", "access-log.csv",
                                              "CSV files (*.csv)")
        return path or None

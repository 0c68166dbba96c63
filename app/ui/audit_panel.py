"""The audit screen: filter the access log, verify its chain, export it as CSV.

Auditors answer "who looked at what, when and why"; the screen filters by user, action,
time and plate in the engine (which logs the audit itself), shows each entry as a sentence
(the plate filter finds every entry about a read of that plate, not only searches that typed
it), shows the verdict of the chain check in words and colour, and exports exactly the
entries on screen: the count shown is the count exported.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from app.engine import plates, timefmt
from app.engine.accesslog import LogEntry, utc_now_iso
from app.engine.permissions import ACTIONS
from app.engine.workstation import AuditFilter, AuditResult

from .context import AppContext
from .widgets import MessageLabel, ZoneDateTimeEdit, plural

SESSION_ACTIONS = {"login", "login_failed", "login_refused", "logout", "session_lock",
                   "session_unlock", "purpose_set", "denied", "search_page", "view_image",
                   "user_add", "user_unlock", "user_disable", "user_enable", "user_role",
                   "training_add", "password_change", "totp_enrol", "store_create",
                   "audit_review_start", "audit_finding", "audit_signoff", "audit_approve",
                   "audit_review_report", "user_supervisor", "alert_set", "alert_fire", "alert_end",
                   "alert_view", "streets_import", "retention_certificate", "user_setting",
                   "password_reset", "settings_change", "export_started", "log_upgrade"}
COLUMNS = ("Seq", "Time", "User", "Role", "Action", "Purpose", "Case", "What happened")


class AuditModel(QAbstractTableModel):
    def __init__(self, tz) -> None:
        super().__init__()
        self.tz = tz                    # shown in the profile's zone; UTC in the tooltip
        self.entries: list[LogEntry] = []
        self.sentences: list[str] = []

    def set_result(self, result: AuditResult | None) -> None:
        self.beginResetModel()
        self.entries = list(reversed(result.entries)) if result else []    # newest first
        self.sentences = [result.sentence(e) for e in self.entries] if result else []
        self.endResetModel()

    def set_entries(self, entries: list[LogEntry]) -> None:
        self.set_result(AuditResult(list(entries), 0) if entries else None)

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
        if index.column() == 1 and role == Qt.ItemDataRole.ToolTipRole:
            return f"{e.ts[:19].replace('T', ' ')} UTC (as the access log records it)"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.sentences[index.row()]
        return (str(e.seq), timefmt.fmt_iso_utc(e.ts, self.tz), e.username, e.role, e.action,
                e.purpose or "", e.case_number or "", self.sentences[index.row()])[index.column()]


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
        self.plate.setPlaceholderText("plate: every entry about its reads")
        self.plate.setToolTip("Finds every entry whose results or subject include a read of this "
                              "plate (any search, views, exports, holds, hits), or that names it.")
        self.use_start, self.use_end = QCheckBox("From"), QCheckBox("To")
        self.start = ZoneDateTimeEdit(ctx.tz, name="auditStart")
        self.end = ZoneDateTimeEdit(ctx.tz, name="auditEnd")
        self.show_button = QPushButton("Show entries")
        self.show_button.setObjectName("auditShow")
        self.show_button.clicked.connect(lambda: self.refresh())
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Export CSV...")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.export)
        self.verdict = MessageLabel(lines=2, width=400, name="verifyResult")
        self.count = MessageLabel(lines=2, width=300, name="auditCount")
        self.shown: AuditResult | None = None
        self.shown_filter: AuditFilter | None = None
        self.selected = MessageLabel(lines=3, width=600, name="auditSelected")
        self.selected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = AuditModel(ctx.tz)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((60, 180, 90, 90, 110, 90, 130)):
            self.table.setColumnWidth(col, width)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.selectionModel().currentRowChanged.connect(self._select)

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
        layout.addWidget(self.selected)
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
        self._show(None, None)
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

    def _show(self, result: AuditResult | None, flt: AuditFilter | None) -> None:
        self.shown, self.shown_filter = result, flt
        self.model.set_result(result)
        self.selected.clear()

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        ws, s, flt = self.ctx.ws, self.ctx.session, self.audit_filter()

        def shown(result: AuditResult) -> None:
            self._show(result, flt)
            self.count.setText(self._count_text(result))
            if then is not None:
                then()
        self.ctx.db(lambda: ws.audit_search(s, flt), shown)

    @staticmethod
    def _count_text(result: AuditResult) -> str:
        n = len(result.entries)
        text = f"{plural(n, 'entry', 'entries')} (newest first)"
        if result.truncated:
            text += f": the newest {n:,} of more; narrow the filter to see older ones"
        if result.plate is not None:
            reads = plural(len(result.plate.read_ids), "read")
            text += (f". About plate {result.plate.plate}: every entry whose results or subject "
                     f"include one of its {reads} held now, or that names the plate")
        return text + "."

    def _select(self, current, _previous=None) -> None:
        row = current.row() if current is not None and current.isValid() else -1
        if 0 <= row < len(self.model.entries):
            e = self.model.entries[row]
            self.selected.setText(f"Entry {e.seq}, {timefmt.fmt_iso_utc(e.ts, self.model.tz)}: "
                                  f"{self.model.sentences[row]}")
        else:
            self.selected.clear()

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
        """Export the entries on screen; if the form was changed since, show its entries first,
        so the count on screen is always the count in the file."""
        path = self.choose_path(self)
        if not path:
            return
        if self.shown is None or self.shown_filter != self.audit_filter():
            self.refresh(then=lambda: self._export(path))
        else:
            self._export(path)

    def _export(self, path: str) -> None:
        if self.shown is None or self.shown_filter is None:
            return
        ws, s = self.ctx.ws, self.ctx.session
        flt = replace(self.shown_filter, through_seq=self.shown.through_seq)
        self.ctx.db(lambda: ws.audit_export(s, Path(path), flt),
                    lambda n: self.count.setText(f"{plural(n, 'entry', 'entries')} exported to {path}."))

    @staticmethod
    def _ask_path(parent: QWidget) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export the access log",
                                              str(Path.home() / "access-log.csv"), "CSV files (*.csv)")
        return path or None

"""What every analysis panel shares: run off the GUI thread, show rows, open reads, print.

A panel builds its query from the form, runs the engine call on the runner's database thread
and shows the result; the engine checks the rules and logs the run. Double-clicking a read
emits ``read_activated`` so the main window opens it in the one read-detail view (itself a
logged view). Times are entered and shown in the policy profile's zone (America/Los_Angeles
for the California profiles), labelled, whatever the workstation's own zone, because that is
how reports and witnesses give them; speeds are in the profile's unit (mph in the US).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView,
                               QPushButton, QTableView, QWidget)

from app.engine import timefmt
from app.engine.analyses_types import LOCAL_TZ
from app.engine.auth import Session
from app.engine.errors import ValidationError
from app.engine.search import ReadRow

from ..widgets import MessageLabel, ZoneDateTimeEdit


def read_headers(tz: ZoneInfo = LOCAL_TZ) -> list[str]:
    return ["Read id", "Plate", f"Time ({timefmt.zone_name(tz)})", "Camera", "Site", "Conf."]


READ_HEADERS = read_headers()


def fmt(ts: int | None, tz: ZoneInfo = LOCAL_TZ) -> str:
    """A time in ``tz`` with its abbreviation (PST or PDT), or '-'."""
    return timefmt.fmt(ts, tz)


def read_cells(r: ReadRow, tz: ZoneInfo = LOCAL_TZ) -> list[str]:
    return [str(r.id), r.plate, fmt(r.read_at, tz), r.camera_id, r.site, f"{r.confidence:.2f}"]


def km_h(speed: float) -> str:
    return "same second" if math.isinf(speed) else f"{speed:.0f}"


def speed(kmh: float, unit: str) -> str:
    """A speed in the profile's unit, without the unit (it is in the column's heading)."""
    return "same second" if math.isinf(kmh) else f"{timefmt.speed_from_kmh(kmh, unit):.0f}"


def time_edit(ts: float, name: str, tz: ZoneInfo = LOCAL_TZ) -> ZoneDateTimeEdit:
    """A date-time field holding a wall-clock time in ``tz`` (the profile's zone)."""
    return ZoneDateTimeEdit(tz, ts, name)


def set_time(edit: ZoneDateTimeEdit, ts: float) -> None:
    edit.set_timestamp(ts)


def edit_ts(edit: ZoneDateTimeEdit) -> int:
    return edit.timestamp()


class RowsModel(QAbstractTableModel):
    """A finished result's rows (analyses return bounded lists), each tied to a read id or None."""

    def __init__(self, headers: Sequence[str]) -> None:
        super().__init__()
        self.headers = list(headers)
        self.rows: list[list[str]] = []
        self.ids: list[int | None] = []

    def set_rows(self, rows: list[list[str]], ids: list[int | None] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.ids = ids if ids is not None else [None] * len(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:            # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:         # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def table(model: RowsModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class AnalysisPanel(QWidget):
    """Base of the five panels: a Run button, a status line, Print and Export for the result."""

    read_activated = Signal(int)        # open this read in the read-detail view

    title = ""

    def __init__(self, ws, session: Session, runner) -> None:
        super().__init__()
        self.ws, self.session, self.runner = ws, session, runner
        self.tz = timefmt.zone(ws.profile.time_zone)
        self.zone_name = timefmt.zone_name(self.tz)
        self.speed_unit = ws.profile.speed_unit
        self.result = None
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.print_button = QPushButton("Print PDF…")
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(lambda: self.print_pdf())
        self.export_button = QPushButton("Export as evidence…")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(lambda: self.export_evidence())
        self.status = MessageLabel("Set the parameters and press Run. Each run is logged with its "
                                   "parameters.", lines=2, width=300, name="statusLine")
        self.last_file: Path | None = None
        self.last_export = None
        self._enable_outputs()

    def set_session(self, session: Session) -> None:
        """The main window calls this when the user or purpose changes."""
        self.session = session

    def actions_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.status, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.export_button)
        return row

    def connect_reads(self, view: QTableView, model: RowsModel) -> None:
        def activated(index) -> None:
            rid = model.ids[index.row()] if index.isValid() else None
            if rid is not None:
                self.read_activated.emit(rid)
        view.doubleClicked.connect(activated)

    # -- run -------------------------------------------------------------------------------
    def build_query(self):
        raise NotImplementedError

    def call(self, query):
        raise NotImplementedError

    def show_result(self, result) -> None:
        raise NotImplementedError

    def run(self) -> None:
        try:
            query = self.build_query()
        except ValidationError as exc:
            self.runner.fail(exc)
            return
        session = self.session
        self.status.setText("Running…")
        self.run_button.setEnabled(False)
        self.runner.db(lambda: self.call(session, query), self._done, self._failed,  # type: ignore[call-arg]  # subclasses' call takes the session and the query
                       label=f"an analysis ({self.title.lower()})")

    def _done(self, result) -> None:
        self.run_button.setEnabled(True)
        self.result = result
        self.show_result(result)
        self._enable_outputs()

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        self.status.setText("Not run.")
        self.runner.fail(exc)

    def _enable_outputs(self) -> None:
        has = self.result is not None
        self.print_button.setEnabled(has)
        self.export_button.setEnabled(has and bool(getattr(self.result, "read_ids", None))
                                      and evidence_available(self.ws))
        if not evidence_available(self.ws):
            self.export_button.setToolTip("Evidence export is not available in this build.")

    # -- print and export ----------------------------------------------------------------------
    def _ask_path(self, caption: str, suggested: str, filt: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, caption, suggested, filt)
        return Path(name) if name else None

    def print_pdf(self, path: Path | None = None, done: Callable[[Path], None] | None = None) -> None:
        """Write the shown result as a PDF report (logged as a print by the engine)."""
        if self.result is None:
            return
        path = path or self._ask_path("Print analysis report", f"{self.result.kind}-report.pdf",
                                      "PDF (*.pdf)")
        if path is None:
            return
        result, session = self.result, self.session

        def written(p: Path) -> None:
            self.last_file = p
            self.status.setText(f"Report written to {p}.")
            if done:
                done(p)
        self.runner.db(lambda: self.ws.analyses.report_pdf(session, result, path), written,
                       label="a report being written")

    def export_evidence(self, target: Path | None = None, description: str | None = None,
                        done: Callable[[object], None] | None = None) -> None:
        """Hand the result's reads to evidence export (``ws.evidence``), which logs and holds them."""
        from .evidence import export_reads
        if self.result is None or not self.result.read_ids:
            return
        export_reads(self, target, description, done)


def evidence_available(ws) -> bool:
    from .evidence import available
    return available(ws)

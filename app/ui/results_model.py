"""The results table's model: pages fetched from the engine as the user scrolls.

A search can match a million reads, so the model asks the engine for one page at a time
(``canFetchMore``/``fetchMore``), each page a logged search naming exactly the reads it
returned. Sorting re-runs the query with the engine's SQL sort instead of sorting in Qt, so
the order is over the whole result, not just the rows loaded. A generation counter drops
pages that arrive for a query the user has already replaced.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.engine import states, timefmt
from app.engine.search import ReadRow, SearchQuery

from .context import AppContext
from .ops import Task

FIRST_PAGE = 100
NEXT_PAGE = 500

COLUMNS = ("Time", "Plate", "State", "Difference", "Flags", "Confidence", "Camera", "Site", "Vendor",
           "Vehicle")
SORT_KEYS = {0: "time", 1: "plate", 5: "confidence", 6: "camera"}
STATE_COLUMN, MATCH_COLUMN, FLAGS_COLUMN = 2, 3, 4
HEADER_TIPS = {
    0: "When the camera read the plate, in the policy profile's time zone.",
    MATCH_COLUMN: "How far the plate read is from the plate searched: 0.00 is the same plate; "
                  "each OCR confusion (0/O, 8/B, ...) or missing or extra character adds to it, "
                  "up to 1.00. Closest first.",
    STATE_COLUMN: "The plate's issuing state as the camera read it; a dash where it could not.",
    5: "The camera vendor's confidence in its read, 0 to 1 (higher is surer).",
    9: "Make, colour and body type as the camera's vendor described the vehicle, where it did.",
}


_DISPLAY, _FOREGROUND = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole
_TOOLTIP, _USER = Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole
_HIT_BRUSH = QBrush(QColor("#b00020"))


def _cells(r: ReadRow, tz) -> tuple[str, ...]:
    return (timefmt.fmt(r.read_at, tz), r.plate, states.shown(r.plate_state),
            "" if r.closeness is None else f"{r.closeness:.2f}",
            flags(r), f"{r.confidence:.2f}", r.camera_name, r.site, r.vendor or "", r.vehicle.text())


def flags(row: ReadRow) -> str:
    out = []
    if row.has_hit:
        out.append("HIT")
    if row.possible_misread:
        out.append("misread?")
    if row.original_plate:
        out.append(f"corrected from {row.original_plate}")
    return ", ".join(out)


class ResultsModel(QAbstractTableModel):
    """Rows of one search; the view pulls more pages by scrolling."""

    loaded = Signal(int)           # rows now held, after each page arrives
    finished = Signal()            # the query has no more pages
    failed = Signal(str)           # the engine refused or failed (the presenter says why)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list[ReadRow] = []
        self._cells: dict[int, tuple[str, ...]] = {}
        self.query: SearchQuery | None = None
        self.has_more = False
        self.loading: Task | None = None
        self.generation = 0

    # -- Qt's table interface ------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # type: ignore[override]  # Qt passes a QModelIndex here; noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # type: ignore[override]  # Qt passes a QModelIndex here; noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):   # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Time ({self.ctx.zone_name})" if section == 0 else COLUMNS[section]
        if role == _TOOLTIP:
            return HEADER_TIPS.get(section)
        return None

    def data(self, index: QModelIndex, role=_DISPLAY):  # type: ignore[override]  # Qt passes a QModelIndex here
        """Called for every cell and role on each repaint, so the text is built once per row."""
        row = index.row()
        if role == _DISPLAY:
            cells = self._cells.get(row)
            if cells is None:
                if not 0 <= row < len(self.rows):
                    return None
                cells = self._cells[row] = _cells(self.rows[row], self.ctx.tz)
            return cells[index.column()]
        if not 0 <= row < len(self.rows):
            return None
        r = self.rows[row]
        if role == _FOREGROUND and r.has_hit and index.column() == FLAGS_COLUMN:
            return _HIT_BRUSH
        if role == _TOOLTIP and r.possible_misread:
            return "The plate may be misread: open the read to compare the readings."
        if role == _USER:
            return r.id
        return None

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # type: ignore[override]  # Qt passes a QModelIndex here; noqa: N802
        return not parent.isValid() and self.has_more and self.loading is None

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # type: ignore[override]  # Qt passes a QModelIndex here; noqa: N802
        if self.canFetchMore(parent):
            self._fetch(len(self.rows), NEXT_PAGE)

    def sort(self, column: int, order=Qt.SortOrder.DescendingOrder) -> None:
        """Re-query in SQL: the order must hold over every match, not the rows loaded."""
        key = SORT_KEYS.get(column)
        if key is None or self.query is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.query.sort, self.query.descending):
            self.start(replace(self.query, sort=key, descending=descending))

    # -- running -------------------------------------------------------------------------------
    def start(self, query: SearchQuery) -> Task:
        """Forget the old result and fetch the first page of ``query``."""
        self.cancel()
        self.beginResetModel()
        self.rows, self.query, self.has_more, self._cells = [], query, True, {}
        self.endResetModel()
        return self._fetch(0, FIRST_PAGE)

    def clear(self) -> None:
        """Drop the result (a new user must not see the last one's rows)."""
        self.cancel()
        self.beginResetModel()
        self.rows, self.query, self.has_more, self._cells = [], None, False, {}
        self.endResetModel()

    def cancel(self) -> None:
        """Drop the page in flight; nothing more is fetched until the next search (a view such
        as the picture grid may ask the model for more pages at any time)."""
        self.generation += 1
        self.has_more = False
        if self.loading is not None:
            self.loading.cancel()
            self.loading = None

    def _fetch(self, offset: int, limit: int) -> Task:
        ws, session, query, generation = self.ctx.ws, self.ctx.session, self.query, self.generation

        def arrived(page) -> None:
            if generation != self.generation:
                return
            self.loading = None
            if page.rows:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page.rows) - 1)
                self.rows.extend(page.rows)
                self.endInsertRows()
            self.has_more = page.has_more
            self.loaded.emit(len(self.rows))
            if not page.has_more:
                self.finished.emit()

        def failed(exc: BaseException) -> None:
            if generation == self.generation:
                self.loading, self.has_more = None, False
                self.failed.emit(str(exc))
                self.finished.emit()
            self.ctx.runner.fail(exc)
        task = self.loading = Task(label="a search")
        self.ctx.runner.db(lambda: ws.search(session, query, offset, limit), arrived, failed, task)
        return task

    def refresh_read(self, fresh: ReadRow) -> None:
        """Show a read as the engine now holds it (corrected, re-read) where it is listed,
        keeping the row's match score, which belongs to the search, not the read."""
        for i, row in enumerate(self.rows):
            if row.id == fresh.id:
                self.rows[i] = replace(fresh, closeness=row.closeness)
                self._cells.pop(i, None)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def read_id(self, row: int) -> int | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None

"""The search screen: plate and mode, time range, cameras and sites, hits only; the results.

The form builds a :class:`SearchQuery` and hands it to the results model, which runs it on
the database thread; the window stays live and Cancel drops the search. The form stays
closed until a purpose and case number are declared (purpose first), and the engine checks
again on every page.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QGridLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.engine import states
from app.engine.search import MODES, UNKNOWN_STATE, SearchQuery

from .context import AppContext
from .plate_list_dialog import PlateListDialog
from .results_model import MATCH_COLUMN, ResultsModel
from .results_views import ResultsViews
from .vehicle_filter import VehicleFilter
from .widgets import MessageLabel, ZoneDateTimeEdit, plural

DEFAULT_DAYS = 30

MODE_HELP = {"exact": "the plate as read (or as originally read before a correction)",
             "partial": "plates containing these characters",
             "wildcard": "? is one character, * any run",
             "similar": "OCR confusions (0/O/D/Q, 1/I/L, 8/B, 5/S, 2/Z, 6/G) and one missing or "
                        "extra character, closest first"}


def _checklist() -> QListWidget:
    lst = QListWidget()
    lst.setMaximumHeight(72)
    return lst


def _checked(lst: QListWidget) -> tuple[str, ...]:
    return tuple(lst.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lst.count())
                 if lst.item(i).checkState() == Qt.CheckState.Checked)


class SearchPanel(QWidget):
    read_selected = Signal(int)
    photo_requested = Signal()
    export_requested = Signal(list)     # the selected read ids
    hold_requested = Signal(list)
    alert_requested = Signal(str, object)   # the plate field and state: "Alert me"
    print_requested = Signal(object)    # the SearchQuery of the form: "Print..."

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.plate = QLineEdit()
        self.plate.setObjectName("plateInput")
        self.plate.setPlaceholderText("Plate, e.g. 7ABC123")
        self.plate.returnPressed.connect(self.run_search)
        self.mode = QComboBox()
        self.mode.setObjectName("modeCombo")
        for m in MODES:
            self.mode.addItem(m.capitalize(), m)
        self.mode.currentIndexChanged.connect(
            lambda _i: self.mode.setToolTip(MODE_HELP[self.mode.currentData()]))
        self.use_start, self.use_end = QCheckBox("From"), QCheckBox("To")
        self.start, self.end = ZoneDateTimeEdit(ctx.tz, name="searchStart"), \
            ZoneDateTimeEdit(ctx.tz, name="searchEnd")
        self.zone_label = QLabel(f"{ctx.zone_name} time")
        self.zone_label.setObjectName("searchZone")
        self.zone_label.setToolTip(f"Times are typed and shown in {ctx.tz.key}, the policy "
                                   "profile's zone, whatever this computer's clock is set to.")
        self.cameras, self.sites = _checklist(), _checklist()
        self.hits_only = QCheckBox("Hits only")
        self.vehicle = VehicleFilter()
        self.state = QComboBox()
        self.state.setObjectName("stateCombo")
        self.state.setToolTip("Only reads of plates from this state (as the camera read it).")
        self.state.addItem("Any state", "")
        self.state.addItem("State unknown", UNKNOWN_STATE)
        for code, name in sorted(states.NAMES.items()):
            self.state.addItem(f"{code}  {name}", code)
        self.list_button = QPushButton("Plate list...")
        self.list_button.setObjectName("plateListButton")
        self.list_button.setToolTip("Search up to 500 plates at once (a tip sheet or canvass).")
        self.list_button.clicked.connect(self.open_plate_list)
        self.plate_list: PlateListDialog | None = None
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.run_search)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.photo_button = QPushButton("Search by photo...")
        self.photo_button.setObjectName("photoSearchButton")
        self.photo_button.clicked.connect(self.photo_requested)
        self.export_button = QPushButton("Export selected...")
        self.export_button.setObjectName("exportSelectedButton")
        self.export_button.clicked.connect(lambda: self._ask(self.export_requested))
        self.hold_button = QPushButton("Place hold...")
        self.hold_button.setObjectName("holdSelectedButton")
        self.hold_button.clicked.connect(lambda: self._ask(self.hold_requested))
        self.alert_button = QPushButton("Alert me...")
        self.alert_button.setObjectName("searchAlertButton")
        self.alert_button.clicked.connect(self._alert)
        self.print_button = QPushButton("Print...")
        self.print_button.setObjectName("searchPrintButton")
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.build_query()))
        self.status = MessageLabel(lines=2, width=300, name="searchStatus")
        self.closed = MessageLabel("Declare a purpose and case number in the bar above "
                                   "(Ctrl+D) to search.", lines=2, width=300, name="purposeHint")
        self.closed.setStyleSheet("color: #b00020;")

        form = QGridLayout()
        form.addWidget(QLabel("Plate"), 0, 0)
        form.addWidget(self.plate, 0, 1)
        form.addWidget(self.mode, 0, 2)
        flags = QHBoxLayout()
        flags.addWidget(self.state, 1)
        flags.addWidget(self.hits_only)
        form.addLayout(flags, 0, 3)
        form.addWidget(self.use_start, 1, 0)
        form.addWidget(self.start, 1, 1)
        end = QHBoxLayout()
        end.addWidget(self.end, 1)
        end.addWidget(self.zone_label)
        form.addWidget(self.use_end, 1, 2)
        form.addLayout(end, 1, 3)
        form.addWidget(QLabel("Cameras"), 2, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.cameras, 2, 1, 1, 2)
        form.addWidget(self.sites, 2, 3)
        form.addWidget(self.vehicle, 3, 1, 1, 3)
        form.setColumnStretch(1, 2)
        form.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.photo_button)
        buttons.addWidget(self.list_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.hold_button)
        messages = QHBoxLayout()        # its own line, of fixed height: nothing moves with it
        messages.addWidget(self.status, 1)
        messages.addWidget(self.closed, 1)
        messages.addWidget(self.alert_button)       # on the results: "alert me", "print them"
        messages.addWidget(self.print_button)

        self.model = ResultsModel(ctx)
        self.model.loaded.connect(self._loaded)
        self.model.finished.connect(lambda: self._busy(False))
        self.model.failed.connect(lambda text: self.status.setText(f"Not searched: {text}"))
        self.table = QTableView()
        self.table.setObjectName("resultsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        for col, width in enumerate((170, 80, 45, 75, 80, 75, 195, 165, 110)):
            self.table.setColumnWidth(col, width)
        self.table.setColumnHidden(MATCH_COLUMN, True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.views = ResultsViews(ctx, self.model, self.table)
        self.views.map.read_clicked.connect(self.select_read)
        self.views.map.camera_clicked.connect(self.filter_camera)
        messages.addLayout(self.views.switch)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(messages)
        layout.addWidget(self.views, 1)
        ctx.purpose_changed.connect(self._purpose_changed)
        ctx.session_changed.connect(self.clear)
        self.reset_form()
        self._purpose_changed()

    # -- filters from the store ------------------------------------------------------------------
    def load_cameras(self) -> None:
        """Fill the camera and site lists (camera set-up from the engine, no plates)."""
        ws, session = self.ctx.ws, self.ctx.session

        def fill(rows) -> None:
            self.cameras.clear()
            self.sites.clear()
            for cam_id, name, _site in rows:
                self._add_check(self.cameras, f"{cam_id}  {name}", cam_id)
            for site in sorted({r[2] for r in rows}):
                self._add_check(self.sites, site, site)
        self.ctx.db(lambda: ws.cameras(session), fill)

    @staticmethod
    def _add_check(lst: QListWidget, text: str, value: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        lst.addItem(item)

    # -- running ----------------------------------------------------------------------------------
    def build_query(self) -> SearchQuery:
        car = self.vehicle.values()
        return SearchQuery(plate=self.plate.text(), mode=self.mode.currentData(),
                           start=self.start.timestamp() if self.use_start.isChecked() else None,
                           end=self.end.timestamp() if self.use_end.isChecked() else None,
                           cameras=_checked(self.cameras), sites=_checked(self.sites),
                           hits_only=self.hits_only.isChecked(), state=self.state.currentData(),
                           vehicle_make=car["vehicle_make"], vehicle_color=car["vehicle_color"],
                           vehicle_body=car["vehicle_body"])

    def set_range(self, start: datetime | None, end: datetime | None) -> None:
        for use, edit, value in ((self.use_start, self.start, start), (self.use_end, self.end, end)):
            use.setChecked(value is not None)
            if value is not None:
                edit.set_timestamp(value.timestamp())

    def run_search(self) -> None:
        if not self.plate.isEnabled():
            return                      # purpose first: the form is closed
        self.status.setText("Searching...")
        self._busy(True)
        query = self.build_query()
        similar = query.mode == "similar"           # ranked by closeness, not sorted
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.blockSignals(False)
        header.setSortIndicatorShown(not similar)
        self.table.setColumnHidden(MATCH_COLUMN, not similar)
        self.model.start(query)

    def open_plate_list(self) -> PlateListDialog:
        """The plate-list window, searched within this form's From and To where they are set."""
        if self.plate_list is None:
            self.plate_list = PlateListDialog(self.ctx, self._window, self)
            self.plate_list.read_requested.connect(self.read_selected)
        self.plate_list.show()
        self.plate_list.raise_()
        return self.plate_list

    def _window(self) -> tuple[int | None, int | None]:
        return (self.start.timestamp() if self.use_start.isChecked() else None,
                self.end.timestamp() if self.use_end.isChecked() else None)

    def cancel(self) -> None:
        self.model.cancel()
        self._busy(False)
        self.status.setText("Search cancelled.")

    def _busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.search_button.setEnabled(not busy and self.ctx.session is not None
                                      and bool(self.ctx.session.purpose))

    def _loaded(self, rows: int) -> None:
        more = self.model.has_more
        if rows == 0:
            self.status.setText("No reads match.")
        else:
            self.status.setText(f"{plural(rows, 'read')} shown"
                                f"{', more load as you scroll' if more else ''}.")
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        if not self.model.loading:
            self._busy(False)

    def _alert(self) -> None:
        """'Alert me' on the plate (or pattern) in the form, for its state where one is chosen."""
        state = self.state.currentData()
        self.alert_requested.emit(self.plate.text(), state if state not in ("", UNKNOWN_STATE) else None)

    def _purpose_changed(self) -> None:
        s = self.ctx.session
        open_ = s is not None and bool(s.purpose and s.case_number)
        self.closed.setVisible(not open_)
        for w in (self.plate, self.mode, self.search_button, self.photo_button, self.list_button,
                  self.alert_button, self.print_button):
            w.setEnabled(open_)
        for button, action in ((self.photo_button, "search"), (self.export_button, "export"),
                               (self.hold_button, "hold_place")):
            button.setVisible(self.ctx.can(action))

    def clear(self) -> None:
        """A new user sees nothing of the previous user's results."""
        self.model.clear()
        self.status.clear()

    def reset_form(self) -> None:
        """Empty the form and the results (logout, lock, another user): nothing typed or
        found by one person is left for the next."""
        self.clear()
        self.plate.clear()
        self.mode.setCurrentIndex(0)
        self.mode.setToolTip(MODE_HELP[self.mode.currentData()])
        now = self.ctx.ws.clock()
        self.use_start.setChecked(False)
        self.use_end.setChecked(False)
        self.start.set_timestamp(now - DEFAULT_DAYS * 86400)
        self.end.set_timestamp(now)
        self.hits_only.setChecked(False)
        self.state.setCurrentIndex(0)
        self.vehicle.clear()
        for lst in (self.cameras, self.sites):
            for i in range(lst.count()):
                lst.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.table.setColumnHidden(MATCH_COLUMN, True)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.blockSignals(False)
        header.setSortIndicatorShown(True)

    def _row_changed(self, current, _previous) -> None:
        read_id = self.model.read_id(current.row())
        if read_id is not None:
            self.read_selected.emit(read_id)

    def selected_ids(self) -> list[int]:
        """Read ids of the selected rows, in table order (export and hold act on these)."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [rid for rid in (self.model.read_id(r) for r in rows) if rid is not None]

    def _ask(self, signal) -> None:
        ids = self.selected_ids()
        if ids:
            signal.emit(ids)
        else:
            self.status.setText("Select one or more reads first (Ctrl or Shift + click).")

    def search_similar(self, plate: str) -> None:
        """Run a Similar search for ``plate`` (a reading picked from a photo)."""
        self.plate.setText(plate)
        self.mode.setCurrentIndex(self.mode.findData("similar"))
        self.run_search()

    def filter_camera(self, camera_id: str) -> None:
        """Narrow the form to one camera (a camera picked on the analyses' map)."""
        for i in range(self.cameras.count()):
            item = self.cameras.item(i)
            same = item.data(Qt.ItemDataRole.UserRole) == camera_id
            item.setCheckState(Qt.CheckState.Checked if same else Qt.CheckState.Unchecked)

    def select_read(self, read_id: int) -> None:
        """Select a read among the results (a sighting clicked on the map)."""
        row = next((i for i, r in enumerate(self.model.rows) if r.id == read_id), None)
        if row is not None:
            self.table.selectRow(row)

    def step(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) result (keyboard shortcuts)."""
        if not self.model.rows:
            return
        row = self.table.currentIndex().row()
        row = 0 if row < 0 else min(max(row + delta, 0), len(self.model.rows) - 1)
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))


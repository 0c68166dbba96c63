"""Stakeout panel: pick two or more places, each a camera or site with its own time window.

Typical use is a crime series: the places and times of each incident go in, and the plates
seen at several of them come out, each with the reads that put it there. The street map beside
them rings each place and shows the chosen plate's reads, joined in time order.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QSplitter, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from app.engine.analyses_types import Place, StakeoutQuery
from app.engine.errors import ValidationError

from ..street_map import StreetMap
from .common import AnalysisPanel, RowsModel, edit_ts, read_cells, read_headers, table, time_edit

DAY = 86400


class PlaceRow(QWidget):
    """One place: a camera or site and its window."""

    def __init__(self, choices: list[tuple[str, str, str]], start: float, end: float, tz) -> None:
        super().__init__()
        self.where = QComboBox()
        self.where.setObjectName("placeWhere")
        self.set_choices(choices)
        self.start, self.end = time_edit(start, "placeStart", tz), time_edit(end, "placeEnd", tz)
        self.remove = QPushButton("Remove")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.where, QLabel("from"), self.start, QLabel("to"), self.end, self.remove):
            row.addWidget(w)
        row.setStretch(0, 1)

    def set_choices(self, choices: list[tuple[str, str, str]]) -> None:
        current = self.where.currentData()
        self.where.clear()
        for kind, key, label in choices:
            self.where.addItem(label, f"{kind}:{key}")
        if current is not None:
            self.where.setCurrentIndex(max(0, self.where.findData(current)))

    def place(self) -> Place:
        data = self.where.currentData()
        if data is None:
            raise ValidationError("A place has no camera or site: sync cameras first.")
        kind, _, key = data.partition(":")
        start, end = edit_ts(self.start), edit_ts(self.end)
        return Place(start, end, cameras=(key,)) if kind == "camera" else Place(start, end, sites=(key,))


class StakeoutPanel(AnalysisPanel):
    title = "Stakeout"

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("stakeoutPanel")
        self.choices: list[tuple[str, str, str]] = []
        self.rows: list[PlaceRow] = []
        self.rows_box = QVBoxLayout()
        self.add_button = QPushButton("Add place")
        self.add_button.setObjectName("addPlace")
        self.add_button.clicked.connect(lambda: self.add_place())
        self.min_places = QSpinBox()
        self.min_places.setObjectName("minPlaces")
        self.min_places.setRange(2, 12)
        places = QGroupBox(f"Places and times ({self.zone_name} time)")
        box = QVBoxLayout(places)
        box.addLayout(self.rows_box)
        foot = QHBoxLayout()
        foot.addWidget(self.add_button)
        foot.addStretch(1)
        foot.addWidget(QLabel("Seen at least at"))
        foot.addWidget(self.min_places)
        foot.addWidget(QLabel("places"))
        box.addLayout(foot)

        self.plates_model = RowsModel(["Plate", "Seen at places", "Reads"])
        self.plates_view = table(self.plates_model, "stakeoutPlates")
        self.plates_view.selectionModel().currentRowChanged.connect(
            lambda cur, _p: self._show_reads(cur.row()))
        self.reads_model = RowsModel(["Place"] + read_headers(self.tz))
        self.reads_view = table(self.reads_model, "stakeoutReads")
        self.connect_reads(self.reads_view, self.reads_model)
        self.map = StreetMap(self.tz, "stakeoutMap")
        self.map.read_clicked.connect(self.read_activated)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plates_view)
        split.addWidget(self.reads_view)
        split.addWidget(self.map)
        split.setSizes([220, 560, 420])

        lay = QVBoxLayout(self)
        lay.addWidget(places)
        lay.addLayout(self.actions_row())
        lay.addWidget(split, 1)
        now = ws.clock()
        for i in range(2):
            self.add_place(now - (i + 1) * DAY - 3600, now - (i + 1) * DAY)
        self.load_places()

    def set_session(self, session) -> None:
        """A new user or purpose: also re-read the cameras, which a sync may have added."""
        super().set_session(session)
        self.load_places()

    def load_places(self) -> None:
        """Cameras and sites to pick from (camera set-up, not ALPR data: not logged)."""
        def fill(rows) -> None:
            sites = sorted({site for _i, _n, site in rows})
            self.choices = ([("camera", cid, f"Camera {cid}: {name}") for cid, name, _s in rows]
                            + [("site", s, f"Site: {s}") for s in sites])
            for r in self.rows:
                r.set_choices(self.choices)
        ws, session = self.ws, self.session
        self.runner.db(lambda: ws.cameras(session), fill)

    def add_place(self, start: float | None = None, end: float | None = None) -> PlaceRow:
        if end is None:
            end = self.ws.clock()
            start = end - 3600
        row = PlaceRow(self.choices, start, end, self.tz)
        row.remove.clicked.connect(lambda: self.remove_place(row))
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self.min_places.setMaximum(max(2, len(self.rows)))
        return row

    def remove_place(self, row: PlaceRow) -> None:
        if len(self.rows) <= 2:
            self.runner.fail(ValidationError("A stakeout needs at least two places."))
            return
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self.min_places.setMaximum(max(2, len(self.rows)))

    def build_query(self) -> StakeoutQuery:
        return StakeoutQuery(tuple(r.place() for r in self.rows), self.min_places.value())

    def call(self, session, query):
        return self.ws.analyses.stakeout(session, query)

    def show_result(self, res) -> None:
        q = res.query
        self.plates_model.set_rows([[p.plate, ", ".join(str(i + 1) for i in p.places), str(len(p.reads))]
                                    for p in res.plates])
        more = " (limit reached: narrow the windows)" if res.truncated else ""
        n = len(res.plates)
        self.status.setText(f"{n} plate{'' if n == 1 else 's'} seen at {q.min_places} or more of "
                            f"{len(q.places)} places{more}. Double-click a read to open it.")
        ws, session = self.ws, self.session
        self.runner.db(lambda: (ws.streets.layer(session), ws.streets.cameras(session)),
                       lambda got: self._mapped(res, *got))

    def _mapped(self, res, layer, cameras) -> None:
        """The streets, the cameras and each place ringed (a site: its cameras)."""
        self.map.set_map(layer, cameras)
        self.map.set_places([(p.name(i), tuple(p.cameras) + tuple(c.id for c in cameras if c.site in p.sites))
                             for i, p in enumerate(res.query.places)])
        if res.plates:
            self.plates_view.selectRow(0)
        else:
            self.reads_model.set_rows([])
            self.map.set_sightings([])
            self.map.set_path([])

    def _show_reads(self, row: int) -> None:
        if self.result is None or not 0 <= row < len(self.result.plates):
            return
        plate = self.result.plates[row]
        places = self.result.query.places
        self.map.set_sightings(plate.reads)
        self.map.set_path(sorted(plate.reads, key=lambda r: (r.read_at, r.id)))
        cams = [set(p.cameras) for p in places]
        cells, ids = [], []
        for r in plate.reads:
            at = [str(i + 1) for i in plate.places
                  if places[i].start <= r.read_at < places[i].end
                  and (r.camera_id in cams[i] or r.site in places[i].sites)]
            cells.append([", ".join(at)] + read_cells(r, self.tz))
            ids.append(r.id)
        self.reads_model.set_rows(cells, ids)

"""The search results on the street map ("Map" beside "Table" and "Pictures").

It draws the rows the results model already holds (each page a logged search), so drawing
logs nothing new; the streets and cameras are set-up data loaded once per user. A click on a
camera narrows the map to it and ticks it in the search form; a click on a sighting selects
that read (opening it is the detail's logged view) and narrows the map to its plate, whose
path over the chosen day is drawn in time order.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.engine.streets import path

from .context import AppContext
from .results_model import ResultsModel
from .street_map import StreetMap
from .widgets import MessageLabel

HELP = "Click a camera or a sighting to filter; drag to pan, wheel to zoom."


class ResultsMap(QWidget):
    read_clicked = Signal(int)
    camera_clicked = Signal(str)

    def __init__(self, ctx: AppContext, model: ResultsModel) -> None:
        super().__init__()
        self.ctx, self.model = ctx, model
        self.map = StreetMap(ctx.tz, "resultsMap")
        self.map.read_clicked.connect(self.read_clicked)
        self.map.camera_clicked.connect(self.camera_clicked)
        self.map.filter_changed.connect(self._filtered)
        self.note = MessageLabel(HELP, lines=2, name="mapNote")    # never widens the window
        self.day = QComboBox()
        self.day.setObjectName("pathDay")
        self.day.setMinimumContentsLength(10)
        self.day.setToolTip("The plate's path on this day, in the order it was read.")
        self.day.currentIndexChanged.connect(self._draw_path)
        self.all_button = QPushButton("Show all")
        self.all_button.setObjectName("mapShowAll")
        self.all_button.clicked.connect(lambda: self.map.set_filter())
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(QLabel("Path on"))
        bar.addWidget(self.day)
        bar.addWidget(self.all_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.map, 1)
        self.loaded_for: object = None
        ctx.session_changed.connect(self._forget)

    def _forget(self) -> None:
        self.loaded_for = None
        self.map.set_sightings([])

    def showing(self) -> None:
        """Called when the Map view is chosen and when more results arrive while it is shown."""
        s = self.ctx.session
        if s is not None and self.loaded_for is not s:
            self.loaded_for = s
            ws = self.ctx.ws
            self.ctx.db(lambda: (ws.streets.layer(s), ws.streets.cameras(s)),
                        lambda got: (self.map.set_map(*got), self.refresh()))  # type: ignore[func-returns-value]  # both for their effect
        self.refresh()

    def refresh(self) -> None:
        self.map.set_sightings(self.model.rows)
        self._filtered()

    def _filtered(self) -> None:
        shown = self.map.shown
        plates = {r.plate for r in shown}
        camera, plate = self.map.only_camera, self.map.only_plate
        what = (f"{len(shown)} sightings" + (f" at {camera}" if camera else "")
                + (f" of {plate}" if plate else "") + (" (filtered)" if camera or plate else ""))
        self.note.setText(f"{what}. {HELP}")
        self.day.blockSignals(True)
        self.day.clear()
        if len(plates) == 1:
            only = next(iter(plates))
            days = path.days(shown, only, self.ctx.tz)
            for d in days:
                self.day.addItem(d.isoformat(), d)
            chosen = next((r for r in shown if r.id == self.map.selected_read), None)
            want = path.days([chosen], only, self.ctx.tz)[0] if chosen else days[-1]
            self.day.setCurrentIndex(days.index(want))
        self.day.blockSignals(False)
        self.day.setEnabled(self.day.count() > 0)
        self._draw_path()

    def _draw_path(self, *_args) -> None:
        day = self.day.currentData()
        shown = self.map.shown
        if day is None or not shown:
            self.map.set_path([])
            return
        self.map.set_path(path.day_path(shown, shown[0].plate, day, self.ctx.tz))

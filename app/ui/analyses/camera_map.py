"""Camera map panel: cameras at their coordinates over the city's streets, coloured by volume.

No web tiles: the workstation may have no network, and a tile server would learn where the
investigator is looking. The street map widget (``app/ui/street_map.py``) projects cameras
around the city's centre (``geo.Projection``) over the street layer the administrator
imported; clicking a camera emits ``camera_clicked`` so the main window can filter the search
to it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout

from app.engine.analyses_types import CameraMapQuery
from app.engine.streets import MapCamera, StreetLayer

from ..street_map import StreetMap

from .common import AnalysisPanel, RowsModel, edit_ts, table, time_edit

LOW, HIGH = QColor("#fde9a6"), QColor("#b2182b")
OFFLINE = QColor("#7f7f7f")           # a camera that was offline in the period: grey, and says so


def volume_colour(n: int, peak: int) -> QColor:
    """Pale yellow for a quiet camera through to dark red for the busiest."""
    f = 0.0 if peak <= 0 else min(1.0, n / peak)
    def mix(a: int, b: int) -> int:
        return int(a + (b - a) * f)
    return QColor(mix(LOW.red(), HIGH.red()), mix(LOW.green(), HIGH.green()), mix(LOW.blue(), HIGH.blue()))


class CameraMapPanel(AnalysisPanel):
    title = "Camera map"
    camera_clicked = Signal(str)        # filter the search to this camera

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("cameraMapPanel")
        now = ws.clock()
        self.start = time_edit(now - 30 * 86400, "mapStart", self.tz)
        self.end = time_edit(now, "mapEnd", self.tz)
        form = QHBoxLayout()
        for w in (QLabel("Read volume from"), self.start, QLabel("to"), self.end,
                  QLabel(f"{self.zone_name} time")):
            form.addWidget(w)
        form.addStretch(1)
        self.view = StreetMap(self.tz, "cameraMapView")
        self.view.camera_clicked.connect(self.click_camera)
        self.model = RowsModel(["Camera", "Reads", "Site"])
        self.list_view = table(self.model, "cameraMapTable")
        self.list_view.clicked.connect(lambda idx: self.click_camera(self.model.rows[idx.row()][0]))
        self.list_view.setMinimumWidth(300)
        swatch = "<span style='background:{}'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        legend = QLabel(f"{swatch.format(LOW.name())} few reads &nbsp;…&nbsp; {swatch.format(HIGH.name())} "
                        "most reads &nbsp;&nbsp; streets: the imported layer &nbsp;&nbsp; click a camera to search it")
        self.print_button.setText("Print PDF…")
        self.export_button.hide()                        # counts only: there are no reads to export
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.list_view)
        split.setSizes([700, 320])
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(self.actions_row())
        lay.addWidget(split, 1)
        lay.addWidget(legend)

    def build_query(self) -> CameraMapQuery:
        return CameraMapQuery(edit_ts(self.start), edit_ts(self.end))

    def call(self, session, query):
        return self.ws.analyses.camera_map(session, query)

    def click_camera(self, camera_id: str) -> None:
        self.view.only_camera = camera_id
        self.view.update()
        self.status.setText(f"Camera {camera_id} selected: the search is filtered to it.")
        self.camera_clicked.emit(camera_id)

    def show_result(self, res) -> None:
        self.model.set_rows([[c.camera_id, f"{c.reads:,}", c.site] for c in res.cameras])
        placed = [c for c in res.cameras if c.lat is not None and c.lon is not None]
        peak = max((c.reads for c in placed), default=0)
        missing = [c.camera_id for c in res.cameras if c.lat is None or c.lon is None]
        note = f" Not on the map (no coordinates): {', '.join(missing)}." if missing else ""
        offline = [c.camera_id for c in res.cameras if c.outages]
        note += f" Offline in the period: {', '.join(offline)}." if offline else ""
        self.status.setText(f"{res.total:,} reads at {len(placed)} mapped cameras.{note}")
        cams = [MapCamera(c.camera_id, c.name, c.site, c.lat, c.lon) for c in placed]
        session = self.session

        def drawn(layer: StreetLayer) -> None:
            self.view.set_map(layer, cams)
            self.view.set_camera_style(
                {c.camera_id: OFFLINE if c.outages else volume_colour(c.reads, peak) for c in placed},
                {c.camera_id: f"{c.reads:,}{'  offline' if c.outages else ''}" for c in placed})
        self.runner.db(lambda: self.ws.streets.layer(session), drawn)

"""Camera map panel: cameras at their coordinates on a plain offline canvas, coloured by volume.

No web tiles: the workstation may have no network, and a tile server would learn where the
investigator is looking. Cameras are projected around the city's centre (``geo.Projection``)
onto a kilometre grid; clicking a camera emits ``camera_clicked`` so the main window can
filter the search to it.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QHBoxLayout, QLabel, QSplitter, QVBoxLayout)

from app.engine.analyses_types import CameraMapQuery
from app.engine.geo import Projection

from .common import AnalysisPanel, RowsModel, edit_ts, fmt, table, time_edit

PX_PER_KM = 120.0
RADIUS = 9.0
LOW, HIGH = QColor("#fde9a6"), QColor("#b2182b")


def volume_colour(n: int, peak: int) -> QColor:
    """Pale yellow for a quiet camera through to dark red for the busiest."""
    f = 0.0 if peak <= 0 else min(1.0, n / peak)
    def mix(a: int, b: int) -> int:
        return int(a + (b - a) * f)
    return QColor(mix(LOW.red(), HIGH.red()), mix(LOW.green(), HIGH.green()), mix(LOW.blue(), HIGH.blue()))


class CameraDot(QGraphicsEllipseItem):
    """One camera; a click reports its id."""

    def __init__(self, camera_id: str, colour: QColor, on_click) -> None:
        super().__init__(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.camera_id = camera_id
        self.on_click = on_click
        self.setBrush(QBrush(colour))
        self.setPen(QPen(QColor("#333"), 1.2))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)

    def mousePressEvent(self, event) -> None:           # noqa: N802 - Qt's name
        self.on_click(self.camera_id)
        event.accept()


class MapView(QGraphicsView):
    """The canvas: wheel to zoom, drag to pan."""

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self.setObjectName("cameraMapView")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QColor("#f4f1ea"))
        self.setMinimumSize(420, 320)

    def wheelEvent(self, event) -> None:                # noqa: N802
        f = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(f, f)

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect().adjusted(-40, -40, 40, 40)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:               # noqa: N802
        super().resizeEvent(event)
        self.fit()


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
        self.scene = QGraphicsScene(self)
        self.view = MapView(self.scene)
        self.dots: dict[str, CameraDot] = {}
        self.model = RowsModel(["Camera", "Reads", "Site"])
        self.list_view = table(self.model, "cameraMapTable")
        self.list_view.clicked.connect(lambda idx: self.click_camera(self.model.rows[idx.row()][0]))
        self.list_view.setMinimumWidth(300)
        swatch = "<span style='background:{}'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        legend = QLabel(f"{swatch.format(LOW.name())} few reads &nbsp;…&nbsp; {swatch.format(HIGH.name())} "
                        "most reads &nbsp;&nbsp; grid: 1 km &nbsp;&nbsp; click a camera to search it")
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
        for cid, dot in self.dots.items():
            chosen = cid == camera_id
            dot.setPen(QPen(QColor("#0b57d0") if chosen else QColor("#333"), 3 if chosen else 1.2))
            dot.setZValue(3 if chosen else 2)
        self.status.setText(f"Camera {camera_id} selected: the search is filtered to it.")
        self.camera_clicked.emit(camera_id)

    def show_result(self, res) -> None:
        self.model.set_rows([[c.camera_id, f"{c.reads:,}", c.site] for c in res.cameras])
        self.scene.clear()
        self.dots = {}
        placed = [c for c in res.cameras if c.lat is not None and c.lon is not None]
        proj = Projection.around([(c.lat, c.lon) for c in placed])
        pts = {c.camera_id: proj.xy_km(c.lat, c.lon) for c in placed}
        self._grid([p for p in pts.values()])
        peak = max((c.reads for c in placed), default=0)
        font = QFont(self.font())
        font.setPointSizeF(8)
        shown: list[tuple[float, float]] = []
        for c in sorted(placed, key=lambda c: (-pts[c.camera_id][1], c.camera_id)):
            x, y = pts[c.camera_id]
            # cameras at one site stand metres apart: stack their labels instead of overprinting
            stack = sum(1 for sx, sy in shown if abs(sx - x) < 0.35 and abs(sy - y) < 0.2)
            shown.append((x, y))
            dot = CameraDot(c.camera_id, volume_colour(c.reads, peak), self.click_camera)
            dot.setPos(QPointF(x * PX_PER_KM, -y * PX_PER_KM))
            down = "".join(f"\noffline {fmt(a)} to {fmt(b) if b else 'now'}: {why}"
                           for a, b, why in c.outages)
            dot.setToolTip(f"{c.camera_id}: {c.name}\n{c.site}\n{c.reads:,} reads{down}")
            if c.outages:                                # offline in the period: a dashed red ring
                dot.setPen(QPen(QColor("#c5221f"), 2.5, Qt.PenStyle.DashLine))
            self.scene.addItem(dot)
            self.dots[c.camera_id] = dot
            label = QGraphicsSimpleTextItem(f"{c.camera_id}  {c.reads:,}{'  offline' if c.outages else ''}", dot)
            label.setFont(font)
            # a camera just to the right would sit under the label: put this one's on the left
            crowded = any(0 < pts[o][0] - x < 1.2 and abs(pts[o][1] - y) < 0.25 for o in pts)
            left = -RADIUS - 2 - label.boundingRect().width()
            label.setPos(left if crowded and not stack else RADIUS + 2, -RADIUS + stack * 14)
        self.view.fit()
        missing = [c.camera_id for c in res.cameras if c.lat is None or c.lon is None]
        note = f" Not on the map (no coordinates): {', '.join(missing)}." if missing else ""
        offline = [c.camera_id for c in res.cameras if c.outages]
        note += f" Offline in the period: {', '.join(offline)}." if offline else ""
        self.status.setText(f"{res.total:,} reads at {len(placed)} mapped cameras.{note}")

    def _grid(self, pts: list[tuple[float, float]]) -> None:
        """A 1 km grid under the cameras, so distances can be judged by eye."""
        if not pts:
            return
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x0, x1 = int(min(xs)) - 2, int(max(xs)) + 2       # room for a label left of a camera
        y0, y1 = int(min(ys)) - 1, int(max(ys)) + 2
        pen = QPen(QColor("#dcd6c8"), 0)
        for gx in range(x0, x1 + 1):
            self.scene.addLine(gx * PX_PER_KM, -y0 * PX_PER_KM, gx * PX_PER_KM, -y1 * PX_PER_KM, pen)
        for gy in range(y0, y1 + 1):
            self.scene.addLine(x0 * PX_PER_KM, -gy * PX_PER_KM, x1 * PX_PER_KM, -gy * PX_PER_KM, pen)
        self.scene.setSceneRect(QRectF(x0 * PX_PER_KM, -y1 * PX_PER_KM, (x1 - x0) * PX_PER_KM,
                                       (y1 - y0) * PX_PER_KM))

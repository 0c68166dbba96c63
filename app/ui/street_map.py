"""The street map: the city's imported centre-lines, cameras, stakeout places and sightings,
painted offline on one widget (no tiles: nothing learns where the investigator looks).

One custom painter rather than a graphics scene: ten thousand sightings are ten thousand
points in two numpy arrays, drawn with one ``drawPoints`` per colour, so a redraw takes
milliseconds. Positions use the camera map's projection (``geo.Projection``, kilometres
around the cameras' centre). Sightings at one camera fan out in a small spiral, so each can be
seen and clicked. A click on a camera or a sighting filters the map to it and is reported
(``camera_clicked``, ``read_clicked``); a plate's path over a day is drawn in time order.
"""
from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QWidget

from app.engine import timefmt
from app.engine.geo import Projection
from app.engine.search import ReadRow
from app.engine.streets import MapCamera, StreetLayer

from .street_paint import CAMERA_R, draw_camera, draw_path, draw_places

SPIRAL_PX = 2.6                  # spacing of a camera's sightings around it, on screen
HIT = QColor("#c0392b")
READ = QColor(31, 95, 170, 170)
CLICK_PX = 6.0                   # how near a click must be to a sighting


class StreetMap(QWidget):
    camera_clicked = Signal(str)
    read_clicked = Signal(int)
    filter_changed = Signal()

    def __init__(self, tz: ZoneInfo, name: str = "streetMap") -> None:
        super().__init__()
        self.tz = tz
        self.setObjectName(name)
        self.setMinimumSize(360, 260)
        self.setMouseTracking(False)
        self.proj = Projection(0.0, 0.0)
        self.cameras: dict[str, MapCamera] = {}
        self.camera_xy: dict[str, tuple[float, float]] = {}
        self.camera_colour: dict[str, QColor] = {}
        self.camera_note: dict[str, str] = {}
        self.streets = QPainterPath()
        self.places: list[tuple[str, tuple[str, ...]]] = []
        self.sightings: list[ReadRow] = []
        self.path: list[ReadRow] = []
        self.only_camera: str | None = None
        self.only_plate: str | None = None
        self.selected_read: int | None = None
        self._shown: list[ReadRow] = []
        self._xy = np.zeros((0, 2))            # km positions of the shown sightings
        self._scale, self._centre = 100.0, (0.0, 0.0)          # px per km; km at the widget's centre
        self._press: QPointF | None = None
        self._dragged = False
        self._layer: StreetLayer | None = None

    # -- data -----------------------------------------------------------------------------------
    def set_map(self, layer: StreetLayer, cameras: Sequence[MapCamera]) -> None:
        """Streets and cameras (set-up data, loaded once per session)."""
        self.cameras = {c.id: c for c in cameras}
        self.proj = Projection.around([(c.lat, c.lon) for c in cameras] or
                                      [(p[1], p[0]) for s in layer.segments for p in s.points[:1]])
        self.camera_xy = {c.id: self.proj.xy_km(c.lat, c.lon) for c in cameras}
        self._layer = layer
        path = QPainterPath()
        for seg in layer.segments:
            pts = [self.proj.xy_km(lat, lon) for lon, lat in seg.points]
            path.moveTo(pts[0][0], -pts[0][1])
            for x, y in pts[1:]:
                path.lineTo(x, -y)
        self.streets = path
        self._layout()
        self.fit()

    def set_camera_style(self, colours: dict[str, QColor], notes: dict[str, str]) -> None:
        """Colours and second lines per camera (the camera map's read volume)."""
        self.camera_colour, self.camera_note = colours, notes
        self.update()

    def set_places(self, places: list[tuple[str, tuple[str, ...]]]) -> None:
        """Stakeout places: (label, camera ids), each ringed on the map."""
        self.places = places
        self.update()

    def set_sightings(self, rows: Sequence[ReadRow]) -> None:
        self.sightings = list(rows)
        self._layout()

    def set_path(self, rows: Sequence[ReadRow]) -> None:
        """Reads to join in the order given (``streets.path.day_path``); empty: no path."""
        self.path = list(rows)
        self.update()

    def set_filter(self, camera: str | None = None, plate: str | None = None) -> None:
        self.only_camera, self.only_plate = camera, plate
        self._layout()
        self.filter_changed.emit()

    @property
    def shown(self) -> list[ReadRow]:
        """The sightings drawn now, after the filter."""
        return self._shown

    def _layout(self) -> None:
        """Which sightings are drawn and where (km): a spiral around each camera, newest first
        at the centre; recomputed when the data or the filter change, not on every paint."""
        rows = [r for r in self.sightings if r.camera_id in self.camera_xy
                and (self.only_camera is None or r.camera_id == self.only_camera)
                and (self.only_plate is None or r.plate == self.only_plate)]
        self._shown = rows
        cams = np.array([self.camera_xy[r.camera_id] for r in rows]).reshape(-1, 2)
        order = np.zeros(len(rows))
        seen: dict[str, int] = {}
        for i, r in enumerate(rows):
            order[i] = seen.get(r.camera_id, 0)
            seen[r.camera_id] = int(order[i]) + 1
        radius = (CAMERA_R + 4 + SPIRAL_PX * np.sqrt(order + 1)) / self._scale   # around the marker
        angle = order * 2.39996                 # the golden angle: an even fan of any size
        self._xy = cams + np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))
        self.update()

    # -- view -----------------------------------------------------------------------------------
    def fit(self) -> None:
        pts = list(self.camera_xy.values())
        if not pts:
            rect = self.streets.boundingRect()
            pts = [(rect.left(), -rect.top()), (rect.right(), -rect.bottom())]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        span_x, span_y = max(max(xs) - min(xs), 0.5), max(max(ys) - min(ys), 0.5)
        self._centre = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        self._scale = 0.7 * min(max(self.width(), 100) / span_x, max(self.height(), 100) / span_y)
        self._layout()

    def to_screen(self) -> QTransform:
        """Kilometres (y north) to widget pixels."""
        t = QTransform()
        t.translate(self.width() / 2, self.height() / 2)
        t.scale(self._scale, self._scale)
        t.translate(-self._centre[0], self._centre[1])
        return t

    def screen_xy(self, x_km: float, y_km: float) -> QPointF:
        return self.to_screen().map(QPointF(x_km, -y_km))

    def resizeEvent(self, event) -> None:               # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event) -> None:                # noqa: N802
        f = 1.2 if event.angleDelta().y() > 0 else 1 / 1.2
        self._scale = min(max(self._scale * f, 5.0), 20000.0)
        self._layout()

    def mousePressEvent(self, event) -> None:           # noqa: N802
        self._press, self._dragged = event.position(), False

    def mouseMoveEvent(self, event) -> None:            # noqa: N802
        if self._press is None:
            return
        d = event.position() - self._press
        if self._dragged or abs(d.x()) + abs(d.y()) > 4:
            self._dragged = True
            self._centre = (self._centre[0] - d.x() / self._scale, self._centre[1] + d.y() / self._scale)
            self._press = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:         # noqa: N802
        if self._press is not None and not self._dragged:
            self.click_at(event.position())
        self._press = None

    def click_at(self, pos: QPointF) -> None:
        """A camera under the pointer filters to it; else the nearest sighting to its plate."""
        for cid, (x, y) in self.camera_xy.items():
            p = self.screen_xy(x, y)
            if max(abs(p.x() - pos.x()), abs(p.y() - pos.y())) <= CAMERA_R + 1:
                self.click_camera(cid)
                return
        if len(self._shown):
            t = self.to_screen()
            sx = self._xy[:, 0] * t.m11() + t.dx()
            sy = -self._xy[:, 1] * t.m22() + t.dy()
            d = np.hypot(sx - pos.x(), sy - pos.y())
            i = int(np.argmin(d))
            if d[i] <= CLICK_PX:
                self.click_read(self._shown[i].id)

    def click_camera(self, camera_id: str) -> None:
        self.set_filter(camera=camera_id)
        self.camera_clicked.emit(camera_id)

    def click_read(self, read_id: int) -> None:
        row = next(r for r in self.sightings if r.id == read_id)
        self.selected_read = read_id
        self.set_filter(plate=row.plate)
        self.read_clicked.emit(read_id)

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:               # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#f4f1ea"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.to_screen()
        p.save()
        p.setTransform(t)
        pen = QPen(QColor("#c9c1ad"), 2.2)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.drawPath(self.streets)
        p.restore()
        self._paint_sightings(p, t)
        font = QFont(self.font())
        font.setPointSizeF(8)
        p.setFont(font)
        draw_places(p, self.places, self.camera_xy, self.screen_xy)
        labels: list[QRectF] = []              # cameras metres apart: their labels stack
        for cid, (x, y) in sorted(self.camera_xy.items(), key=lambda kv: (-kv[1][1], kv[0])):
            labels.append(draw_camera(p, self.screen_xy(x, y), cid, self.camera_colour.get(cid),
                                      self.camera_note.get(cid, ""), cid == self.only_camera, labels))
        draw_path(p, [(self.screen_xy(*self.camera_xy[r.camera_id]), r.read_at) for r in self.path
                      if r.camera_id in self.camera_xy], self._time_label)
        p.end()

    def _time_label(self, ts: int) -> str:
        return timefmt.local(ts, self.tz).strftime("%H:%M")

    def _paint_sightings(self, p: QPainter, t: QTransform) -> None:
        if not len(self._shown):
            return
        sx = self._xy[:, 0] * t.m11() + t.dx()
        sy = -self._xy[:, 1] * t.m22() + t.dy()
        hit = np.fromiter((r.has_hit for r in self._shown), bool, len(self._shown))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for mask, colour, size in ((~hit, READ, 4.0), (hit, HIT, 5.0)):
            if not mask.any():
                continue
            pen = QPen(colour, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawPoints(QPolygonF([QPointF(x, y) for x, y in zip(sx[mask], sy[mask])]))
        if self.selected_read is not None:
            for i, r in enumerate(self._shown):
                if r.id == self.selected_read:
                    p.setRenderHint(QPainter.RenderHint.Antialiasing)
                    p.setPen(QPen(QColor("#0b57d0"), 2))
                    p.drawEllipse(QRectF(sx[i] - 6, sy[i] - 6, 12, 12))

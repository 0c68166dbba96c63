"""Locate panel: where and when a plate is usually seen, as tables and a bar chart.

The chart is painted directly (QPainter) so it needs no chart module: reads by local hour of
day on the left, by weekday on the right, so a pattern such as "weekday mornings at Las
Virgenes" is visible at a glance.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from app.engine import timefmt
from app.engine.analyses_types import LOCAL_TZ, WEEKDAYS, LocateQuery

from .common import AnalysisPanel, RowsModel, edit_ts, fmt, read_cells, read_headers, table, time_edit

BAR = QColor("#3b6ea8")
PEAK = QColor("#c2571a")


class LocateChart(QWidget):
    """Two bar charts side by side: 24 hours of the day and 7 weekdays."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("locateChart")
        self.setMinimumHeight(190)
        self.by_hour: tuple[int, ...] = (0,) * 24
        self.by_weekday: tuple[int, ...] = (0,) * 7

    def set_counts(self, by_hour: tuple[int, ...], by_weekday: tuple[int, ...]) -> None:
        self.by_hour, self.by_weekday = by_hour, by_weekday
        self.update()

    def paintEvent(self, _event) -> None:               # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        w, h = self.width(), self.height()
        split = w * 0.68
        self._bars(p, QRectF(8, 4, split - 16, h - 8), self.by_hour,
                   [f"{i:02d}" if i % 3 == 0 else "" for i in range(24)], f"Reads by hour of day ({timefmt.zone_name(LOCAL_TZ)})")
        self._bars(p, QRectF(split + 8, 4, w - split - 16, h - 8), self.by_weekday, list(WEEKDAYS),
                   "Reads by weekday")
        p.end()

    def _bars(self, p: QPainter, area: QRectF, counts, labels: list[str], title: str) -> None:
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        p.setFont(font)
        p.setPen(QPen(QColor("#333")))
        p.drawText(QRectF(area.left(), area.top(), area.width(), 16), Qt.AlignmentFlag.AlignLeft, title)
        top, bottom = area.top() + 30, area.bottom() - 16
        peak = max(counts) if counts and max(counts) else 1
        p.setPen(QPen(QColor("#bbb")))
        p.drawLine(int(area.left()), int(bottom), int(area.right()), int(bottom))
        step = area.width() / len(counts)
        for i, n in enumerate(counts):
            x = area.left() + i * step
            bar_h = (bottom - top) * n / peak
            if n:
                p.fillRect(QRectF(x + step * 0.15, bottom - bar_h, step * 0.7, bar_h),
                           PEAK if n == peak else BAR)
                p.setPen(QPen(QColor("#222")))
                p.drawText(QRectF(x, bottom - bar_h - 14, step, 14), Qt.AlignmentFlag.AlignCenter, str(n))
            p.setPen(QPen(QColor("#555")))
            p.drawText(QRectF(x - step, bottom + 1, step * 3, 14), Qt.AlignmentFlag.AlignCenter, labels[i])


class LocatePanel(AnalysisPanel):
    title = "Locate"

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("locatePanel")
        self.plate = QLineEdit()
        self.plate.setObjectName("locatePlate")
        self.plate.setPlaceholderText("Plate, e.g. 7ABC123")
        self.plate.returnPressed.connect(self.run)
        now = ws.clock()
        self.limit_time = QCheckBox("Only from")
        self.limit_time.setObjectName("locateUseRange")
        self.start, self.end = (time_edit(now - 90 * 86400, "locateStart", self.tz),
                               time_edit(now, "locateEnd", self.tz))
        form = QHBoxLayout()
        for wdg in (QLabel("Plate"), self.plate, self.limit_time, self.start, QLabel("to"), self.end,
                    QLabel(f"{self.zone_name} time")):
            form.addWidget(wdg)
        form.addStretch(1)
        self.last = QLabel("")
        self.last.setObjectName("lastSighting")
        self.last.setStyleSheet("font-weight: bold;")
        self.chart = LocateChart()
        self.cams_model = RowsModel(["Camera", "Name", "Site", "Reads",
                                     f"Last read ({self.zone_name})"])
        self.cams_view = table(self.cams_model, "locateCameras")
        self.connect_reads(self.cams_view, self.cams_model)
        self.reads_model = RowsModel(read_headers(self.tz))
        self.reads_view = table(self.reads_model, "locateReads")
        self.connect_reads(self.reads_view, self.reads_model)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.cams_view)
        split.addWidget(self.reads_view)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(self.actions_row())
        lay.addWidget(self.last)
        lay.addWidget(self.chart)
        lay.addWidget(split, 1)

    def build_query(self) -> LocateQuery:
        if self.limit_time.isChecked():
            return LocateQuery(self.plate.text(), edit_ts(self.start), edit_ts(self.end))
        return LocateQuery(self.plate.text())

    def call(self, session, query):
        return self.ws.analyses.locate(session, query)

    def show_result(self, res) -> None:
        last_by_cam: dict[str, int] = {}
        for r in res.reads:
            last_by_cam.setdefault(r.camera_id, r.id)
        self.cams_model.set_rows([[c.camera_id, c.name, c.site, str(c.count), fmt(c.last_at, self.tz)]
                                  for c in res.cameras], [last_by_cam[c.camera_id] for c in res.cameras])
        self.reads_model.set_rows([read_cells(r, self.tz) for r in res.reads], [r.id for r in res.reads])
        self.chart.set_counts(res.by_hour, res.by_weekday)
        if res.last is None:
            self.last.setText(f"{res.query.plate} was not read in this period.")
        else:
            self.last.setText(f"Last seen {fmt(res.last.read_at, self.tz)} at {res.last.camera_id} "
                              f"({res.last.camera_name}, {res.last.site})")
        self.status.setText(f"{len(res.reads)} reads at {len(res.cameras)} cameras. "
                            "Double-click a camera for its last read, or any read to open it.")

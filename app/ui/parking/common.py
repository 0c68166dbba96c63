"""What the parking screens share: facility and day pickers, a status line, a bar chart.

Each screen calls ``ws.parking`` on the runner's database thread; the engine checks the role,
the purpose the function needs (named in the hint) and logs the call. Counts only on the
occupancy screen; plates and images on the others, for the roles that may see them.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QWidget

from app.engine import timefmt
from app.engine.auth import Session

from ..widgets import MessageLabel


class ParkingPanel(QWidget):
    """Base: the facility and day row, and a status line that says which purpose is needed."""

    title = ""
    purpose_hint = ""

    def __init__(self, ws, session: Session, runner) -> None:
        super().__init__()
        self.ws, self.session, self.runner = ws, session, runner
        self.tz = timefmt.zone(ws.profile.time_zone)
        self.facility = QComboBox()
        self.facility.setObjectName("facility")
        self.day = QDateEdit()
        self.day.setObjectName("day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = timefmt.today(ws.clock(), self.tz)
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.run_button = QPushButton("Show")
        self.run_button.setObjectName("runButton")
        self.run_button.clicked.connect(self.run)
        self.status = MessageLabel(self.purpose_hint, lines=2, width=320, name="statusLine")

    def set_session(self, session: Session) -> None:
        self.session = session

    def load_facilities(self) -> None:
        """Names and capacities: set-up data, read without a log entry."""
        current = self.facility.currentData()
        self.facility.clear()
        for f in self.ws.parking.facilities(self.session):
            self.facility.addItem(f"{f.name} ({f.id})", f.id)
        index = self.facility.findData(current)
        self.facility.setCurrentIndex(max(index, 0))

    def picker_row(self, *more: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Facility"))
        row.addWidget(self.facility, 2)
        row.addWidget(QLabel(f"Day ({timefmt.zone_name(self.tz)})"))
        row.addWidget(self.day)
        row.addWidget(self.run_button)
        for w in more:
            row.addWidget(w)
        row.addWidget(self.status, 3)
        return row

    def chosen(self) -> tuple[str, date]:
        d = self.day.date()
        return self.facility.currentData() or "", date(d.year(), d.month(), d.day())

    def call(self, work, done, label: str) -> None:
        """Run ``work`` on the database thread; a refusal shows in the status line too."""
        def failed(exc: BaseException) -> None:
            self.status.setText(str(exc))
            self.runner.fail(exc)
        self.runner.db(work, done, failed, label=label)

    def run(self) -> None:
        raise NotImplementedError


class BarChart(QWidget):
    """Bars with their labels and a dashed capacity line: the occupancy by hour or weekday."""

    def __init__(self, name: str, title: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.title = title
        self.labels: list[str] = []
        self.values: list[float] = []
        self.capacity = 0
        self.setMinimumHeight(180)

    def set_data(self, labels: list[str], values: list[float], capacity: int, title: str | None = None) -> None:
        self.labels, self.values, self.capacity = labels, values, capacity
        self.title = title or self.title
        self.setAccessibleDescription(f"{self.title}: " + ", ".join(
            f"{lab} {v:.0f}" for lab, v in zip(labels, values)))
        self.update()

    def paintEvent(self, _event) -> None:          # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, top, bottom = 40, 22, 22
        p.drawText(QRectF(0, 0, w, top), Qt.AlignmentFlag.AlignCenter, self.title)
        if not self.values:
            p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, "No data shown yet.")
            return
        top_value = max([*self.values, self.capacity, 1]) * 1.1
        plot_h = h - top - bottom
        step = (w - left - 8) / len(self.values)
        p.setPen(QPen(QColor("#888")))
        for frac in (0.0, 0.5, 1.0):
            y = top + plot_h * (1 - frac)
            p.drawLine(left, int(y), w - 8, int(y))
            p.drawText(QRectF(0, y - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight, f"{top_value * frac:.0f}")
        for i, (label, v) in enumerate(zip(self.labels, self.values)):
            x = left + i * step
            bh = plot_h * v / top_value
            full = self.capacity and v >= self.capacity
            p.fillRect(QRectF(x + 2, top + plot_h - bh, max(step - 4, 1), bh),
                       QColor("#b22222" if full else "#3b6ea5"))
            p.setPen(QColor("#333"))
            p.drawText(QRectF(x, h - bottom, step, bottom), Qt.AlignmentFlag.AlignCenter, label)
        if self.capacity:
            y = top + plot_h * (1 - self.capacity / top_value)
            p.setPen(QPen(QColor("#b22222"), 1.5, Qt.PenStyle.DashLine))
            p.drawLine(left, int(y), w - 8, int(y))
            p.drawText(QRectF(left + 4, y - 16, 200, 14), Qt.AlignmentFlag.AlignLeft,
                       f"capacity {self.capacity}")

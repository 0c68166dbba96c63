"""Occupancy screen: present now against capacity, the day by hour, and the weekly profile."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QSpinBox, QVBoxLayout

from app.engine.parking.occupancy import WEEKDAYS

from .common import BarChart, ParkingPanel


class OccupancyPanel(ParkingPanel):
    title = "Occupancy"
    purpose_hint = "Counts only. Declare purpose OCCUPANCY, then pick a facility and a day."

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.days = QSpinBox()
        self.days.setObjectName("trendDays")
        self.days.setRange(7, 366)
        self.days.setValue(28)
        self.days.setSuffix(" days trend")
        self.live = QLabel("Present now: -")
        self.live.setObjectName("liveLabel")
        self.live.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.by_hour = BarChart("hourChart", "Most vehicles present, by hour")
        self.trend_hour = BarChart("trendHourChart", "Trend: mean by hour")
        self.trend_week = BarChart("trendWeekChart", "Trend: mean daily peak by weekday")
        self.print_button = QPushButton("Print PDF…")
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(lambda: self.print_pdf())
        lay = QVBoxLayout(self)
        lay.addLayout(self.picker_row(self.days, self.print_button))
        lay.addWidget(self.live)
        lay.addWidget(self.by_hour, 2)
        lay.addWidget(self.trend_hour, 1)
        lay.addWidget(self.trend_week, 1)
        self.result = None

    def run(self) -> None:
        fid, day = self.chosen()
        session, days = self.session, self.days.value()

        def work():
            occ, live = self.ws.parking.occupancy(session, fid, day)
            return occ, live, self.ws.parking.trend(session, fid, day, days)
        self.call(work, self.show_result, "occupancy")

    def show_result(self, result) -> None:
        occ, live, trend = result
        self.result = result
        pct = 100 * live / occ.capacity
        self.live.setText(f"Present now: {live} of {occ.capacity} ({pct:.0f}%), "
                          f"{max(occ.capacity - live, 0)} spaces free")
        hours = [f"{h:02d}" for h in range(24)]
        self.by_hour.set_data(hours, list(occ.by_hour), occ.capacity,
                              f"{occ.day}: most vehicles present, by hour (peak {occ.peak}, "
                              f"{occ.entries} entries, {occ.exits} exits)")
        self.trend_hour.set_data(hours, list(trend.by_hour), occ.capacity,
                                 f"Trend over {trend.days} days: mean by hour")
        self.trend_week.set_data(list(WEEKDAYS), list(trend.by_weekday), occ.capacity,
                                 f"Trend over {trend.days} days: mean daily peak by weekday")
        self.status.setText("Shown; the view is logged under your purpose.")

    def print_pdf(self, path: Path | None = None) -> None:
        """The printable report (charts and figures), logged before it is written."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Print occupancy report", "occupancy.pdf",
                                                  "PDF (*.pdf)")
            if not name:
                return
            path = Path(name)
        fid, day = self.chosen()
        session, days = self.session, self.days.value()
        self.call(lambda: self.ws.parking.occupancy_pdf(session, fid, day, path, days),
                  lambda p: self.status.setText(f"Report written to {p}."), "an occupancy report")

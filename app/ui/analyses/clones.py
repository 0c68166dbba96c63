"""Cloned or misread plates panel: pairs of reads no vehicle could have made, for review.

A pair is either two vehicles showing one plate (a clone) or a misread at one camera; the
reviewer opens both reads side by side in the detail view to tell which.
"""
from __future__ import annotations

import math

from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout

from app.engine import timefmt
from app.engine.analyses_types import CloneQuery

from .common import AnalysisPanel, RowsModel, edit_ts, fmt, speed, table, time_edit


class ClonesPanel(AnalysisPanel):
    title = "Cloned plates"

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("clonesPanel")
        now = ws.clock()
        self.start = time_edit(now - 7 * 86400, "clonesStart", self.tz)
        self.end = time_edit(now, "clonesEnd", self.tz)
        unit = self.speed_unit              # mph for US profiles; the engine takes km/h
        self.max_speed = QDoubleSpinBox()
        self.max_speed.setObjectName("clonesMaxSpeed")
        self.max_speed.setDecimals(0)
        self.max_speed.setRange(math.ceil(timefmt.speed_from_kmh(10, unit)),
                                int(timefmt.speed_from_kmh(1000, unit)))
        self.max_speed.setValue(100 if unit == "mph" else 160)
        self.max_speed.setSuffix(f" {unit}")
        self.slack = QSpinBox()
        self.slack.setObjectName("clonesSlack")
        self.slack.setRange(0, 3600)
        self.slack.setValue(60)
        self.slack.setSuffix(" s")
        self.plate = QLineEdit()
        self.plate.setObjectName("clonesPlate")
        self.plate.setPlaceholderText("all plates")
        form = QHBoxLayout()
        for w in (QLabel("From"), self.start, QLabel("to"), self.end,
                  QLabel(f"({self.zone_name})  faster than"), self.max_speed,
                  QLabel("clock allowance"), self.slack, QLabel("plate"), self.plate):
            form.addWidget(w)
        form.addStretch(1)
        zone, dist = self.zone_name, timefmt.distance_unit(unit)
        self.model = RowsModel(["Plate", "First read", f"First time ({zone})", "First camera",
                                "Second read", f"Second time ({zone})", "Second camera", dist,
                                "Minutes", unit])
        self.view = table(self.model, "clonesTable")
        self.view.doubleClicked.connect(self._open)
        self.note = QLabel("")
        self.note.setObjectName("clonesNote")
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(self.actions_row())
        lay.addWidget(self.view, 1)
        lay.addWidget(self.note)

    def build_query(self) -> CloneQuery:
        kmh = timefmt.speed_to_kmh(self.max_speed.value(), self.speed_unit)
        return CloneQuery(edit_ts(self.start), edit_ts(self.end), round(kmh, 3), self.slack.value(),
                          self.plate.text().strip())

    def call(self, session, query):
        return self.ws.analyses.clones(session, query)

    def show_result(self, res) -> None:
        unit, tz = self.speed_unit, self.tz
        self.model.set_rows([[f.plate, str(f.first.id), fmt(f.first.read_at, tz), f.first.camera_id,
                              str(f.second.id), fmt(f.second.read_at, tz), f.second.camera_id,
                              f"{timefmt.distance_from_km(f.distance_km, unit):.1f}",
                              f"{f.seconds / 60:.1f}", speed(f.speed_kmh, unit)]
                             for f in res.flags])
        more = " (limit reached)" if res.truncated else ""
        n = len(res.flags)
        self.status.setText(f"{n} pair{'' if n == 1 else 's'} to review{more}. Double-click a first "
                            "or second read column to open that read.")
        missing = res.cameras_without_coordinates
        self.note.setText(f"Not checked, no coordinates: {', '.join(missing)}" if missing else "")

    def _open(self, index) -> None:
        """Columns left of 'Second read' open the first read, the rest the second."""
        if self.result is None or not index.isValid():
            return
        flag = self.result.flags[index.row()]
        self.read_activated.emit(flag.first.id if index.column() < 4 else flag.second.id)

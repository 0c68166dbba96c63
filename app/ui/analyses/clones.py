"""Cloned or misread plates panel: pairs of reads no vehicle could have made, for review.

A pair is either two vehicles showing one plate (a clone) or a misread at one camera; the
reviewer opens both reads side by side in the detail view to tell which.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout

from app.engine.analyses_types import CloneQuery

from .common import AnalysisPanel, RowsModel, edit_ts, fmt, km_h, table, time_edit


class ClonesPanel(AnalysisPanel):
    title = "Cloned plates"

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("clonesPanel")
        now = ws.clock()
        self.start, self.end = time_edit(now - 7 * 86400, "clonesStart"), time_edit(now, "clonesEnd")
        self.max_kmh = QDoubleSpinBox()
        self.max_kmh.setObjectName("clonesMaxKmh")
        self.max_kmh.setRange(10, 1000)
        self.max_kmh.setDecimals(0)
        self.max_kmh.setValue(160)
        self.max_kmh.setSuffix(" km/h")
        self.slack = QSpinBox()
        self.slack.setObjectName("clonesSlack")
        self.slack.setRange(0, 3600)
        self.slack.setValue(60)
        self.slack.setSuffix(" s")
        self.plate = QLineEdit()
        self.plate.setObjectName("clonesPlate")
        self.plate.setPlaceholderText("all plates")
        form = QHBoxLayout()
        for w in (QLabel("From"), self.start, QLabel("to"), self.end, QLabel("faster than"), self.max_kmh,
                  QLabel("clock allowance"), self.slack, QLabel("plate"), self.plate):
            form.addWidget(w)
        form.addStretch(1)
        self.model = RowsModel(["Plate", "First read", "First time (Pacific)", "First camera", "Second read",
                                "Second time (Pacific)", "Second camera", "km", "Minutes", "km/h"])
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
        return CloneQuery(edit_ts(self.start), edit_ts(self.end), self.max_kmh.value(), self.slack.value(),
                          self.plate.text().strip())

    def call(self, session, query):
        return self.ws.analyses.clones(session, query)

    def show_result(self, res) -> None:
        self.model.set_rows([[f.plate, str(f.first.id), fmt(f.first.read_at), f.first.camera_id,
                              str(f.second.id), fmt(f.second.read_at), f.second.camera_id,
                              f"{f.distance_km:.1f}", f"{f.seconds / 60:.1f}", km_h(f.speed_kmh)]
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

"""Convoy panel: plates that travel with a target plate, most often first.

Picking a companion shows its reads beside the target's reads at the same cameras, so the
investigator can judge whether two cars really moved together.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSpinBox, QSplitter, QVBoxLayout

from app.engine.analyses_types import ConvoyQuery

from .common import AnalysisPanel, RowsModel, edit_ts, read_cells, read_headers, table, time_edit


class ConvoyPanel(AnalysisPanel):
    title = "Convoy"

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.setObjectName("convoyPanel")
        self.plate = QLineEdit()
        self.plate.setObjectName("convoyPlate")
        self.plate.setPlaceholderText("Target plate")
        self.plate.returnPressed.connect(self.run)
        now = ws.clock()
        self.start = time_edit(now - 7 * 86400, "convoyStart", self.tz)
        self.end = time_edit(now, "convoyEnd", self.tz)
        self.window = QSpinBox()  # type: ignore[assignment, method-assign]  # self.window shadows QWidget.window() on purpose
        self.window.setObjectName("convoyWindow")  # type: ignore[attr-defined]  # self.window shadows QWidget.window() on purpose
        self.window.setRange(1, 3600)  # type: ignore[attr-defined]  # self.window shadows QWidget.window() on purpose
        self.window.setValue(60)  # type: ignore[attr-defined]  # self.window shadows QWidget.window() on purpose
        self.window.setSuffix(" s")  # type: ignore[attr-defined]  # self.window shadows QWidget.window() on purpose
        self.min_cameras = QSpinBox()
        self.min_cameras.setObjectName("convoyMinCameras")
        self.min_cameras.setRange(1, 50)
        self.min_cameras.setValue(2)
        form = QHBoxLayout()
        for w in (QLabel("Target"), self.plate, QLabel("from"), self.start, QLabel("to"), self.end,
                  QLabel("within ±"), self.window, QLabel("at ≥"), self.min_cameras, QLabel("cameras")):
            form.addWidget(w)  # type: ignore[arg-type]  # one of these is self.window, which shadows QWidget.window()
        form.addStretch(1)
        self.comp_model = RowsModel(["Rank", "Plate", "Times with target", "Cameras", "Camera ids"])
        self.comp_view = table(self.comp_model, "convoyCompanions")
        self.comp_view.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show_reads(cur.row()))
        self.reads_model = RowsModel(["Whose"] + read_headers(self.tz))
        self.reads_view = table(self.reads_model, "convoyReads")
        self.connect_reads(self.reads_view, self.reads_model)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.comp_view)
        split.addWidget(self.reads_view)
        split.setSizes([220, 480])
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(self.actions_row())
        lay.addWidget(split, 1)

    def build_query(self) -> ConvoyQuery:
        return ConvoyQuery(self.plate.text(), edit_ts(self.start), edit_ts(self.end),
                           self.window.value(), self.min_cameras.value())  # type: ignore[attr-defined]  # self.window shadows QWidget.window() on purpose

    def call(self, session, query):
        return self.ws.analyses.convoy(session, query)

    def show_result(self, res) -> None:
        self.comp_model.set_rows([[str(i + 1), c.plate, str(c.times), str(len(c.cameras)),
                                   ", ".join(c.cameras)] for i, c in enumerate(res.companions)])
        q = res.query
        self.status.setText(f"{len(res.target_reads)} reads of {q.plate}; {len(res.companions)} plate(s) "
                            f"within {q.window_s} s of it at {q.min_cameras} or more cameras.")
        if res.companions:
            self.comp_view.selectRow(0)
        else:
            self.reads_model.set_rows([["target"] + read_cells(r, self.tz) for r in res.target_reads],
                                      [r.id for r in res.target_reads])

    def _show_reads(self, row: int) -> None:
        if self.result is None or not 0 <= row < len(self.result.companions):
            return
        comp = self.result.companions[row]
        cams = set(comp.cameras)
        both = [("target", r) for r in self.result.target_reads if r.camera_id in cams]
        both += [("companion", r) for r in comp.reads]
        both.sort(key=lambda wr: (wr[1].read_at, wr[1].id))
        self.reads_model.set_rows([[who] + read_cells(r, self.tz) for who, r in both], [r.id for _w, r in both])

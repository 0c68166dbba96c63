"""Violations screen: a day's overstays, unpaid stays and permit-zone breaches, each with its
entry and exit reads and images, and the citation form."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.engine import timefmt

from ..analyses.common import RowsModel, table
from .common import ParkingPanel

HEADERS = ["Violation", "Plate", "Entry", "Exit", "Fee due", "Paid", "Reason"]


class ViolationsPanel(ParkingPanel):
    title = "Violations"
    purpose_hint = "Declare purpose PARKING-ORD. Each list and each image opened is logged."

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.model = RowsModel(HEADERS)
        self.view = table(self.model, "violationsTable")
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.select(cur.row()))
        self.rows: list[tuple] = []                      # (finding, violation) per table row
        self.images = [QLabel("Entry image") for _ in range(2)]
        for i, img in enumerate(self.images):
            img.setObjectName(("entryImage", "exitImage")[i])
            img.setMinimumSize(320, 180)
            img.setAlignment(Qt.AlignmentFlag.AlignCenter)
            img.setStyleSheet("background: #222; color: #ddd;")
        self.images[1].setText("Exit image")
        self.citation = QLineEdit()
        self.citation.setObjectName("citationNumber")
        self.citation.setPlaceholderText("CIT-12345678")
        self.issue_button = QPushButton("Issue citation")
        self.issue_button.setObjectName("issueButton")
        self.issue_button.clicked.connect(self.issue)
        self.issue_button.setEnabled(False)
        cite = QHBoxLayout()
        cite.addWidget(QLabel("Citation number"))
        cite.addWidget(self.citation)
        cite.addWidget(self.issue_button)
        cite.addStretch(1)
        pics = QGridLayout()
        pics.addWidget(self.images[0], 0, 0)
        pics.addWidget(self.images[1], 0, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(self.picker_row())
        lay.addWidget(self.view, 2)
        lay.addLayout(pics, 1)
        lay.addLayout(cite)

    def run(self) -> None:
        fid, day = self.chosen()
        session = self.session
        self.call(lambda: self.ws.parking.violations(session, fid, day), self.show_result, "violations")

    def show_result(self, findings) -> None:
        t = self.tz
        self.rows = [(f, v) for f in findings for v in f.violations]
        self.model.set_rows([[v.kind, f.stay.plate + (f" (exit {f.stay.exit_plate})" if f.stay.exit_plate else ""),
                              timefmt.fmt(f.stay.entry_at, t, seconds=False),
                              timefmt.fmt(f.stay.exit_at, t, seconds=False) if f.stay.exit_at else "still in",
                              f"{f.due_cents / 100:.2f}", f"{f.paid_cents / 100:.2f}", v.reason]
                             for f, v in self.rows], [f.stay.entry_read_id for f, _v in self.rows])
        self.status.setText(f"{len(self.rows)} violations on {self.chosen()[1]}.")
        self.issue_button.setEnabled(False)
        if self.rows:
            self.view.selectRow(0)

    def select(self, row: int) -> None:
        """Show the entry and exit scene photos of the chosen violation (logged views)."""
        if not 0 <= row < len(self.rows):
            return
        self.issue_button.setEnabled(True)
        stay, session = self.rows[row][0].stay, self.session
        for label, rid in zip(self.images, (stay.entry_read_id, stay.exit_read_id)):
            label.setPixmap(QPixmap())
            label.setText("No exit read" if rid is None else "Loading…")
            if rid is not None:
                self.call(lambda rid=rid: self.ws.image(session, rid, "scene"),
                          lambda data, label=label, rid=rid: self._show(label, data, rid), "an image")

    def _show(self, label: QLabel, data: bytes, rid: int) -> None:
        pix = QPixmap()
        pix.loadFromData(data)
        label.setPixmap(pix.scaled(label.width(), label.height(), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation))
        label.setToolTip(f"Read {rid}")

    def issue(self) -> None:
        row = self.view.currentIndex().row()
        if not 0 <= row < len(self.rows):
            return
        finding, v = self.rows[row]
        fid, session, number = self.chosen()[0], self.session, self.citation.text().strip()
        self.call(lambda: self.ws.parking.issue_citation(session, fid, finding.stay.entry_read_id,
                                                         v.kind, number),
                  lambda c: self.status.setText(f"Citation {c.citation_no} recorded; its reads are on "
                                                f"evidence hold {c.hold_id}."), "a citation")

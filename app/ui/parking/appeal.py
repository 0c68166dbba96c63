"""Appeal screen: the citations on record and the Transit Court packet of one of them."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.engine import timefmt
from app.engine.evidence import run as run_export

from ..analyses.common import RowsModel, table
from .common import ParkingPanel

HEADERS = ["Citation", "Violation", "Plate", "Facility", "Entry", "Exit", "Issued by", "Hold"]


class AppealPanel(ParkingPanel):
    title = "Appeal packet"
    purpose_hint = ("Declare purpose TRANSIT-COURT with the citation as the case, pick it and "
                    "build its packet.")

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.run_button.setText("List citations")
        self.model = RowsModel(HEADERS)
        self.view = table(self.model, "citationsTable")
        self.target = QLineEdit()
        self.target.setObjectName("packetTarget")
        self.target.setPlaceholderText("removable drive or folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.build_button = QPushButton("Build packet")
        self.build_button.setObjectName("buildButton")
        self.build_button.clicked.connect(lambda: self.build())
        self.result_label = QLabel("")
        self.result_label.setObjectName("packetResult")
        self.result_label.setWordWrap(True)
        self.citations: list = []
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.status, 1)
        out = QHBoxLayout()
        out.addWidget(QLabel("Write to"))
        out.addWidget(self.target, 1)
        out.addWidget(browse)
        out.addWidget(self.build_button)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.view, 1)
        lay.addLayout(out)
        lay.addWidget(self.result_label)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Write the packet to")
        if folder:
            self.target.setText(folder)

    def run(self) -> None:
        session = self.session
        self.call(lambda: self.ws.parking.citations(session), self.show_result, "citations")

    def show_result(self, citations) -> None:
        t = self.tz
        self.citations = citations
        self.model.set_rows([[c.citation_no, c.kind, c.plate, c.facility_id,
                              timefmt.fmt(c.entry_at, t, seconds=False),
                              timefmt.fmt(c.exit_at, t, seconds=False), c.issued_by, f"#{c.hold_id}"]
                             for c in citations])
        self.status.setText(f"{len(citations)} citations on record.")
        if citations:
            self.view.selectRow(0)

    def build(self, target: Path | None = None) -> None:
        row = self.view.currentIndex().row()
        if not 0 <= row < len(self.citations):
            self.status.setText("Pick a citation first.")
            return
        number, session = self.citations[row].citation_no, self.session
        where = Path(target or self.target.text().strip() or ".")
        self.result_label.setText(f"Building the packet of {number}…")
        self.call(lambda: run_export(self.ws.parking.appeal_packet(session, number, where)),
                  lambda res: self.result_label.setText(
                      f"Packet written and read back: {res.path} ({res.files} files; manifest "
                      f"SHA-256 {res.manifest_sha256})."), "an appeal packet")

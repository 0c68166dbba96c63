"""Reconciliation screen: import the day's transactions, match them to stays, see the totals,
save the report as PDF or CSV (each file logged before it is written)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.engine.parking.reconcile import HEADER, table_rows, totals_rows

from ..analyses.common import RowsModel, table
from .common import ParkingPanel


class ReconciliationPanel(ParkingPanel):
    title = "Reconciliation"
    purpose_hint = "Declare purpose REVENUE. Import the day's transactions CSV, then Reconcile."

    def __init__(self, ws, session, runner) -> None:
        super().__init__(ws, session, runner)
        self.run_button.setText("Reconcile")
        self.import_button = QPushButton("Import transactions…")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(lambda: self.import_file())
        self.pdf_button = QPushButton("Save PDF…")
        self.pdf_button.setObjectName("pdfButton")
        self.csv_button = QPushButton("Save CSV…")
        self.csv_button.setObjectName("csvButton")
        self.pdf_button.clicked.connect(lambda: self.save(suffix=".pdf"))
        self.csv_button.clicked.connect(lambda: self.save(suffix=".csv"))
        self.totals = QFormLayout()
        self.total_labels: dict[str, QLabel] = {}
        self.model = RowsModel(HEADER)
        self.view = table(self.model, "reconciliationTable")
        self.result = None
        outputs = QHBoxLayout()
        outputs.addWidget(self.import_button)
        outputs.addStretch(1)
        outputs.addWidget(self.pdf_button)
        outputs.addWidget(self.csv_button)
        top = QHBoxLayout()
        top.addLayout(self.totals, 1)
        top.addWidget(self.view, 4)
        lay = QVBoxLayout(self)
        lay.addLayout(self.picker_row())
        lay.addLayout(outputs)
        lay.addLayout(top, 1)
        self._enable()

    def _enable(self) -> None:
        self.pdf_button.setEnabled(self.result is not None)
        self.csv_button.setEnabled(self.result is not None)

    def import_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Import transactions", "", "CSV (*.csv)")
            if not name:
                return
            path = Path(name)
        fid, session = self.chosen()[0], self.session

        def done(rep) -> None:
            bad = "; ".join(f"line {n}: {why}" for n, why in rep.rejected[:3])
            self.status.setText(f"{rep.accepted} transactions imported, {len(rep.rejected)} lines "
                                f"rejected{': ' + bad if bad else ''}.")
        self.call(lambda: self.ws.parking.import_payments(session, fid, path), done, "an import")

    def run(self) -> None:
        fid, day = self.chosen()
        session = self.session
        self.call(lambda: self.ws.parking.reconcile(session, fid, day), self.show_result, "a reconciliation")

    def show_result(self, rec) -> None:
        self.result = rec
        while self.totals.rowCount():
            self.totals.removeRow(0)
        for label, value in totals_rows(rec.totals):
            self.totals.addRow(label, QLabel(value))
        self.model.set_rows(table_rows(rec, self.tz))
        t = rec.totals
        self.status.setText(f"{t.stays} stays, {len(rec.orphans)} payments without a stay; shortfall "
                            f"${t.shortfall_cents / 100:.2f}.")
        self._enable()

    def save(self, path: Path | None = None, suffix: str = ".pdf") -> None:
        if self.result is None:
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Save reconciliation",
                                                  f"reconciliation-{self.result.day}{suffix}")
            if not name:
                return
            path = Path(name)
        rec, session = self.result, self.session
        self.call(lambda: self.ws.parking.write_reconciliation(session, rec, path),
                  lambda p: self.status.setText(f"Written to {p}."), "a reconciliation report")

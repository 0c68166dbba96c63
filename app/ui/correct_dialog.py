"""Correcting a misread plate: the vendor's reading, our OCR's, the new text and a reason.

A correction moves the read to another plate (and so to other hits), which can put a
different person in an investigation; the dialog therefore shows both readings next to
the field and insists on a reason, which the engine keeps with the vendor's original text.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from app.engine.corrections import CorrectionResult
from app.engine.reads import ReadDetail

from .context import AppContext


class CorrectDialog(QDialog):
    """New plate + reason for one read; ``corrected`` carries the engine's result."""

    corrected = Signal(object)          # CorrectionResult

    def __init__(self, ctx: AppContext, detail: ReadDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.read_id = detail.read.id
        self.result: CorrectionResult | None = None  # type: ignore[assignment]  # the dialog's result, not QDialog.result()
        self.setObjectName("correctDialog")
        self.setWindowTitle(f"Correct plate of read {self.read_id}")
        r = detail.read
        self.vendor = QLabel(f"{r.original_plate or r.plate}  (confidence {r.confidence:.2f})")
        self.current = QLabel(r.plate)
        ocr = detail.ocr_plate or "not re-read"
        if detail.ocr_plate and detail.ocr_confidence is not None:
            ocr += f"  (confidence {detail.ocr_confidence:.2f})"
        self.ocr = QLabel(ocr)
        self.plate = QLineEdit(detail.ocr_plate if detail.ocr_plate and detail.ocr_plate != r.plate
                               else "")
        self.plate.setObjectName("newPlate")
        self.plate.setPlaceholderText("The plate as it reads on the photo")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("correctionReason")
        self.reason.setPlaceholderText("Why: e.g. crop shows B, not 8; OCR agrees")
        self.reason.setMaximumHeight(80)
        self.message = QLabel()
        self.message.setObjectName("correctMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Correct")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Vendor reading", self.vendor)
        form.addRow("Plate now", self.current)
        form.addRow("Our OCR reading", self.ocr)
        form.addRow("Corrected plate", self.plate)
        form.addRow("Reason", self.reason)
        layout = QVBoxLayout(self)
        note = QLabel("Compare with the plate photo first. The vendor's reading stays on record "
                      "and searchable; hits are re-matched to the corrected plate.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        """Ask the engine (on the database thread); refusals stay in the dialog, text kept."""
        plate, reason = self.plate.text().strip(), self.reason.toPlainText().strip()
        if not plate or not reason:
            self.message.setText("Enter the corrected plate and the reason for the correction.")
            return
        ws, session, rid = self.ctx.ws, self.ctx.session, self.read_id
        self.buttons.setEnabled(False)
        self.message.clear()

        def failed(text: str) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"Not corrected: {text}")
        self.ctx.db(lambda: ws.correct_read(session, rid, plate, reason), self._done,
                    self.ctx.inline(failed))

    def _done(self, result: CorrectionResult) -> None:
        self.result = result
        self.buttons.setEnabled(True)
        self.corrected.emit(result)
        self.accept()

"""The buttons under a read's title: verify with OCR, correct, export as evidence, hold, alert
me when the plate is read again, print.

Verifying and correcting change the read, so after either the detail panel reloads it
(``changed``) and the misread banner and corrections show what the engine now holds.
Export and hold work on a set of reads and open the window's shared dialogs, so they are
passed up as signals. Buttons the role has no grant for are hidden; the engine refuses
them anyway.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.engine.reads import ReadDetail

from .context import AppContext
from .correct_dialog import CorrectDialog


def _button(text: str, name: str) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    return b


class DetailActions(QWidget):
    changed = Signal(int)               # the read was re-read or corrected: reload it
    export_requested = Signal(list)     # [read_id]
    hold_requested = Signal(list)       # [read_id]
    alert_requested = Signal(str, object)   # plate, state (None: unknown)
    print_requested = Signal(int)       # read_id

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.detail: ReadDetail | None = None
        self.dialog: CorrectDialog | None = None
        self.verify_button = _button("Verify with OCR", "verifyButton")
        self.verify_button.setToolTip("Re-read the plate crop with the workstation's OCR and "
                                      "flag the read if it disagrees with the vendor.")
        self.verify_button.clicked.connect(self.verify)
        self.correct_button = _button("Correct plate...", "correctButton")
        self.correct_button.clicked.connect(self.correct)
        self.export_button = _button("Export as evidence...", "detailExportButton")
        self.export_button.clicked.connect(lambda: self._emit(self.export_requested))
        self.hold_button = _button("Place hold...", "detailHoldButton")
        self.hold_button.clicked.connect(lambda: self._emit(self.hold_requested))
        self.alert_button = _button("Alert me...", "detailAlertButton")
        self.alert_button.setToolTip("Tell me when this plate is read again (a standing alert under "
                                     "the declared purpose and case).")
        self.alert_button.clicked.connect(self._alert)
        self.print_button = _button("Print...", "detailPrintButton")
        self.print_button.clicked.connect(lambda: self._emit_id(self.print_requested))
        self.result = QLabel()
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)               # six buttons, and the panel keeps its width
        for b in self._buttons():
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.result)
        ctx.session_changed.connect(self.apply_role)
        self.set_read(None)

    def apply_role(self) -> None:
        c = self.ctx
        for button, action in ((self.verify_button, "view"), (self.correct_button, "correct"),
                               (self.export_button, "export"), (self.hold_button, "hold_place"),
                               (self.alert_button, "search"), (self.print_button, "print")):
            button.setVisible(c.can(action))

    def set_read(self, detail: ReadDetail | None) -> None:
        """The read now shown (None: nothing selected, the buttons are off)."""
        if detail is None or self.detail is None or detail.read.id != self.detail.read.id:
            self.result.clear()
        self.detail = detail
        for b in self._buttons():
            b.setEnabled(detail is not None)
        self.apply_role()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.verify_button, self.correct_button, self.export_button, self.hold_button,
                self.alert_button, self.print_button)

    def _alert(self) -> None:
        if self.detail is not None:
            self.alert_requested.emit(self.detail.read.plate, self.detail.read.plate_state)

    def _emit_id(self, signal) -> None:
        if self.detail is not None:
            signal.emit(self.detail.read.id)

    def _emit(self, signal) -> None:
        if self.detail is not None:
            signal.emit([self.detail.read.id])

    def verify(self) -> None:
        """OCR the crop (models load on first use: seconds) on the database thread."""
        if self.detail is None:
            return
        ws, session, rid = self.ctx.ws, self.ctx.session, self.detail.read.id
        self.verify_button.setEnabled(False)
        self.result.setText("Reading the plate crop...")

        def done(v) -> None:
            self.verify_button.setEnabled(True)
            ocr = f"{v.ocr_plate} (confidence {v.ocr_confidence:.2f})" if v.ocr_plate else "nothing"
            verdict = ("POSSIBLE MISREAD: compare with the photo." if v.possible_misread
                       else "Agrees with the vendor.")
            self.result.setText(f"OCR read {ocr}; vendor read {v.vendor_plate}. {verdict}")
            self.changed.emit(v.read_id)

        def failed(text: str) -> None:
            self.verify_button.setEnabled(True)
            self.result.setText(f"Not verified: {text}")
        self.ctx.db(lambda: ws.ocr.verify_read(session, rid), done, self.ctx.inline(failed))

    def correct(self) -> None:
        if self.detail is None:
            return
        self.dialog = CorrectDialog(self.ctx, self.detail, self)
        self.dialog.corrected.connect(self._corrected)
        self.dialog.open()

    def _corrected(self, r) -> None:
        hits = (f"; hits added {r.hits_added}, removed {r.hits_removed}"
                if r.hits_added or r.hits_removed else "")
        self.result.setText(f"Corrected {r.old_plate} -> {r.new_plate}{hits}.")
        self.changed.emit(r.read_id)

"""Exporting selected reads as an evidence package: target, description, progress, result.

The engine writes, flushes and reads back every file, logs the export and places an
evidence hold in one transaction, and only then names the folder; anything short of that
is reported here as NOT done, with the engine's reason, so nobody carries an unverified
drive to the property room. Removable drives are offered first; any folder may be chosen.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QPlainTextEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from app.engine.errors import EngineError, SessionLocked
from app.engine.evidence import ExportRequest, ExportResult
from app.engine.progress import Progress

from .context import AppContext
from .ops import Task

FolderChooser = Callable[[QWidget], str | None]


def choose_folder(parent: QWidget) -> str | None:
    """The desktop's folder picker (tests inject their own chooser instead)."""
    return QFileDialog.getExistingDirectory(parent, "Export the evidence package to") or None


class ExportDialog(QDialog):
    """One export of ``read_ids`` for the session's declared case."""

    def __init__(self, ctx: AppContext, read_ids: list[int], chooser: FolderChooser = choose_folder,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.read_ids = list(read_ids)
        self.chooser = chooser
        self.task: Task | None = None
        self.outcome: ExportResult | None = None
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export as evidence")
        self.resize(620, 360)
        s = ctx.session
        self.target = QComboBox()
        self.target.setObjectName("exportTarget")
        self.target.setMinimumWidth(340)
        self.choose_button = QPushButton("Choose folder...")
        self.choose_button.setObjectName("exportChooseFolder")
        self.choose_button.clicked.connect(self.choose)
        self.description = QPlainTextEdit()
        self.description.setObjectName("exportDescription")
        self.description.setPlaceholderText("What the package holds and why, for the custody form")
        self.description.setMaximumHeight(80)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)

        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Reads", QLabel(f"{len(self.read_ids)} selected"))
        form.addRow("Case", QLabel(f"{s.case_number or 'none declared'} ({s.purpose or '-'})"))
        form.addRow("Target", target_row)
        form.addRow("Description", self.description)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        note = QLabel("The reads are placed on an evidence hold for the case when the export "
                      "completes; only the records custodian may release it.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._idle()
        ctx.runner.pool(ctx.ws.evidence.drives, self._drives, lambda _e: None)

    # -- target ---------------------------------------------------------------------------------
    def _drives(self, drives) -> None:
        for d in drives:
            self.target.insertItem(0, f"{d.label} ({d.mount_point}, {d.free // 2**20} MiB free)",
                                   str(d.mount_point))
        if drives:
            self.target.setCurrentIndex(0)

    def choose(self) -> None:
        path = self.chooser(self)
        if path:
            self.set_target(Path(path))

    def set_target(self, path: Path) -> None:
        index = self.target.findData(str(path))
        if index < 0:
            self.target.addItem(str(path), str(path))
            index = self.target.count() - 1
        self.target.setCurrentIndex(index)

    # -- running --------------------------------------------------------------------------------
    def start(self) -> None:
        target = self.target.currentData()
        if not target:
            self.message.setText("Choose a removable drive or a folder to export to.")
            return
        ws, session = self.ctx.ws, self.ctx.session
        req = ExportRequest(self.read_ids, Path(target), self.description.toPlainText())
        self.outcome = None
        self.message.setText("Exporting...")
        self.progress.setRange(0, 0)
        self._busy()
        self.task = self.ctx.runner.progress(lambda token: ws.evidence.export(session, req, token),
                                             self._progress, self._done, self._failed,  # type: ignore[arg-type]  # the callback gets what the task returns
                                             label="an evidence export")

    def _progress(self, p: Progress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        if p.stage != "done":
            self.message.setText(f"{p.stage}: {p.done} of {p.total or '?'} files, "
                                 f"{p.bytes_done // 1024} KiB")

    def _done(self, r: ExportResult) -> None:
        self.outcome = r
        self._idle()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        hold = f"evidence hold {r.hold_id}" if r.hold_id is not None else "no hold placed"
        warn = ("<br>Warnings: " + "; ".join(r.warnings)) if r.warnings else ""
        self.message.setText(f"<b>Export complete and verified.</b><br>Package: {r.path}<br>"
                             f"Manifest SHA-256: {r.manifest_sha256}<br>{r.files} files, "
                             f"{r.bytes // 1024} KiB; {len(r.read_ids)} reads on {hold}.{warn}")
        self.export_button.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        """Every failure is shown here as not done; locks and bugs also go to the presenter."""
        text = str(exc) if isinstance(exc, EngineError) else "An unexpected error stopped it."
        if isinstance(exc, SessionLocked) or not isinstance(exc, EngineError):
            self.ctx.presenter(exc)
        self._idle()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message.setText(f"<b>Export NOT done.</b> {text}")

    def cancel(self) -> None:
        """Ask the engine to stop; the runner is silent about Interrupted, so watch the task."""
        if self.task is None or self.task.finished:
            return
        self.task.cancel()
        self.message.setText("Cancelling...")
        self._watch()

    def _watch(self) -> None:
        if self.task is not None and not self.task.finished:
            QTimer.singleShot(100, self._watch)
            return
        if self.outcome is None:
            self._idle()
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.message.setText("<b>Export NOT done:</b> cancelled. The partial folder was "
                                 "removed from the drive and the cancel is in the access log.")

    def _busy(self) -> None:
        self.export_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.close_button.setEnabled(False)

    def _idle(self) -> None:
        self.export_button.setEnabled(True)
        self.choose_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)

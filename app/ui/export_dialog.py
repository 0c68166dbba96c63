"""Exporting selected reads as an evidence package: target, description, progress, result.

The engine writes, flushes and reads back every file, logs the export and places an
evidence hold in one transaction, and only then names the folder; anything short of that
is reported here as NOT done, with the engine's reason, so nobody carries an unverified
drive to the property room. Removable drives are offered first; any folder may be chosen.
When no drive is offered the dialog says why (none mounted, read-only, cannot be listed), and
the folder picker starts where drives are mounted, or in the user's home: never in the
program's own folder.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QPlainTextEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from app.engine.errors import EngineError, SessionLocked
from app.engine.evidence import DriveList, ExportRequest, ExportResult, start_folder
from app.engine.progress import Progress

from .context import AppContext
from .ops import Task

FolderChooser = Callable[[QWidget], str | None]
DRIVE_ROLE = Qt.ItemDataRole.UserRole + 1         # marks the combo's items that are listed drives


def choose_folder(parent: QWidget) -> str | None:
    """The desktop's folder picker, starting where the drives are mounted or in the user's home
    (tests inject their own chooser instead)."""
    start = parent.start_folder() if isinstance(parent, ExportDialog) else str(start_folder())
    return QFileDialog.getExistingDirectory(parent, "Export the evidence package to", start) or None


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
        self.target.setPlaceholderText("Looking for removable drives...")
        self.choose_button = QPushButton("Choose folder...")
        self.choose_button.setObjectName("exportChooseFolder")
        self.choose_button.clicked.connect(self.choose)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("exportRefreshDrives")
        self.refresh_button.setToolTip("Look again for removable drives")
        self.refresh_button.clicked.connect(self.find_drives)
        self.drive_note = QLabel()
        self.drive_note.setObjectName("exportDriveNote")
        self.drive_note.setWordWrap(True)
        self.drive_note.hide()
        self.drive_list = DriveList([])
        self.recipient = QComboBox()
        self.recipient.setObjectName("exportRecipient")
        self.recipient.addItem(f"{ctx.ws.profile.agency} (internal: property room / case file)", None)
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
        target_row.addWidget(self.refresh_button)
        target_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Reads", QLabel(f"{len(self.read_ids)} selected"))
        form.addRow("Case", QLabel(f"{s.case_number or 'none declared'} ({s.purpose or '-'})"))
        form.addRow("For", self.recipient)
        form.addRow("Target", target_row)
        form.addRow("", self.drive_note)
        form.addRow("Description", self.description)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        note = QLabel("When the export completes the reads are kept on an evidence hold for the "
                      "case (the case's existing hold where they have one); only the records "
                      "custodian may release it.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._idle()
        self.find_drives()
        self.find_requests()

    def find_requests(self) -> None:
        """Offer the approved release requests of other agencies (the engine checks the chosen
        one again, with the reads, when it exports)."""
        def shown(requests) -> None:
            for r in requests:
                self.recipient.addItem(f"{r.agency}: request #{r.id} ({r.purpose})", r.id)
        ctx = self.ctx
        ctx.db(lambda: ctx.ws.evidence.approved_requests(ctx.session), shown, ctx.inline(lambda _t: None))

    # -- target ---------------------------------------------------------------------------------
    def find_drives(self) -> None:
        """List the removable drives (off the GUI thread); the answer replaces the last one."""
        self.drive_note.hide()
        self.ctx.runner.pool(self.ctx.ws.evidence.drive_list, self._drives,
                             lambda exc: self._drives(DriveList([], f"Removable drives could not be "
                                                                    f"listed ({exc}): choose a folder.")))

    def _drives(self, found) -> None:
        """``found``: the engine's DriveList (the drives, or why there are none)."""
        self.drive_list = found
        for i in reversed(range(self.target.count())):          # drives listed before go
            if self.target.itemData(i, DRIVE_ROLE):
                self.target.removeItem(i)
        for d in reversed(found.drives):
            self.target.insertItem(0, f"{d.label} ({d.mount_point}, {d.free // 2**20} MiB free)",
                                   str(d.mount_point))
            self.target.setItemData(0, True, DRIVE_ROLE)
        if found.drives:
            self.target.setCurrentIndex(0)
            self.drive_note.hide()
        else:
            self.target.setPlaceholderText("No removable drive: choose a folder")
            if self.target.count() == 0:
                self.target.setCurrentIndex(-1)
            self.drive_note.setText(found.why_none)
            self.drive_note.show()

    def start_folder(self) -> str:
        """Where the folder picker opens: the drives' media folder, else the user's home."""
        return str(start_folder(self.drive_list.drives))

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
        req = ExportRequest(self.read_ids, Path(target), self.description.toPlainText(),
                            release_request_id=self.recipient.currentData())
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
        hold = (f"evidence hold {r.hold_id}" if r.hold_id is not None else "no hold placed") + \
            (" (kept from an earlier export of the case)" if r.hold_id in r.holds_reused else "")
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
        self.recipient.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.refresh_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.close_button.setEnabled(False)

    def _idle(self) -> None:
        self.export_button.setEnabled(True)
        self.recipient.setEnabled(True)
        self.choose_button.setEnabled(True)
        self.refresh_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)

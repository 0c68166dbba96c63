"""Sync settings and "sync now": the city server, the sync window, progress and the result.

The server's address is where the workstation reads; a city that runs read replicas gives a
replica there and its primary as the optional write address (the access log goes there).

A sync can run for minutes on a large store; it runs as an engine generator on the database
thread, its progress polled every 100 ms into the bar, and Cancel stops it between batches
(each batch is committed with its watermark, so a cancelled sync resumes where it stopped).
"""
from __future__ import annotations

from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from app.engine.progress import Progress

from .context import AppContext


def sync_service(ctx: AppContext):
    """The engine's sync service, or None where this build has none."""
    try:
        return ctx.ws.sync
    except ImportError:
        return None


def describe_last(last: dict | None, fmt_time) -> str:
    if not last:
        return "No sync has finished on this workstation yet."
    when = fmt_time(last.get("finished", 0), seconds=False)
    return (f"Last sync {when}: {last.get('reads', 0)} reads, {last.get('images', 0)} images, "
            f"{last.get('hotlist_entries', 0)} hotlist entries, {last.get('hits', 0)} new hits, "
            f"{last.get('log_uploaded', 0)} log entries uploaded, in {last.get('seconds', 0)} s.")


class SyncAdmin(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = sync_service(ctx)
        self.task = None
        self.server = QLineEdit()
        self.server.setObjectName("syncServer")
        self.server.setPlaceholderText("embedded:/path/to/server or postgresql://host/db?user=...")
        self.write_server = QLineEdit()
        self.write_server.setObjectName("syncWriteServer")
        self.write_server.setPlaceholderText("optional: the primary, where the server above is a read "
                                             "replica (postgresql://primary/db?user=...)")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("PostgreSQL password, or your operator password for an embedded server")
        self.days = QSpinBox()
        self.days.setObjectName("syncWindow")
        self.days.setRange(0, ctx.ws.profile.retention_days)
        self.days.setSpecialValueText("the whole retention period")
        self.days.setSuffix(" days")
        self.save = QPushButton("Save sync settings")
        self.save.setObjectName("saveSync")
        self.save.clicked.connect(self.save_settings)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.stage = QLabel()
        self.result = QLabel()
        self.result.setObjectName("syncResult")
        self.result.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        settings = QGroupBox("City server and sync window")
        form = QFormLayout(settings)
        form.addRow("Server", self.server)
        form.addRow("Write address", self.write_server)
        form.addRow("Password", self.password)
        for fixed in (self.days, self.save):              # a number needs no screen's width
            fixed.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        form.addRow("Hold locally", self.days)
        form.addRow(self.save)
        self.settings_box = settings
        run = QGroupBox("Sync")
        rl = QVBoxLayout(run)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.bar, 1)
        rl.addLayout(buttons)
        rl.addWidget(self.stage)
        rl.addWidget(self.result)
        layout = QVBoxLayout(self)
        if self.service is None:
            layout.addWidget(QLabel("Sync is not available in this build (no sync service)."))
        layout.addWidget(settings)
        layout.addWidget(run)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.setEnabled(self.service is not None)

    def start(self) -> None:
        self.settings_box.setVisible(self.ctx.can("settings_admin"))
        self.sync_button.setEnabled(self.ctx.can("sync") and self.service is not None)
        self.message.clear()
        if self.service is None or not self.ctx.can("sync"):
            return
        service, s = self.service, self.ctx.session

        def shown(status) -> None:
            self.server.setText(status.server or "")
            self.write_server.setText(status.write_server or "")
            self.days.setValue(status.window_days or 0)
            self.result.setText(describe_last(status.last_sync, self.ctx.fmt_time))
            if status.last_sync and self.ctx.sync_state.startswith("Sync: not run"):
                when = self.ctx.fmt_time(status.last_sync.get("finished", 0), seconds=False)
                self.ctx.set_sync_state(f"Sync: last {when}")
        self.ctx.db(lambda: service.status(s), shown, self.ctx.inline(self.message.setText))

    def save_settings(self) -> None:
        service, s = self.service, self.ctx.session
        server, pw, days = self.server.text(), self.password.text() or None, self.days.value()
        writer = self.write_server.text().strip()          # empty: none (writes go to the server)

        def work():
            service.configure(s, server, pw, days or None, write_server=writer)
            if not days and service.window_days() is not None:
                service.set_window(s, None)
        self.message.clear()
        self.ctx.db(work, lambda _n: (self.password.clear(), self.stage.setText("Settings saved.")),  # type: ignore[func-returns-value]  # used for its effect inside an expression
                    self.ctx.inline(self.message.setText))

    def sync_now(self) -> None:
        service, s = self.service, self.ctx.session
        self.message.clear()
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)
        self.ctx.set_sync_state("Sync: running...")

        def failed(exc: BaseException) -> None:
            self._idle()
            self.ctx.set_sync_state("Sync: failed")
            self.ctx.inline(self.message.setText)(exc)
        self.task = self.ctx.runner.progress(lambda token: service.run(s, token), self.show_progress,  # type: ignore[assignment]  # set once created
                                             self._done, failed)

    def show_progress(self, p: Progress) -> None:
        if p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(min(p.done, p.total))
        self.stage.setText(f"{p.stage}: {p.done} done" + (f" of {p.total}" if p.total else "")
                           + (f" - {p.message}" if p.message else ""))

    def _done(self, _result) -> None:
        self._idle()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.ctx.set_sync_state(f"Sync: done {self.ctx.fmt_time(self.ctx.ws.clock(), seconds=False)}")
        self.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self._idle()
        self.stage.setText("Sync cancelled; it resumes from the last committed batch next time.")
        self.ctx.set_sync_state("Sync: cancelled")

    def _idle(self) -> None:
        self.sync_button.setEnabled(self.ctx.can("sync"))
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)

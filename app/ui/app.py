"""Starting the desktop: open the store, sign in, show the main window, close cleanly.

On a machine with no store the first-run wizard (wizard.py) sets one up instead, and its
administrator goes straight on into the window. An existing store is opened before any
window appears (a wrong key or damaged file is reported as one sentence by the command line),
and closed only after the database thread has finished, so no engine call can run against a
closed store.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from app.engine.firstrun import FirstRun, needs_first_run
from app.engine.workstation import Workstation

from .context import AppContext
from .errors import ErrorPresenter
from .login import LoginDialog
from .main_window import MainWindow
from .ops import Runner, collect_on_gui_thread, quiet_gc
from . import style


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("alpr-workstation")
    app.setApplicationName("ALPR investigator workstation")
    style.apply(app)  # type: ignore[arg-type]  # the application is a QApplication
    return app  # type: ignore[return-value]  # the application is a QApplication


def show_sync_settings(window: MainWindow) -> None:
    """Administration > Sync: where the city server is changed after the first run."""
    if window.tabs.indexOf(window.admin) >= 0:
        window.tabs.setCurrentWidget(window.admin)
        window.admin.tabs.setCurrentWidget(window.admin.sync)


def run(data_dir: Path, clock: Callable[[], float] = time.time) -> int:
    """Open the window on ``data_dir``; returns the exit status."""
    data_dir = Path(data_dir)
    if needs_first_run(data_dir):
        return _first_run(data_dir, clock)
    ws = Workstation.open(data_dir, clock)         # a missing or damaged store: no window at all
    app = application()
    runner = Runner()
    ctx = AppContext(ws, runner, ErrorPresenter())
    try:
        with collect_on_gui_thread(app):
            login = LoginDialog(ctx)
            if login.exec() != QDialog.DialogCode.Accepted or login.session is None:
                return 1
            window = MainWindow(ctx)
            ctx.set_session(login.session)
            window.show()
            quiet_gc()              # start-up objects out of the collector's way (ops.py)
            return app.exec()
    finally:
        runner.shutdown()
        ws.close()


def _first_run(data_dir: Path, clock: Callable[[], float]) -> int:
    """No store yet: the wizard sets one up; its administrator's session opens the window."""
    from .wizard import FirstRunWizard
    app = application()
    runner = Runner()
    presenter = ErrorPresenter()
    runner.set_failure(presenter)
    wizard = FirstRunWizard(FirstRun(data_dir, clock), runner, presenter)
    ws = None
    try:
        with collect_on_gui_thread(app):
            if wizard.exec() != QDialog.DialogCode.Accepted or wizard.session is None:
                return 1
            ws = wizard.ws
            ctx = AppContext(ws, runner, presenter)
            window = MainWindow(ctx)
            ctx.set_session(wizard.session)
            if wizard.open_sync_settings:
                show_sync_settings(window)
            window.show()
            quiet_gc()
            return app.exec()
    finally:
        runner.shutdown()
        if ws is not None:
            ws.close()

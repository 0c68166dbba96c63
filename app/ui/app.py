"""Starting the desktop: open the store, sign in, show the main window, close cleanly.

The store is opened before any window appears (a wrong key or damaged file is reported as
one sentence by the command line), and closed only after the database thread has finished,
so no engine call can run against a closed store.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from app.engine.workstation import Workstation

from .context import AppContext
from .errors import ErrorPresenter
from .login import LoginDialog
from .main_window import MainWindow
from .ops import Runner, quiet_gc
from . import style


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("alpr-workstation")
    app.setApplicationName("ALPR investigator workstation")
    style.apply(app)  # type: ignore[arg-type]  # the application is a QApplication
    return app  # type: ignore[return-value]  # the application is a QApplication


def run(data_dir: Path) -> int:
    """Open the window on ``data_dir``; returns the exit status."""
    ws = Workstation.open(Path(data_dir))          # a missing or damaged store: no window at all
    app = application()
    runner = Runner()
    ctx = AppContext(ws, runner, ErrorPresenter())
    try:
        login = LoginDialog(ctx)
        if login.exec() != QDialog.DialogCode.Accepted or login.session is None:
            return 1
        window = MainWindow(ctx)
        ctx.set_session(login.session)
        window.show()
        quiet_gc()                  # start-up objects out of the collector's way (ops.py)
        return app.exec()
    finally:
        runner.shutdown()
        ws.close()

"""Start-up probe: say when the login window is on screen, optionally save it, and leave.

Armed only by the environment, for the package test and ``bench/startup.py``:

``ALPR_LOGIN_PROBE=1``
    when the login dialog has been shown and painted, print ``ALPR-LOGIN-SHOWN <seconds>``
    on standard output (seconds since the process started) and close the dialog, so the
    program ends (exit status 1: nobody signed in). The store is closed the normal way.
``ALPR_SCREENSHOT=PATH``
    the same, and first save the login window as a PNG at PATH.

``arm()`` patches ``LoginDialog.showEvent`` (a Python class, so Qt calls the patched
method). ``arm_on_import()`` defers that until ``app.ui.app`` is first imported, so nothing of
Qt is loaded before the program itself loads it: the bundle's runtime hook
(installer/pyinstaller/rth_alpr.py) calls it, and ``bench/startup.py`` does the same for a
source checkout. Without either variable both do nothing.
"""
from __future__ import annotations

import os
import sys
import time

_armed = False


def wanted() -> bool:
    return bool(os.environ.get("ALPR_SCREENSHOT") or os.environ.get("ALPR_LOGIN_PROBE"))


def _process_age() -> float:
    """Seconds since this process started (from /proc on Linux; else since arming)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _ARMED_AT


_ARMED_AT = time.monotonic()


def _shown(dialog: object) -> None:
    from PySide6.QtWidgets import QApplication, QDialog
    assert isinstance(dialog, QDialog)
    QApplication.processEvents()
    path = os.environ.get("ALPR_SCREENSHOT")
    if path:
        if not dialog.grab().save(path, "PNG"):
            print(f"ALPR-SCREENSHOT-FAILED {path}", file=sys.stderr, flush=True)
    print(f"ALPR-LOGIN-SHOWN {_process_age():.3f}", flush=True)
    dialog.reject()


def arm() -> None:
    """Patch the login dialog when the environment asks for the probe (idempotent)."""
    global _armed
    if _armed or not wanted():
        return
    _armed = True
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QShowEvent

    from app.ui.login import LoginDialog

    original = LoginDialog.showEvent

    def show_event(self: LoginDialog, event: QShowEvent) -> None:
        original(self, event)
        if not getattr(self, "_alpr_probe_done", False):
            self._alpr_probe_done = True  # type: ignore[attr-defined]
            QTimer.singleShot(0, lambda: _shown(self))

    LoginDialog.showEvent = show_event  # type: ignore[method-assign, assignment]


class _ArmOnImport:
    """A meta-path finder that arms the probe just before ``app.ui.app`` is loaded."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "app.ui.app":
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            arm()
        return None                 # the ordinary finders load the module


def arm_on_import() -> None:
    if wanted() and not _armed:
        sys.meta_path.insert(0, _ArmOnImport())

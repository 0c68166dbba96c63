"""Start-up probe: say when the first window is on screen, optionally save it, and leave.

Armed only by the environment, for the package test and ``bench/startup.py``:

``ALPR_LOGIN_PROBE=1``
    when the login dialog has been shown and painted, print ``ALPR-LOGIN-SHOWN <seconds>``
    on standard output (seconds since the process started) and close the dialog, so the
    program ends (exit status 1: nobody signed in). The store is closed the normal way.
``ALPR_SCREENSHOT=PATH``
    the same, and first save the login window as a PNG at PATH.

On a machine with no store the first window is the set-up wizard: it is treated the same way
and says ``ALPR-WIZARD-SHOWN`` (nothing is written: the wizard is closed on its first page).

``arm()`` patches ``LoginDialog.showEvent`` and ``FirstRunWizard.showEvent`` (Python classes,
so Qt calls the patched methods). ``arm_on_import()`` defers that until ``app.ui.app`` is first imported, so nothing of
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


def _shown(dialog: object, marker: str) -> None:
    from PySide6.QtWidgets import QApplication, QDialog
    assert isinstance(dialog, QDialog)
    QApplication.processEvents()
    path = os.environ.get("ALPR_SCREENSHOT")
    if path:
        if not dialog.grab().save(path, "PNG"):
            print(f"ALPR-SCREENSHOT-FAILED {path}", file=sys.stderr, flush=True)
    print(f"{marker} {_process_age():.3f}", flush=True)
    dialog.reject()


def arm() -> None:
    """Patch the login dialog when the environment asks for the probe (idempotent)."""
    global _armed
    if _armed or not wanted():
        return
    _armed = True
    from app.ui.login import LoginDialog
    from app.ui.wizard import FirstRunWizard

    for cls, marker in ((LoginDialog, "ALPR-LOGIN-SHOWN"), (FirstRunWizard, "ALPR-WIZARD-SHOWN")):
        _patch(cls, marker)


def _patch(cls: type, marker: str) -> None:
    from PySide6.QtCore import QTimer
    original = cls.showEvent  # type: ignore[attr-defined]

    def show_event(self, event) -> None:
        original(self, event)
        if not getattr(self, "_alpr_probe_done", False):
            self._alpr_probe_done = True
            QTimer.singleShot(0, lambda: _shown(self, marker))

    cls.showEvent = show_event  # type: ignore[attr-defined]


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

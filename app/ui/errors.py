"""One presenter for every failure: an engine error becomes one sentence in a message box.

The engine words its refusals for people (``str(err)``), so the GUI never rewrites them; it
only picks a title by the error's type. A locked session is not an error to show but a
screen to switch to, so it is handed to the lock hook instead; so is a session the engine
ended (an account disabled, a role changed), which returns the window to the sign-in screen.
Anything that is not an :class:`EngineError` is a bug: it is logged in full and shown as a
short apology.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.engine import errors as E

log = logging.getLogger(__name__)

_TITLES: tuple[tuple[type[BaseException], str], ...] = (
    (E.TrainingRequired, "Training required"),
    (E.ReleaseRefused, "Release refused"),
    (E.PermissionDenied, "Not permitted"),
    (E.PurposeRequired, "Purpose and case number required"),
    (E.AccountLocked, "Account locked"),
    (E.AuthError, "Sign-in"),
    (E.ValidationError, "Please check the input"),
    (E.NotFound, "Not found"),
    (E.AuditLogError, "Access log unavailable"),
    (E.SyncError, "Sync failed"),
    (E.ExportError, "Export failed"),
    (E.BadImage, "Image problem"),
    (E.StoreError, "Store problem"),
    (E.EngineError, "Cannot do that"),
)


def title_for(exc: BaseException) -> str:
    for kind, title in _TITLES:
        if isinstance(exc, kind):
            return title
    return "Unexpected error"


def sentence(exc: BaseException) -> str:
    """What the user reads: the engine's own sentence, or an apology for a bug."""
    if isinstance(exc, E.EngineError):
        return str(exc)
    return (f"Something went wrong inside the workstation ({type(exc).__name__}: {exc}). "
            "Nothing was changed; the details are in the diagnostic log.")


class ErrorPresenter:
    """Shows failures; remembers the last ones so tests and the status bar can read them."""

    def __init__(self, parent: QWidget | None = None, interactive: bool = True) -> None:
        self.parent = parent
        self.interactive = interactive
        self.shown: list[tuple[str, str]] = []
        self.on_locked: Callable[[], None] | None = None
        # Returns True when it took over: the engine ended the session, so the window goes
        # back to the sign-in screen with the engine's sentence instead of a message box.
        self.on_ended: Callable[[BaseException], bool] | None = None

    def __call__(self, exc: BaseException) -> None:
        if isinstance(exc, E.Interrupted):
            return
        if isinstance(exc, E.SessionLocked) and self.on_locked is not None:
            self.on_locked()
            return
        if isinstance(exc, E.AuthError) and self.on_ended is not None and self.on_ended(exc):
            return
        if not isinstance(exc, E.EngineError):
            log.error("unexpected failure", exc_info=exc)
        title, text = title_for(exc), sentence(exc)
        self.shown.append((title, text))
        if self.interactive:
            box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                              self.parent)
            box.setObjectName("errorBox")
            box.open()

    @property
    def last(self) -> str | None:
        return self.shown[-1][1] if self.shown else None

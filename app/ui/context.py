"""What every screen shares: the workstation, the runner, the error presenter, the session.

Screens never keep their own copy of the session: when a user unlocks, switches or changes
purpose, the context emits a signal and every screen re-reads it, so the status bar, the
purpose bar and the enabled screens always agree with what the engine will log.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.engine.auth import Session
from app.engine.errors import EngineError, SessionLocked
from app.engine.workstation import Workstation

from .errors import ErrorPresenter
from .ops import Runner


class AppContext(QObject):
    """Shared state of one window; signals tell the screens when it changes."""

    session_changed = Signal()           # a new user (login, switch at the lock screen)
    purpose_changed = Signal()           # purpose or case number declared or changed
    sync_state_changed = Signal(str)     # a line for the status bar
    locked = Signal()                    # the session was locked (idle or by the user)

    def __init__(self, ws: Workstation, runner: Runner, presenter: ErrorPresenter) -> None:
        super().__init__()
        self.ws = ws
        self.runner = runner
        self.presenter = presenter
        self.session: Session | None = None
        self.sync_state = "Sync: not run in this session"
        runner.set_failure(presenter)

    def can(self, action: str) -> bool:
        """Whether the role grants ``action`` (for hiding screens; the engine still enforces)."""
        if self.session is None:
            return False
        return action in self.ws.profile.role(self.session.user.role).grants

    def set_session(self, session: Session) -> None:
        self.session = session
        self.session_changed.emit()
        self.purpose_changed.emit()

    def set_sync_state(self, text: str) -> None:
        self.sync_state = text
        self.sync_state_changed.emit(text)

    def inline(self, show):
        """A failure handler that writes engine refusals next to the field (``show(text)``);
        a locked session and real bugs still go to the presenter."""
        def failed(exc: BaseException) -> None:
            if isinstance(exc, SessionLocked) or not isinstance(exc, EngineError):
                self.presenter(exc)
            else:
                show(str(exc))
        return failed

    def db(self, work, success=None, failure=None):
        """Shorthand for the runner's database thread."""
        return self.runner.db(work, success, failure)

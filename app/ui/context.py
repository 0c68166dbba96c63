"""What every screen shares: the workstation, the runner, the error presenter, the session.

Screens never keep their own copy of the session: when a user unlocks, switches or changes
purpose, the context emits a signal and every screen re-reads it, so the status bar, the
purpose bar and the enabled screens always agree with what the engine will log.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.engine import timefmt
from app.engine.auth import Session
from app.engine.errors import AuthError, EngineError, SessionLocked
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
        self.tz = timefmt.zone(ws.profile.time_zone)
        self.speed_unit = ws.profile.speed_unit
        runner.set_failure(presenter)

    # -- time as the agency reads it -----------------------------------------------------------
    @property
    def zone_name(self) -> str:
        """'Pacific': the profile's zone, for headings such as 'Time (Pacific)'."""
        return timefmt.zone_name(self.tz)

    def fmt_time(self, ts: float | None, *, seconds: bool = True) -> str:
        """A time in the profile's zone with its abbreviation: '2026-03-05 08:37:12 PST'."""
        return timefmt.fmt(ts, self.tz, seconds=seconds)

    def session_ended(self, exc: BaseException | None = None) -> bool:
        """Whether the engine has ended the current session (an account disabled, a role
        changed, a password expired): only a fresh sign-in goes on."""
        s = self.session
        return (s is not None and s.ended
                and (exc is None or (isinstance(exc, AuthError)
                                     and not isinstance(exc, SessionLocked))))

    def forget_purpose(self) -> None:
        """Drop the declared purpose and case from the session handle (at a lock: whoever
        comes back declares again; nothing declared before is adopted by a click)."""
        if self.session is not None:
            self.session.purpose = self.session.case_number = None
            self.purpose_changed.emit()

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
        a locked or ended session and real bugs still go to the presenter."""
        def failed(exc: BaseException) -> None:
            if (isinstance(exc, SessionLocked) or not isinstance(exc, EngineError)
                    or self.session_ended(exc)):
                self.presenter(exc)
            else:
                show(str(exc))
        return failed

    def db(self, work, success=None, failure=None):
        """Shorthand for the runner's database thread."""
        return self.runner.db(work, success, failure)

"""Progress reports and cancellation for long engine work.

Long operations are generators that yield :class:`Progress` and check a
:class:`CancelToken`; the GUI wraps them in a worker, the CLI simply iterates.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from .errors import Interrupted


@dataclass(frozen=True)
class Progress:
    """A snapshot of how far some work has got."""

    stage: str
    done: int = 0
    total: int | None = None
    bytes_done: int = 0
    started: float = field(default_factory=time.monotonic)
    message: str = ""

    @property
    def rate(self) -> float:
        """Items per second since the work started."""
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


class CancelToken:
    """Shared flag the GUI sets and the engine checks between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Interrupted` if the user asked to stop."""
        if self._event.is_set():
            raise Interrupted("Cancelled by the user.")

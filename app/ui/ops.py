"""Background work for the GUI: one database thread, a parallel pool, results by signal.

The store is one SQLCipher connection behind a lock, so a widget that touched it directly
would freeze the window for as long as a search or sync holds that lock. Every engine call
therefore goes through a :class:`Runner`: calls that touch the database run one at a time on
its single database thread, pure CPU or network work (image decoding, OpenCV, PDF) on a
small pool. Results come back to the GUI thread by a queued signal; progress of generator
work is polled every 100 ms; Cancel sets the engine's :class:`CancelToken`.

Tests inject :class:`ImmediateRunner`, which runs the same calls synchronously.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.engine.errors import Interrupted
from app.engine.progress import CancelToken, Progress

log = logging.getLogger(__name__)

Success = Callable[[object], None]
Failure = Callable[[BaseException], None]


def quiet_gc() -> None:
    """Keep Python's garbage collector from freezing the window.

    A full collection walks every tracked object while holding the GIL, so whichever thread
    triggers it (often the database thread, building a page of rows) the GUI thread waits:
    bench/ui.py measured full collections of 66 to 120 ms on a 2-core machine. Everything
    made at start-up (modules, Qt wrappers, the window) lives as long as the window, so once
    the window is up it is moved out of the collector's sight (``gc.freeze``); full
    collections then walk only what was made since, a few milliseconds.
    """
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def collect_on_gui_thread(parent: QObject, every_ms: int = 2000, full_every: int = 15) -> Iterator[None]:
    """Let only the GUI thread run Python's cycle collector while the window is up.

    The collector runs in whichever thread's allocation trips it: often a worker building the
    demo city or syncing. A cycle it frees there may hold the last reference to a Qt object (a
    page, a closure over a widget), whose C++ side is then deleted off the GUI thread, and the
    GUI thread crashes on it later. So automatic collection is off, and a timer on the GUI
    thread collects the young generation every ``every_ms`` and everything every
    ``full_every`` ticks (Anki does the same); the collector is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    ticks = itertools.count(1)
    timer = QTimer(parent)
    timer.timeout.connect(lambda: gc.collect(2 if next(ticks) % full_every == 0 else 0))
    timer.start(every_ms)
    try:
        yield
    finally:
        timer.stop()
        timer.deleteLater()
        if was_enabled:
            gc.enable()


@dataclass(eq=False)
class Task:
    """One piece of background work as the GUI sees it: cancel it, read its progress."""

    token: CancelToken = field(default_factory=CancelToken)
    latest: Progress | None = None
    finished: bool = False
    timer: QTimer | None = None
    label: str = ""             # what the user would lose by quitting now ("an export"); "" for
                                # quick look-ups nobody needs to be asked about

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


class Runner(QObject):
    """Threads for engine work; the only place the GUI leaves its own thread."""

    _deliver = Signal(object)           # a zero-argument callable to run on the GUI thread

    def __init__(self, failure: Failure | None = None, pool_size: int = 3) -> None:
        super().__init__()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="alpr-db")
        self._pool = ThreadPoolExecutor(pool_size, thread_name_prefix="alpr-pool")
        self._default_failure = failure
        self._pending = 0
        self._active: list[Task] = []
        self._closed = False
        self._lock = threading.Lock()
        self._deliver.connect(self._on_deliver)

    # -- the two doors -----------------------------------------------------------------------
    def db(self, work: Callable[[], object], success: Success | None = None,
           failure: Failure | None = None, task: Task | None = None, label: str = "") -> Task:
        """Run ``work`` on the database thread (every call that reaches the store)."""
        return self._submit(self._db, work, success, failure, self._labelled(task, label))

    def pool(self, work: Callable[[], object], success: Success | None = None,
             failure: Failure | None = None, task: Task | None = None, label: str = "") -> Task:
        """Run ``work`` on the parallel pool (no store access: images, OpenCV, files)."""
        return self._submit(self._pool, work, success, failure, self._labelled(task, label))

    def progress(self, start: Callable[[CancelToken], Generator[Progress, None, object]],
                 on_progress: Callable[[Progress], None], success: Success | None = None,
                 failure: Failure | None = None, label: str = "long work (an export or a sync)"
                 ) -> Task:
        """Run a generator that yields Progress on the database thread, polled every 100 ms."""
        task = Task(label=label)

        def work():
            gen = start(task.token)
            try:
                while True:
                    task.latest = next(gen)
                    task.token.check()
            except StopIteration as stop:
                return stop.value
            finally:
                gen.close()         # a cancelled generator's clean-up runs here, on this thread

        timer = QTimer(self)
        timer.setInterval(100)
        timer.timeout.connect(lambda: task.latest and on_progress(task.latest))  # type: ignore[func-returns-value]  # used for its effect inside an expression
        task.timer = timer
        timer.start()
        return self.db(work, success, failure, task)

    # -- plumbing ----------------------------------------------------------------------------
    @staticmethod
    def _labelled(task: Task | None, label: str) -> Task | None:
        if label:
            task = task or Task()
            task.label = label
        return task

    def _submit(self, executor, work, success, failure, task) -> Task:
        task = task or Task()
        if self._closed:
            task.cancel()                   # the window is closing: nothing new starts
            return task
        with self._lock:
            self._pending += 1
            if task.label:
                self._active.append(task)

        def job():
            try:
                if task.cancelled:
                    raise Interrupted("Cancelled by the user.")
                result = work()
                if task.cancelled:
                    raise Interrupted("Cancelled by the user.")
                self._deliver.emit(lambda: self._finish(task, success, None, result))
            except BaseException as exc:    # noqa: BLE001 - every failure goes to the presenter
                self._deliver.emit(lambda e=exc: self._finish(task, None, failure, e))
        executor.submit(job)
        return task

    @Slot(object)
    def _on_deliver(self, call) -> None:
        call()

    def _finish(self, task: Task, success, failure, value) -> None:
        with self._lock:
            self._pending -= 1
            if task in self._active:
                self._active.remove(task)
        task.finished = True
        if task.timer is not None:
            task.timer.stop()
            if task.latest is not None and success is not None:
                task.timer.timeout.emit()   # show the final figures before the result
        if isinstance(value, Interrupted):
            return                          # the user asked for it: nothing to say
        if isinstance(value, BaseException):
            (failure or self.fail)(value)
        elif success is not None:
            success(value)

    def fail(self, exc: BaseException) -> None:
        """The default failure path: Interrupted is silent, the rest goes to the presenter."""
        if isinstance(exc, Interrupted):
            return
        if self._default_failure is not None:
            self._default_failure(exc)
        else:
            log.error("background work failed", exc_info=exc)

    def set_failure(self, failure: Failure) -> None:
        self._default_failure = failure

    @property
    def idle(self) -> bool:
        """No work queued, running or waiting to be delivered (tests wait on this)."""
        with self._lock:
            return self._pending == 0

    def running(self) -> list[str]:
        """What long work is running now, in words (the window asks before quitting)."""
        with self._lock:
            return [t.label for t in self._active if not t.finished and not t.cancelled]

    def cancel_all(self) -> None:
        with self._lock:
            for t in self._active:
                t.cancel()

    def shutdown(self) -> None:
        """Wait for the database thread so the store is never closed under a running call."""
        self._closed = True
        self._db.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)


class ImmediateRunner(Runner):
    """Runs every call at once on the calling thread: for tests that want no waiting."""

    def _submit(self, executor, work, success, failure, task) -> Task:
        task = task or Task()
        with self._lock:
            self._pending += 1
            if task.label:
                self._active.append(task)
        try:
            if task.cancelled:
                raise Interrupted("Cancelled by the user.")
            result = work()
        except BaseException as exc:        # noqa: BLE001
            self._finish(task, None, failure, exc)
        else:
            self._finish(task, success, None, result)
        return task

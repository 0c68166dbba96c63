"""While the window is up, only the GUI thread runs Python's cycle collector (app/ui/ops.py):
a cycle made and dropped by a worker thread (a demo build, a sync) is freed on the GUI thread,
so a Qt object it holds is never deleted off that thread."""
from __future__ import annotations

import gc
import threading

from app.ui.ops import collect_on_gui_thread


class _Cycle:
    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self                                  # only the cycle collector frees it

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_cycles_dropped_by_a_worker_are_collected_on_the_gui_thread(qapp, qtbot):
    assert gc.isenabled()
    _Cycle.freed_on.clear()
    with collect_on_gui_thread(qapp, every_ms=20, full_every=1):
        assert not gc.isenabled()

        def worker() -> None:
            for _ in range(2000):
                _Cycle()
                [object() for _ in range(50)]           # allocations that would trip the collector
        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        assert _Cycle.freed_on == []                    # nothing collected in the worker
        qtbot.waitUntil(lambda: len(_Cycle.freed_on) == 2000, timeout=5000)
    assert set(_Cycle.freed_on) == {threading.main_thread().name}
    assert gc.isenabled()                               # restored when the window closes

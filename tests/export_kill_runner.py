"""Run one evidence export in its own process and SIGKILL it at a chosen step.

Usage: python -m tests.export_kill_runner DATA_DIR USER TARGET CLOCK KILL_AT READ_ID...
(password on standard input). The clock is fixed at CLOCK (Unix seconds), so nothing depends
on the wall clock.

A step is entering or leaving one call that changes the medium or the log: an access-log
append, creating the package folder, writing one file, the flush, the capacity check, the
rename; reading one file back is a step too. The process kills itself (SIGKILL, no clean-up
of any kind) when step KILL_AT begins, counting from 1; with KILL_AT 0 it runs to the end and
prints ``STEPS n``, the number of steps a whole export takes.
"""
from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from pathlib import Path

from app.engine import accesslog
from app.engine.evidence import ExportRequest, media, run
from app.engine.workstation import Workstation


class Steps:
    def __init__(self, kill_at: int) -> None:
        self.kill_at, self.n, self.on = kill_at, 0, False
        self.lock = threading.Lock()

    def step(self) -> None:
        if not self.on:
            return
        with self.lock:
            self.n += 1
            if self.n == self.kill_at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    def wrap(self, owner, name: str) -> None:
        fn = getattr(owner, name, None)
        if fn is None:
            return

        @functools.wraps(fn)
        def counted(*a, **kw):
            self.step()
            try:
                return fn(*a, **kw)
            finally:
                self.step()
        setattr(owner, name, counted)

    def wrap_gen(self, owner, name: str) -> None:
        fn = getattr(owner, name)

        @functools.wraps(fn)
        def counted(*a, **kw):
            for item in fn(*a, **kw):
                self.step()
                yield item
        setattr(owner, name, counted)


def main() -> None:
    data_dir, user, target = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    now, kill_at = float(sys.argv[4]), int(sys.argv[5])
    ids = [int(a) for a in sys.argv[6:]]
    ws = Workstation.open(Path(data_dir), clock=lambda: now)
    session = ws.login(user, sys.stdin.readline().rstrip("\n"))
    ws.set_purpose(session, "FELONY-INV", "LHS-2026-004512")
    steps = Steps(kill_at)
    steps.wrap(accesslog, "append")
    for name in ("begin", "create", "write", "sync", "check_capacity", "finish"):
        steps.wrap(media.PackageWriter, name)
    steps.wrap_gen(media.PackageWriter, "read_back")
    print("EXPORTING", flush=True)
    steps.on = True
    result = run(ws.evidence.export(session, ExportRequest(ids, target, "Kill test export")))
    steps.on = False
    print(f"DONE {result.path}", flush=True)
    print(f"STEPS {steps.n}", flush=True)
    ws.close()


if __name__ == "__main__":
    main()

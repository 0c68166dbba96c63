"""Run one sync in its own process (the crash test kills it with SIGKILL at random points).

Usage: python -m tests.sync_crash_runner DATA_DIR USER BATCH  (password on stdin)
"""
from __future__ import annotations

import sys
from pathlib import Path

from app.engine.workstation import Workstation


def main() -> None:
    data_dir, user, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ws = Workstation.open(Path(data_dir))
    session = ws.login(user, sys.stdin.readline().rstrip("\n"))
    ws.sync.batch = batch
    print("SYNCING", flush=True)
    for _ in ws.sync.run(session):
        print("STEP", flush=True)                  # the test kills after a random number of these
    print("DONE", flush=True)
    ws.close()


if __name__ == "__main__":
    main()

"""Login with key unwrap: how long a person waits to open a closed store (goal: under 1 s).

Prints each phase beside the whole: the slot's argon2id derivation and AES-GCM unwrap, the
store's first opening (integrity check of the file), and the login's own password check.
Run from the project root inside scripts/with-keyring (it needs a Secret Service).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.workstation import Workstation  # noqa: E402

PASSWORD = "Bench-Login-Passphrase-2026-Long"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="alpr-bench-login-")) / "store"
    ws = Workstation.create(folder, "coachella")      # no second factor for its prosecutor
    ws.create_first_admin("bench.admin", "Bench Admin", PASSWORD)
    ws.close()
    slot, first, again = [], [], []
    for _ in range(5):
        w = Workstation.open(folder, purge_on_start=False)
        t0 = time.perf_counter()
        w.vault.slots.open("bench.admin", PASSWORD)
        slot.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s = w.login("bench.admin", PASSWORD)           # closed store: unwrap, open, login
        first.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s2 = w.login("bench.admin", PASSWORD)          # open store: login and slot check
        again.append(time.perf_counter() - t0)
        w.logout(s2)
        w.logout(s)
        w.close()
    med = statistics.median
    print(f"slot unwrap alone (argon2id 19 MiB t=2 + AES-GCM): {med(slot) * 1000:6.0f} ms")
    print(f"login on a closed store (unwrap + open + login):   {med(first) * 1000:6.0f} ms  "
          f"= {med(first) / 1.0:.2f}x the 1 s goal")
    print(f"login on an open store (login + slot check):       {med(again) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()

"""Start-to-login time of the workstation: from starting the program to its login window.

Runs ``alpr --data-dir STORE gui`` with the start-up probe armed (``ALPR_LOGIN_PROBE=1``,
app/ui/screenshot_hook.py): when the login dialog has been shown and painted the program
prints ``ALPR-LOGIN-SHOWN`` and closes it. The time is measured here, from starting the
process to reading that line. One run warms the disk cache, then ``--runs`` are timed
(warm start); the median is the figure (goal: under 3 s).

    scripts/with-keyring xvfb-run -a python3 bench/startup.py                # the bundle
    scripts/with-keyring xvfb-run -a python3 bench/startup.py --program /usr/bin/alpr
    scripts/with-keyring xvfb-run -a .venv/bin/python bench/startup.py --source

Without ``--data-dir`` a throwaway store is made first with ``alpr init`` (which is why it
runs under a keyring). Under Xvfb the real X11 (xcb) platform is used; with no display,
QT_QPA_PLATFORM=offscreen.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "alpr-workstation" / "alpr"
SOURCE = ("import sys; from app.ui import screenshot_hook as h; h.arm_on_import(); "
          "from app.cli.main import main; sys.exit(main())")
PASSWORD = "Startup-Bench-Passphrase-7"


def program(args: argparse.Namespace) -> list[str]:
    if args.source:
        return [sys.executable, "-c", SOURCE]
    exe = Path(args.program) if args.program else BUNDLE
    if not exe.exists():
        sys.exit(f"startup: {exe} not found (build it with installer/build-bundle, or give --source)")
    return [str(exe)]


def make_store(cmd: list[str], folder: Path) -> None:
    subprocess.run(cmd + ["--data-dir", str(folder), "init", "--admin", "bench.admin",
                          "--admin-name", "Bench Admin", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def one_run(cmd: list[str], store: Path, env: dict[str, str], timeout: float) -> tuple[float, float]:
    """(seconds from start to the login window, the program's own figure)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd + ["--data-dir", str(store), "gui"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("ALPR-LOGIN-SHOWN"):
                elapsed = time.perf_counter() - t0
                own = float(line.split()[1])
                proc.wait(timeout=timeout)
                return elapsed, own
        proc.wait(timeout=timeout)
        raise SystemExit(f"startup: no login window (exit {proc.returncode}): "
                         f"{proc.stderr.read().strip() if proc.stderr else ''}")
    finally:
        if proc.poll() is None:
            proc.kill()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--program", help=f"the alpr program to start (default: {BUNDLE})")
    p.add_argument("--source", action="store_true", help="run this checkout with the current python")
    p.add_argument("--data-dir", help="an existing store (default: a throwaway one made with alpr init)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=60.0)
    args = p.parse_args()
    cmd = program(args)
    env = dict(os.environ, ALPR_LOGIN_PROBE="1")
    if not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "xcb" if env.get("DISPLAY") else "offscreen"
    with tempfile.TemporaryDirectory(prefix="alpr-startup-") as tmp:
        store = Path(args.data_dir) if args.data_dir else Path(tmp) / "store"
        if not args.data_dir:
            make_store(cmd, store)
        one_run(cmd, store, env, args.timeout)                      # warm-up (disk cache)
        runs = [one_run(cmd, store, env, args.timeout) for _ in range(args.runs)]
    walls = [w for w, _ in runs]
    print(f"startup: {' '.join(cmd[:1])} on {env['QT_QPA_PLATFORM']}, {args.runs} warm runs")
    print(f"startup: start to login window: median {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}; goal < 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

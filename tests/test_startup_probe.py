"""The start-up probe that the package test uses (app/ui/screenshot_hook.py): on a machine with
no store the program's first window is the set-up wizard, which the probe saves and closes
without writing anything; on a machine with a store it is the login window."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.engine.firstrun import needs_first_run
from tests.conftest import Clock, People, _make_ws

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ("import sys; from app.ui import screenshot_hook as h; h.arm_on_import(); "
           "from app.cli.main import main; sys.exit(main(sys.argv[1:]))")


def _start(data: Path, shot: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ALPR_SCREENSHOT": str(shot)}
    return subprocess.run([sys.executable, "-c", PROGRAM, "--data-dir", str(data), "gui"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_no_store_opens_the_wizard_and_the_probe_writes_nothing(tmp_path):
    data, shot = tmp_path / "fresh", tmp_path / "wizard.png"
    r = _start(data, shot)
    assert "ALPR-WIZARD-SHOWN" in r.stdout and "ALPR-LOGIN-SHOWN" not in r.stdout, r.stdout + r.stderr
    assert r.returncode == 1                           # nobody was set up or signed in
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert needs_first_run(data)


def test_a_store_opens_the_login_window(tmp_path):
    clock = Clock()
    ws = _make_ws(tmp_path, clock)
    People(ws, clock).admin()
    ws.close()
    r = _start(ws.data_dir, tmp_path / "login.png")
    assert "ALPR-LOGIN-SHOWN" in r.stdout, r.stdout + r.stderr
    assert (tmp_path / "login.png").read_bytes().startswith(b"\x89PNG")

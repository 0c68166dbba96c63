"""Screenshots of the desktop's main screens, taken in a real X window, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py

It builds a throwaway encrypted store with sample data (tests/ui_sample.py), signs in people
of each role the way a user would, drives the real widgets and grabs each window.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["QT_QPA_PLATFORM"] = "xcb"

import pyotp  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.engine.workstation import Workstation  # noqa: E402
from app.ui.app import application  # noqa: E402
from app.ui.context import AppContext  # noqa: E402
from app.ui.errors import ErrorPresenter  # noqa: E402
from app.ui.login import LoginDialog  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.ops import Runner  # noqa: E402
from tests.ui_sample import bulk_reads, insert_sample, misread_id  # noqa: E402

PASSWORD = "Correct-Horse-7-Battery-Staple"
PEOPLE = [("dlopez", "Dana Lopez", "deputy"), ("aauditor", "Ari Auditor", "auditor"),
          ("pprosecutor", "Pat Prosecutor", "prosecutor")]


def settle(ctx: AppContext | None = None, seconds: float = 0.4) -> None:
    """Let background work finish and the window repaint."""
    app = QApplication.instance()
    end = time.monotonic() + 30
    while ctx is not None and not ctx.runner.idle and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def prepare(data_dir: Path) -> tuple[Workstation, dict[str, str]]:
    ws = Workstation.create(data_dir, "calabasas")
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    secrets: dict[str, str] = {}
    today = date.today()
    admin = login(ws, "amanager", secrets)
    for name, full, role in PEOPLE:
        ws.add_user(admin, name, full, role, PASSWORD)
    for name in ["amanager"] + [p[0] for p in PEOPLE]:
        ws.add_training(admin, name, ws.profile.training_course,
                        (today - timedelta(days=40)).isoformat(), (today + timedelta(days=325)).isoformat())
    now = int(time.time())
    insert_sample(ws, now, per_plate=8)
    bulk_reads(ws, 20000, now)
    return ws, secrets


_STEPS: dict[str, int] = {}


def _code(username: str, secret: str) -> str:
    """A one-time code not used before (each works once; the engine takes the next step too)."""
    step = max(int(time.time()) // 30, _STEPS.get(username, 0) + 1)
    _STEPS[username] = step
    return pyotp.TOTP(secret).at(step * 30)


def login(ws: Workstation, username: str, secrets: dict[str, str]):
    code = _code(username, secrets[username]) if username in secrets else None
    s = ws.login(username, PASSWORD, code)
    if s.must_enrol_totp:
        e = ws.begin_totp(s)
        secrets[username] = e.secret
        ws.confirm_totp(s, _code(username, e.secret))
    return s


def window_for(ws, session, settings_dir: Path) -> tuple[AppContext, MainWindow]:
    ctx = AppContext(ws, Runner(), ErrorPresenter())
    settings = QSettings(str(settings_dir / f"{session.user.username}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings)
    ctx.set_session(session)
    window.resize(1560, 940)
    window.move(10, 10)
    window.show()
    settle(ctx)
    return ctx, window


def shoot(widget, out: Path, name: str) -> None:
    widget.grab().save(str(out / f"{name}.png"), "PNG")
    print(f"wrote {out / name}.png")


def finish(window, ctx: AppContext) -> None:
    """Close a window and stop its runner once its work has settled (each script's last step)."""
    window.close()
    settle(ctx)
    ctx.runner.shutdown()


def begin(doc: str, prefix: str) -> tuple[argparse.Namespace, Path]:
    """The arguments (``--out``, made), the application, and a fresh temporary folder."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    application()
    return args, Path(tempfile.mkdtemp(prefix=prefix))


def main() -> int:
    args, tmp = begin(__doc__, "alpr-shots-")
    ws, secrets = prepare(tmp / "store")

    ctx = AppContext(ws, Runner(), ErrorPresenter())
    dialog = LoginDialog(ctx)
    dialog.show()
    settle(ctx)
    dialog.user.setText("dlopez")
    dialog.password.setText("wrong password")
    dialog.ok.click()
    settle(ctx)
    dialog.password.setText(PASSWORD)
    settle(ctx)
    shoot(dialog, args.out, "login")
    dialog.close()
    ctx.runner.shutdown()

    deputy = login(ws, "dlopez", secrets)
    ctx, window = window_for(ws, deputy, tmp)
    window.purpose_bar.choose("STOLEN-VEH", "LHS-2026-004512")
    settle(ctx)
    search = window.search
    search.plate.setText("7ABC123")
    search.mode.setCurrentIndex(search.mode.findData("similar"))
    search.run_search()
    settle(ctx, 1.0)
    shoot(window, args.out, "search")

    rows = [r.id for r in search.model.rows]
    search.table.selectRow(rows.index(misread_id(8)))
    settle(ctx, 1.0)
    window.detail.enhance_box.setChecked(True)
    window.detail.scene_view.zoom_by(1.6)
    window.screens["search"].setSizes([520, 1040])
    settle(ctx, 0.8)
    shoot(window, args.out, "detail")

    window.tabs.setCurrentWidget(window.hits)          # the queue loads as the screen opens
    window.hits.hotlists.refresh()
    settle(ctx, 0.8)
    window.hits.table.selectRow(0)                     # its read shows beside the queue
    settle(ctx, 1.0)
    window.hits.disposition.setCurrentIndex(window.hits.disposition.findData("confirmed"))
    window.hits.note.setText("Vehicle stopped by unit 4A12, driver detained")
    settle(ctx, 0.5)
    shoot(window, args.out, "hits")
    window.lock_now()
    settle(ctx, 0.5)
    shoot(window, args.out, "lock")
    finish(window, ctx)

    admin = login(ws, "amanager", secrets)
    ws.set_purpose(admin, "AUDIT", "CR-2026-0042")
    ctx, window = window_for(ws, admin, tmp)
    window.tabs.setCurrentWidget(window.audit)
    window.audit.refresh()
    window.audit.verify()
    settle(ctx, 0.8)
    shoot(window, args.out, "audit")
    window.tabs.setCurrentWidget(window.admin)
    window.admin.tabs.setCurrentIndex(0)
    settle(ctx, 0.5)
    window.admin.users.select("dlopez")
    settle(ctx, 0.3)
    shoot(window, args.out, "admin")
    window.admin.tabs.setCurrentWidget(window.admin.sync)
    settle(ctx, 0.3)
    shoot(window, args.out, "admin-sync")
    finish(window, ctx)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

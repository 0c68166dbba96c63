"""Screenshots of the first-run wizard, taken in a real X window, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/wizard_screenshots.py

It opens the real wizard on an empty temporary folder, as ``alpr gui`` does on a machine with no
store, and fills each page the way a person would (the demo city as the server, without OCR so
that it takes seconds), grabbing the window at each step and the workstation it opens at the end.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["QT_QPA_PLATFORM"] = "xcb"

import pyotp  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.engine.firstrun import FirstRun  # noqa: E402
from app.ui.app import application  # noqa: E402
from app.ui.context import AppContext  # noqa: E402
from app.ui.errors import ErrorPresenter  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.ops import Runner  # noqa: E402
from app.ui.wizard import FirstRunWizard  # noqa: E402

PASSWORD = "Harbor-Lantern-Quiet-7"


def settle(runner: Runner | None = None, seconds: float = 0.4, until=None) -> None:
    app = QApplication.instance()
    end = time.monotonic() + 120
    while time.monotonic() < end and ((runner is not None and not runner.idle)
                                      or (until is not None and not until())):
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(widget, out: Path, name: str) -> None:
    widget.grab().save(str(out / f"{name}.png"), "PNG")
    print(f"wrote {out / name}.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--reads-per-day", type=int, default=400)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-wizard-shots-"))
    runner = Runner()
    presenter = ErrorPresenter()
    wizard = FirstRunWizard(FirstRun(tmp / "store"), runner, presenter)
    wizard.move(20, 20)
    wizard.show()
    settle()
    wizard.profile.choose("calabasas")
    settle()
    shoot(wizard, args.out, "wizard-profile")

    wizard.next_button.click()
    a = wizard.admin
    a.username.setText("amorgan")
    a.full_name.setText("Alex Morgan (City Manager designee)")
    a.password.setText("short")
    a.repeat.setText("short")
    wizard.next_button.click()
    settle(runner)
    a.password.setText(PASSWORD)
    a.repeat.setText(PASSWORD)
    settle()
    shoot(wizard, args.out, "wizard-administrator")

    wizard.next_button.click()
    settle(runner)
    secret = wizard.factor.secret.text().replace(" ", "")
    wizard.factor.code.setText(pyotp.TOTP(secret).now())
    settle()
    shoot(wizard, args.out, "wizard-second-factor")

    wizard.next_button.click()
    settle(runner)
    s = wizard.server
    s.pg.setChecked(True)
    s.address.setText("postgresql://alpr@city-server.invalid/alpr")
    s.pg_password.setText("not-the-real-one")
    s.test_button.click()
    settle(runner, 0.6)
    shoot(wizard, args.out, "wizard-server-postgresql")
    s.demo.setChecked(True)
    s.days.setValue(args.days)
    s.per_day.setValue(args.reads_per_day)
    s.ocr.setChecked(False)
    s.test_result.clear()
    settle()
    shoot(wizard, args.out, "wizard-server")

    wizard.next_button.click()
    settle(seconds=0.05, until=lambda: wizard.pages.currentWidget() is wizard.sync
           or bool(s.message.text()))
    settle(seconds=0.0, until=lambda: "reads" in wizard.sync.stage.text() or wizard.task is None)
    shoot(wizard, args.out, "wizard-sync-running")
    settle(runner, 0.3)

    wizard.next_button.click()
    settle()
    shoot(wizard, args.out, "wizard-done")
    wizard.next_button.click()
    settle(runner)

    ctx = AppContext(wizard.ws, runner, presenter)
    window = MainWindow(ctx, QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat))
    ctx.set_session(wizard.session)
    window.resize(1560, 940)
    window.move(10, 10)
    window.show()
    settle(runner)
    window.purpose_bar.choose("STOLEN-VEH", "LHS-2026-004512")
    settle(runner)
    plate = wizard.ws.hits.queue(wizard.session)[0].plate     # a plate on a hotlist, read lately
    window.search.plate.setText(plate[:-1] + "?")
    window.search.mode.setCurrentIndex(window.search.mode.findData("wildcard"))
    window.search.run_search()
    settle(runner, 1.0)
    shoot(window, args.out, "wizard-first-search")
    window.close()
    settle(runner)
    runner.shutdown()
    wizard.ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

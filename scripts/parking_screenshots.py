"""Screenshots of the parking screens on the LA Metro demo, into docs/screenshots/parking-*.png.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/parking_screenshots.py

It builds the parking demo (``alpr demo setup --profile lametro-parking``) in a throwaway
folder, signs in the operations clerk and the enforcement officer, declares each function's
purpose in the purpose bar, drives the real panels and grabs the window.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from screenshots import settle, shoot, window_for  # noqa: E402

from app.engine.workstation import Workstation  # noqa: E402
from app.server import demo_parking  # noqa: E402
from app.ui.app import application  # noqa: E402
from app.ui.parking import AppealPanel, OccupancyPanel, ReconciliationPanel, ViolationsPanel  # noqa: E402


def _weekday_before(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _show(window, panel, ctx, fid: str, day: date) -> None:
    window.tabs.setCurrentWidget(window.parking)
    window.parking.tabs.setCurrentWidget(panel)
    panel.facility.setCurrentIndex(panel.facility.findData(fid))
    if hasattr(panel, "day"):
        from PySide6.QtCore import QDate
        panel.day.setDate(QDate(day.year, day.month, day.day))
    settle(ctx)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-parking-shots-"))
    demo_parking.setup(tmp / "store", days=7, server_dir=tmp / "city", now=time.time(), clock=time.time,
                       say=print, ocr=False)
    ws = Workstation.open(tmp / "store")
    day = _weekday_before(date.today())
    pw = demo_parking.DEMO_PASSWORD

    clerk = ws.login("lee.chan", pw)
    ctx, window = window_for(ws, clerk, tmp)
    window.purpose_bar.choose("OCCUPANCY", demo_parking.CASE)
    occ = window.parking.panel(OccupancyPanel)
    _show(window, occ, ctx, "NOHO", day)
    occ.days.setValue(7)
    occ.run_button.click()
    settle(ctx, 0.8)
    shoot(window, args.out, "parking-occupancy")
    window.purpose_bar.choose("REVENUE", demo_parking.CASE)
    rec = window.parking.panel(ReconciliationPanel)
    _show(window, rec, ctx, "NOHO", day)
    rec.run_button.click()
    settle(ctx, 0.8)
    shoot(window, args.out, "parking-reconciliation")
    window.close()
    ws.logout(clerk)

    officer = ws.login("sam.ortiz", pw)
    ctx, window = window_for(ws, officer, tmp)
    window.purpose_bar.choose("PARKING-ORD", demo_parking.CASE)
    vio = window.parking.panel(ViolationsPanel)
    _show(window, vio, ctx, "NOHO", day)
    vio.run_button.click()
    settle(ctx, 0.8)
    rows = [r[0] for r in vio.model.rows]
    row = rows.index("overstay") if "overstay" in rows else 0
    vio.view.selectRow(row)
    vio.citation.setText("CIT-20261127")
    settle(ctx, 0.8)
    shoot(window, args.out, "parking-violations")
    vio.issue_button.click()
    settle(ctx)
    window.purpose_bar.choose("TRANSIT-COURT", "CIT-20261127")
    app_panel = window.parking.panel(AppealPanel)
    window.tabs.setCurrentWidget(window.parking)
    window.parking.tabs.setCurrentWidget(app_panel)
    app_panel.run_button.click()
    settle(ctx)
    (tmp / "usb").mkdir()
    app_panel.target.setText(str(tmp / "usb"))
    app_panel.build()
    settle(ctx, 1.5)
    shoot(window, args.out, "parking-appeal")
    window.close()
    ws.logout(officer)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

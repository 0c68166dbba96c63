"""Screenshots of the custodian's screen and of a transparency report's first page, into
docs/screenshots/ (custodian*.png, transparency-report.png).

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/custodian_screenshots.py

A throwaway store with the sample data, reads from before the retention period, a deputy's
searches and a hold; the custodian previews the purge, purges, and writes the month's report.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import PASSWORD, ROOT, finish, login, settle, shoot, window_for  # noqa: E402

from app.engine.search import SearchQuery  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from app.ui.app import application  # noqa: E402
from tests.ui_sample import CAMERAS, insert_sample  # noqa: E402

DAY = 86400


def old_reads(ws: Workstation, now: int) -> list[int]:
    """Reads of three days just past the Calabasas retention period (730 days)."""
    rng, rows = random.Random(3), []
    for i in range(180):
        plate = f"{rng.randint(1, 9)}{''.join(rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}{rng.randint(0, 999):03d}"
        rows.append((900_000 + i, plate, now - (731 + i % 3) * DAY - rng.randint(0, 80_000),
                     CAMERAS[i % len(CAMERAS)][0], 0.9, "Flock"))
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor) "
                         "VALUES (?,?,?,?,?,?)", rows)
    return [r[0] for r in rows]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-custody-shots-"))
    ws = Workstation.create(tmp / "store", "calabasas")
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    secrets: dict[str, str] = {}
    admin = login(ws, "amanager", secrets)
    today = date.today()
    for name, full, role in (("clee", "Casey Lee", "custodian"), ("dlopez", "Dana Lopez", "deputy")):
        ws.add_user(admin, name, full, role, PASSWORD)
        ws.add_training(admin, name, ws.profile.training_course, str(today - timedelta(days=40)),
                        str(today + timedelta(days=325)))
    now = int(time.time())
    insert_sample(ws, now, per_plate=8)
    old = old_reads(ws, now)
    deputy = login(ws, "dlopez", secrets)
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004512")
    for plate in ("7ABC123", "8XYZ999", "4KLM456"):
        ws.search(deputy, SearchQuery(plate=plate))
    ws.place_hold(deputy, "LHS-2026-004512", "evidence", "stolen vehicle recovered, case open", old[:3])

    custodian = login(ws, "clee", secrets)
    ctx, window = window_for(ws, custodian, tmp)
    window.tabs.setCurrentWidget(window.custody)
    panel = window.custody
    holds = panel.holds
    holds.case.setText("CR-2026-0042")
    holds.kind.setCurrentIndex(holds.kind.findData("litigation"))
    holds.reads.setText(f"{old[5]}, {old[8]}")
    holds.reason.setText("Claim against the City filed 2026-02-11")
    holds.place_button.click()
    settle(ctx, 0.5)
    panel.preview_button.click()
    settle(ctx, 0.8)
    shoot(window, args.out, "custodian")

    panel.confirm = lambda _parent, _question: True
    panel.purge_button.click()
    settle(ctx, 0.8)
    shoot(window, args.out, "custodian-certificate")

    report = tmp / "transparency.pdf"
    ws.custody.transparency_report(custodian, panel_period(panel, ctx), report)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(report),
                    str(args.out / "transparency-report")], check=True)
    print(f"wrote {args.out / 'transparency-report'}.png")
    finish(window, ctx)
    ws.close()
    return 0


def panel_period(panel, ctx):
    """The current month (the sample's activity is today's)."""
    from app.engine import timefmt
    from app.engine.oversight import transparency
    d = timefmt.local(ctx.ws.clock(), ctx.tz).date()
    return transparency.month(d.year, d.month, ctx.tz)


if __name__ == "__main__":
    sys.exit(main())

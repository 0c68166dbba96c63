"""Screenshots of the Audit cycle screen (issue 14), taken in a real X window, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_audit_cycle.py

A throwaway Calabasas store gets a month of searches by two deputies (a burst, a search by
camera alone, a plate searched by three people, a night search, an export) before last
month's review is run by the auditor in the real window: the review with a flagged item open,
then the designee's view of the signed review, and the first page of the PDF report.
"""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screenshots import PASSWORD, begin, finish, login, settle, shoot, window_for  # noqa: E402

from app.engine import timefmt  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from tests.review_log import put, search  # noqa: E402

PEOPLE = [("dlopez", "Dana Lopez", "deputy"), ("mkim", "Morgan Kim", "deputy"),
          ("pprosecutor", "Pat Prosecutor", "prosecutor"), ("aauditor", "Ari Auditor", "auditor")]


def prepare(data_dir: Path) -> tuple[Workstation, dict[str, str], str]:
    ws = Workstation.create(data_dir, "calabasas")
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    secrets: dict[str, str] = {}
    admin = login(ws, "amanager", secrets)
    today = date.today()
    for name, full, role in PEOPLE:
        ws.add_user(admin, name, full, role, PASSWORD)
    for name in ["amanager"] + [p[0] for p in PEOPLE]:
        ws.add_training(admin, name, ws.profile.training_course,
                        (today - timedelta(days=200)).isoformat(), (today + timedelta(days=300)).isoformat())
    tz = timefmt.zone(ws.profile.time_zone)
    last = datetime.fromtimestamp(time.time(), tz).replace(day=1) - timedelta(days=1)
    month = f"{last:%Y-%m}"
    start = ws.reviews.period(month).start
    actors = {u.username: u.actor for u in ws.auth.list_users()}
    dana, morgan, pat = actors["dlopez"], actors["mkim"], actors["pprosecutor"]
    for day in range(1, 90):                                    # their usual hours: the day shift
        for who in (dana, morgan):
            search(ws, start - day * 86400 + (9 + day % 8) * 3600, who, f"6BAS{day:03d}")
    for day in range(1, 27, 2):
        put(ws, start + day * 86400 + 8 * 3600, dana, "purpose_set", purpose="FELONY-INV",
            case_number="LHS-2026-004512", detail={"label": "Specific felony investigation"})
        search(ws, start + day * 86400 + 10 * 3600, dana, f"8MON{day:03d}")
        search(ws, start + day * 86400 + 14 * 3600, morgan, f"7MON{day:03d}", case="LHS-2026-004533")
    for i in range(16):
        search(ws, start + 9 * 86400 + 15 * 3600 + i * 25, morgan, f"5BUR{i:03d}", case="LHS-2026-004533")
    search(ws, start + 12 * 86400 + 11 * 3600, dana, None, cameras=["CAM-LV-N"])
    for who in (dana, morgan, pat):
        search(ws, start + 14 * 86400 + 13 * 3600, who, "7ABC123", case="CE-2026-00123", purpose="CODE-ENF")
    search(ws, start + 17 * 86400 + 2 * 3600 + 600, dana, "4NGT221")
    put(ws, start + 20 * 86400 + 11 * 3600, dana, "export", purpose="FELONY-INV",
        case_number="LHS-2026-004512", result_ids=[11, 12], detail={"package": "ALPR-LHS-2026-004512-1"})
    return ws, secrets, month


def main() -> int:
    args, tmp = begin(__doc__, "alpr-shots-cycle-")
    ws, secrets, month = prepare(tmp / "store")

    auditor = login(ws, "aauditor", secrets)
    ctx, window = window_for(ws, auditor, tmp)
    cycle = window.screens["cycle"]
    window.tabs.setCurrentWidget(cycle)
    settle(ctx)
    cycle.run_button.click()
    settle(ctx, 0.8)
    for row, item in enumerate(cycle.detail.items):
        if item.rule == "sample":
            cycle.items.selectRow(row)
            settle(ctx, 0.1)
            cycle.outcome.setCurrentIndex(cycle.outcome.findData("confirmed"))
            cycle.record_button.click()
            settle(ctx, 0.1)
    burst = next(n for n, i in enumerate(cycle.detail.items) if i.rule == "burst")
    cycle.items.selectRow(burst)
    cycle.outcome.setCurrentIndex(cycle.outcome.findData("explained"))
    cycle.note.setText("Plate canvass of the Lost Hills lot after the vehicle burglary; case file checked.")
    settle(ctx, 0.8)
    shoot(window, args.out, "audit-cycle")
    for row, item in enumerate(cycle.detail.items):
        if item.outcome is None:
            cycle.items.selectRow(row)
            cycle.outcome.setCurrentIndex(cycle.outcome.findData("explained"))
            cycle.note.setText("Explained by the case file.")
            cycle.record_button.click()
            settle(ctx, 0.1)
    cycle.note.setText("Checked against the case files of Lost Hills Station.")
    cycle.signoff_button.click()
    settle(ctx, 0.5)
    review_id = cycle.detail.review.id
    cycle.choose_report = lambda kind: str(tmp / f"review.{kind}")
    cycle.pdf_button.click()
    settle(ctx, 0.5)
    finish(window, ctx)

    admin = login(ws, "amanager", secrets)
    ctx, window = window_for(ws, admin, tmp)
    cycle = window.screens["cycle"]
    window.tabs.setCurrentWidget(cycle)
    settle(ctx)
    cycle.open_review(review_id)
    settle(ctx, 0.5)
    cycle.items.selectRow(0)
    cycle.note.setText("Approved after reading the findings with the auditor.")
    settle(ctx, 0.8)
    shoot(window, args.out, "audit-cycle-approve")
    finish(window, ctx)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(tmp / "review.pdf"),
                    str(args.out / "audit-cycle-report")], check=True)
    print(f"wrote {args.out / 'audit-cycle-report'}.png ({month})")
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Screenshots of the designee's screen and of a breach notice into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/designee_screenshots.py

A throwaway Calabasas store (sample reads, a clerk's written request for the designee to review,
the register) and a Coachella one (a written permission for the contractor, a breach incident
with its three notices); the notice's first page is rendered with pdftoppm.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import PASSWORD, ROOT, _STEPS, finish, login, settle, shoot, window_for  # noqa: E402

from app.engine.evidence import ReleaseRequestForm  # noqa: E402
from app.engine.oversight.agencies import AgencyForm  # noqa: E402
from app.engine.oversight.breach import IncidentForm  # noqa: E402
from app.engine.oversight.permits import PermitForm  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from app.ui.app import application  # noqa: E402
from tests.ui_sample import insert_sample  # noqa: E402


def _store(folder: Path, profile: str, more: list[tuple[str, str, str]], secrets: dict[str, str]):
    """A store under ``profile`` with the sample reads, its administrator (signed in) and
    ``more`` people, all trained."""
    _STEPS.clear()                      # another store: its people's codes start afresh
    ws = Workstation.create(folder, profile)
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    admin = login(ws, "amanager", secrets)
    today = time.strftime("%Y-%m-%d")
    for name, full, role in more:
        ws.add_user(admin, name, full, role, PASSWORD)
    for name in ["amanager"] + [m[0] for m in more]:
        ws.add_training(admin, name, ws.profile.training_course, today, "2099-01-01")
    insert_sample(ws, int(time.time()), per_plate=8)
    return ws, admin


def calabasas(tmp: Path, out: Path) -> None:
    secrets: dict[str, str] = {}
    ws, admin = _store(tmp / "cal", "calabasas", [("cclerk", "Casey Clerk", "custodian")], secrets)
    now = int(time.time())
    vcso = ws.agencies.add(admin, AgencyForm("Ventura County Sheriff's Office", "law_enforcement", "local",
                                             "CA", "MOU 2026-014 (signed 2026-02-03)",
                                             "Records Unit, (805) 555-0100"))
    ws.agencies.add(admin, AgencyForm("Calabasas Public Works", "public_agency", "local", "CA",
                                      "Written request only", "Traffic engineering, x2210"))
    ws.agencies.add(admin, AgencyForm("Los Angeles County District Attorney", "prosecutorial", "local",
                                      "CA", "MOU DA-2025-88", "Bureau of Investigation"))
    clerk = login(ws, "cclerk", secrets)
    ids = [r[0] for r in ws.store.query("SELECT id FROM reads WHERE plate = '7ABC123' ORDER BY id LIMIT 3")]
    ws.evidence.request_release(clerk, ReleaseRequestForm(
        vcso.id, "Det. R. Alvarez", "Robbery of a jewellery store; suspect vehicle seen in Calabasas",
        "Reads of plate 7ABC123 on the day of the robbery", "VCSO-26-118", time.strftime("%Y-%m-%d"),
        plates=("7ABC123",), read_ids=tuple(ids), start=now - 3 * 86400, end=now))
    ctx, window = window_for(ws, login(ws, "amanager", secrets), tmp)
    window.tabs.setCurrentWidget(window.designee)
    req = window.designee.requests
    req.refresh()
    settle(ctx)
    req.table.selectRow(0)
    req.note.setText("Specific felony investigation; MOU 2026-014 on file")
    settle(ctx, 0.5)
    shoot(window, out, "designee")
    window.designee.tabs.setCurrentWidget(window.designee.agencies)
    reg = window.designee.agencies
    reg.name.setText("Reno Police Department")
    reg.state.setText("NV")
    reg.agreement.setText("none")
    reg.contact.setText("Records")
    reg.add()
    settle(ctx, 0.5)
    shoot(window, out, "designee-register")
    finish(window, ctx)
    ws.close()


def coachella(tmp: Path, out: Path) -> None:
    ws, admin = _store(tmp / "coa", "coachella", [("vendor1", "Val Vendor (camera contractor)", "contractor")],
                       {})
    now = int(time.time())
    cams = [r[0] for r in ws.store.query("SELECT id FROM cameras ORDER BY id LIMIT 2")]
    ws.permits.grant(admin, PermitForm("vendor1", "RSO-260012345", now - 3600, now + 5 * 86400,
                                       "CM-LTR-2026-07 (City Manager's signed letter)", tuple(cams),
                                       now - 2 * 86400, now))
    ws.breach.record(admin, IncidentForm("A laptop holding an exported copy of ALPR data was stolen from "
                                         "a parked City vehicle.", now - 3600, now - 3 * 86400, now - 3600,
                                         "store"))
    files = ws.breach.produce(admin, 1, tmp / "notices")
    [web, *_rest] = ws.breach.notices(admin, 1)
    ws.breach.complete(admin, web.id, time.strftime("%Y-%m-%d"))
    ctx, window = window_for(ws, admin, tmp)
    window.tabs.setCurrentWidget(window.designee)
    window.designee.tabs.setCurrentWidget(window.designee.permits)
    settle(ctx, 0.5)
    shoot(window, out, "designee-permissions")
    window.designee.tabs.setCurrentWidget(window.designee.breach)
    window.designee.breach.table.selectRow(0)
    settle(ctx, 0.5)
    shoot(window, out, "designee-breach")
    finish(window, ctx)
    ws.close()
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(files[0]),
                    str(out / "breach-notice")], check=True)
    print(f"wrote {out / 'breach-notice'}.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-designee-shots-"))
    calabasas(tmp, args.out)
    coachella(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

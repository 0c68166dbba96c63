"""Screenshots of the case view and the plate-list results, in a real X window, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/case_screenshots.py

It reuses scripts/screenshots.py's throwaway store with sample data, opens a case as a deputy,
works under it (a search, bookmarks, notes, a hold) and grabs the Cases screen (the purpose bar
above it offers the case) and the plate-list window with a 500-plate tip sheet.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import ROOT, finish, login, prepare, settle, shoot, window_for  # noqa: E402

from app.engine.search import SearchQuery  # noqa: E402
from app.ui.app import application  # noqa: E402

CASE = "LHS-2026-004777"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-case-shots-"))
    ws, secrets = prepare(tmp / "store")
    deputy = login(ws, "dlopez", secrets)
    ws.cases.open(deputy, CASE, "STOLEN-VEH", "Stolen 2019 Honda Civic, Agoura Rd", ("pprosecutor",))
    ws.cases.open(deputy, "LHS-2026-004801", "WANTED", "Warrant service, Old Topanga")
    ws.set_purpose(deputy, "STOLEN-VEH", CASE)
    page = ws.search(deputy, SearchQuery(plate="8XYZ999"))
    for row, note in zip(page.rows[:3], ("Seen northbound at 07:42", "Same driver, dented bumper",
                                         "Last sighting before recovery")):
        ws.cases.bookmark(deputy, CASE, row.id, note)
    ws.search(deputy, SearchQuery(plate="3DOG777", state="NV"))
    ws.place_hold(deputy, CASE, "evidence", "Sightings of the stolen Honda", [r.id for r in page.rows[:3]])
    ws.cases.note(deputy, CASE, "Owner reported the car stolen from the Commons garage overnight.")
    ws.cases.note(deputy, CASE, "Canvass of Agoura Rd: two witnesses, see tip sheet.")

    ctx, window = window_for(ws, deputy, tmp)
    window.tabs.setCurrentWidget(window.cases)
    window.cases.reload(select=CASE)
    settle(ctx, 1.0)
    shoot(window, args.out, "case-view")

    window.tabs.setCurrentWidget(window.screens["search"])
    dialog = window.search.open_plate_list()
    tips = ["8XYZ999", "3DOG777", "6TRK221", "9QRS334", "5SAM808"] + [f"9NOP{i:03d}" for i in range(495)]
    dialog.text.setPlainText("\n".join(tips))
    dialog.move(40, 60)
    settle(ctx, 0.3)
    dialog.run_search()
    settle(ctx, 1.0)
    dialog.tree.topLevelItem(1).setExpanded(True)
    settle(ctx, 0.5)
    shoot(dialog, args.out, "plate-list")
    dialog.close()
    finish(window, ctx)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Screenshots of the read actions (correct dialog, search by photo, export) into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/action_screenshots.py

Uses the helpers of scripts/screenshots.py on a throwaway store with the sample data; the
photo search runs the workstation's real OCR on a drawn street scene (models load first).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import PASSWORD, ROOT, finish, login, settle, shoot, window_for  # noqa: E402

from app.engine.workstation import Workstation  # noqa: E402
from app.ui.app import application  # noqa: E402
from tests.ui_sample import insert_sample, misread_id, scene_image  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    application()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-action-shots-"))
    ws = Workstation.create(tmp / "store", "calabasas")
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    admin = login(ws, "amanager", {})
    ws.add_user(admin, "pprosecutor", "Pat Prosecutor", "prosecutor", PASSWORD)
    today = time.strftime("%Y-%m-%d")
    ws.add_training(admin, "pprosecutor", ws.profile.training_course, today, "2099-01-01")
    insert_sample(ws, int(time.time()), per_plate=8)
    user = ws.login("pprosecutor", PASSWORD)
    ctx, window = window_for(ws, user, tmp)
    window.purpose_bar.choose("CODE-ENF", "CE-2026-00123")
    settle(ctx)

    window.detail.load(misread_id(8))
    settle(ctx, 1.0)
    window.detail.actions.correct_button.click()
    dialog = window.detail.actions.dialog
    dialog.reason.setPlainText("Plate crop shows B, not 8; our OCR agrees.")
    settle(ctx, 0.5)
    shoot(dialog, args.out, "correct")
    dialog.reject()

    photo = tmp / "witness.jpg"
    cv2.imwrite(str(photo), scene_image("7ABC123", 3)[0])
    window.read_actions.choose_image = lambda _parent: str(photo)
    window.photo_search()
    settle(ctx, 1.0)
    shoot(window.read_actions.dialog, args.out, "photo-search")
    window.read_actions.dialog.reject()
    finish(window, ctx)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

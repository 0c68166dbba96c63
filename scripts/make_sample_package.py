"""Regenerate docs/sample-package/ and docs/evidence-pdf/ (the custody form's pages as PNG).

Usage:  scripts/with-keyring .venv/bin/python scripts/make_sample_package.py

Builds a throwaway encrypted store with four synthetic reads (one with a stolen-vehicle hit
and a correction), exports them as a deputy would, and copies the package and the PDF's
pages (``pdftoppm -png -r 80``) into docs/. Nothing here is real ALPR data.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.evidence import ExportRequest, run  # noqa: E402
from tests.conftest import Clock, People, _make_ws  # noqa: E402
from tests.evidence_data import add_hit_and_correction, add_reads_with_images  # noqa: E402

PACKAGE_DIR = ROOT / "docs" / "sample-package"
PNG_DIR = ROOT / "docs" / "evidence-pdf"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="alpr-sample-"))
    try:
        clock = Clock()
        ws = _make_ws(work, clock)
        people = People(ws, clock)
        ids = add_reads_with_images(ws, 4, 81_250_000, int(clock()), (480, 270))
        plate = ws.store.query_one("SELECT plate FROM reads WHERE id = ?", (ids[0],))[0]
        add_hit_and_correction(ws, ids[0], plate, int(clock()))
        deputy = people.user("dsmith", "deputy")
        ws.read_detail(deputy, ids[0])
        media = work / "media"
        media.mkdir()
        res = run(ws.evidence.export(deputy, ExportRequest(
            ids, media, "Sightings of a vehicle reported stolen (VC 10851), Las Virgenes Rd",
            include_derived=True)))
        ws.close()
        shutil.rmtree(PACKAGE_DIR, ignore_errors=True)
        shutil.copytree(res.path, PACKAGE_DIR)
        shutil.rmtree(PNG_DIR, ignore_errors=True)
        PNG_DIR.mkdir(parents=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(res.path / "chain-of-custody.pdf"),
                        str(PNG_DIR / "page")], check=True)
        print(f"Sample package {res.path.name} -> {PACKAGE_DIR.relative_to(ROOT)}; "
              f"{len(list(PNG_DIR.glob('*.png')))} page(s) -> {PNG_DIR.relative_to(ROOT)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

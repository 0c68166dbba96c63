"""OCR on ALPR data: verification marks possible misreads, search by photo is a logged search."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.engine.errors import BadImage, PermissionDenied, PurposeRequired
from app.engine.ocr import PlateCandidate
from app.engine.ocr.service import OcrService

DATASETS = Path(os.environ.get("ALPR_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets"))


class ScriptedReader:
    """Answers with fixed candidates, so the service's decisions can be checked exactly."""

    def __init__(self, text: str, conf: float = 0.9) -> None:
        self.answer = [PlateCandidate(text, conf, None)] if text else []
        self.calls = 0
        self.states: list[str | None] = []

    def read_crop(self, image, state=None):
        self.calls += 1
        self.states.append(state)
        return self.answer

    def read_scene(self, image):
        self.calls += 1
        return self.answer


def _png(text: str = "7ABC123") -> bytes:
    img = np.full((60, 200, 3), 255, np.uint8)
    cv2.putText(img, text, (8, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (0, 0, 0), 3)
    return cv2.imencode(".png", img)[1].tobytes()


def _attach_crop(ws, read_id: int, data: bytes) -> None:
    import hashlib
    sha = hashlib.sha256(data).hexdigest()
    with ws.store.transaction() as c:
        c.execute("INSERT OR IGNORE INTO images(sha256, kind, mime, size, data) VALUES (unhex(?), 'plate', 'image/png', ?, ?)",
                  (sha, len(data), data))
        c.execute("UPDATE reads SET plate_image_sha256 = unhex(?) WHERE id = ?", (sha, read_id))


def test_verify_marks_possible_misread_and_keeps_both_readings(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    _attach_crop(ws, 4, _png())
    svc = OcrService(ws, ScriptedReader("7ABC123", 0.88))
    v = svc.verify_read(dep, 4)                          # vendor said 7A8C123
    assert (v.vendor_plate, v.ocr_plate, v.possible_misread) == ("7A8C123", "7ABC123", True)
    detail = ws.read_detail(dep, 4)
    assert detail.read.possible_misread and detail.ocr_plate == "7ABC123" and detail.read.plate == "7A8C123"
    entry = ws.store.query_one("SELECT detail, result_ids FROM access_log WHERE action = 'ocr_verify'")
    assert json.loads(entry[0])["possible_misread"] and json.loads(entry[1]) == [4]
    # The investigator then corrects it; the mark goes, the vendor's text stays.
    ws.correct_read(dep, 4, v.ocr_plate, "OCR re-read and crop agree on B")
    assert ws.store.query_one("SELECT possible_misread, original_plate FROM reads WHERE id = 4") == (0, "7A8C123")


def test_verify_reads_the_crop_with_the_cameras_state(ws, people, seeded):
    """The state the camera read is handed to the reader, whose state layouts settle
    look-alike glyphs (app/engine/ocr/syntax.py); an unknown state is handed on as None."""
    dep = people.user("dep1", "deputy")
    _attach_crop(ws, 4, _png())
    reader = ScriptedReader("7ABC123")
    svc = OcrService(ws, reader)
    with ws.store.transaction() as c:
        c.execute("UPDATE reads SET plate_state = NULL WHERE id = 4")
    svc.verify_read(dep, 4)
    with ws.store.transaction() as c:
        c.execute("UPDATE reads SET plate_state = 'CA' WHERE id = 4")
    svc.verify_read(dep, 4)
    assert reader.states == [None, "CA"]


def test_verify_agreeing_reading_is_not_flagged(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    _attach_crop(ws, 1, _png())
    v = OcrService(ws, ScriptedReader("7ABC123")).verify_read(dep, 1)
    assert not v.possible_misread
    with pytest.raises(Exception, match="no plate crop"):
        OcrService(ws, ScriptedReader("X")).verify_read(dep, 2)


def test_verify_many_reports_progress(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    for rid in (1, 2, 3):
        _attach_crop(ws, rid, _png(f"PLATE{rid}"))
    steps = list(OcrService(ws, ScriptedReader("7ABC123")).verify_reads(dep, [1, 2, 3, 5]))
    assert [s.done for s in steps] == [1, 2, 3, 4] and steps[-1].message == "1 possible misreads"


def test_search_by_photo_is_a_logged_search_with_purpose(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    result = OcrService(ws, ScriptedReader("7A8C123", 0.7)).search_by_photo(dep, _png())
    assert [c.text for c in result.candidates] == ["7A8C123"]
    assert {r.id for r in result.pages["7A8C123"].rows} >= {1, 2, 4}
    photo = ws.store.query_one("SELECT query, purpose, case_number FROM access_log WHERE action = 'photo_read'")
    assert json.loads(photo[0])["photo_sha256"] == result.photo_sha256 and photo[1:] == ("FELONY-INV", "LHS-2026-004512")
    search = ws.store.query_one("SELECT query FROM access_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
    assert json.loads(search[0])["plate"] == "7A8C123" and json.loads(search[0])["mode"] == "similar"


def test_photo_search_rules(ws, people, seeded):
    aud = people.user("aud1", "auditor")
    nopurpose = people.user("dep2", "deputy", purpose=False)
    svc = OcrService(ws, ScriptedReader("7ABC123"))
    with pytest.raises(PermissionDenied):
        svc.search_by_photo(aud, _png())
    with pytest.raises(PurposeRequired):
        svc.search_by_photo(nopurpose, _png())
    dep = people.user("dep1", "deputy")
    for bad in (b"", b"not an image at all", _png()[:40]):
        with pytest.raises(BadImage):
            svc.search_by_photo(dep, bad)
    assert svc.reader.calls == 0


@pytest.mark.skipif(not (DATASETS / "openalpr-us-crops" / "dev").exists(), reason="shared datasets not present")
def test_verify_with_the_real_reader_on_a_real_crop(ws, people, seeded):
    folder = DATASETS / "openalpr-us-crops" / "dev"
    rows = list(csv.reader((folder / "groundtruth.csv").open()))
    name, _state, truth = next(r for r in rows if r and r[0].endswith(".png"))
    data = (folder / name).read_bytes()
    dep = people.user("dep1", "deputy")
    _attach_crop(ws, 3, data)                            # vendor's text for read 3 is 8XYZ999
    v = ws.ocr.verify_read(dep, 3)
    assert v.ocr_plate and v.possible_misread == (v.ocr_plate != "8XYZ999")
    assert ws.store.query_one("SELECT ocr_plate FROM reads WHERE id = 3")[0] == v.ocr_plate

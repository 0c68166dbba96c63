"""Ingest of camera drops on both backends: good drops stored with SHA-256, each kind of bad
drop rejected with its reason without stopping, plate-less drops queued for OCR."""
from __future__ import annotations

import hashlib
import json

import pytest

from app.engine.errors import ValidationError
from app.server.ingest import ingest_dir

from tests.server_helpers import CAMS, city, png  # noqa: F401


def drop(folder, name, *, camera="CAM-LV-N", time="2026-11-20T08:15:30Z", plate="7ABC123",
         confidence=0.93, box=(2, 2, 8, 4), scene=None, crop=True, seed=0):
    (folder / f"{name}.png").write_bytes(scene if scene is not None else png(seed))
    doc = {"camera": camera, "time": time, "plate": plate, "confidence": confidence,
           "plate_box": list(box) if box else None, "vendor": "Acme", "scene_image": f"{name}.png"}
    if crop:
        (folder / f"{name}_plate.png").write_bytes(png(seed + 1000, 6))
        doc["plate_image"] = f"{name}_plate.png"
    (folder / f"{name}.json").write_text(json.dumps(doc))


NOW = 1795400000     # 2026-11-23


def test_ingest_reports_rejects_and_keeps_going(city, tmp_path):
    city.server.put_cameras(CAMS)
    d = tmp_path / "drops"
    d.mkdir()
    drop(d, "a_good", seed=1)
    drop(d, "b_corrupt", scene=b"\x89PNG\r\n\x1a\n garbage", seed=2)
    drop(d, "c_camera", camera="CAM-NOWHERE", seed=3)
    drop(d, "d_naive", time="2026-11-20T08:15:30", seed=4)
    drop(d, "e_future", time="2027-01-01T00:00:00Z", seed=5)
    drop(d, "f_plate", plate="7 ABC-12!", seed=6)
    drop(d, "g_box", box=(20, 2, 8, 4), seed=7)
    drop(d, "h_noplate", plate=None, confidence=0.0, seed=8)
    drop(d, "i_good2", camera="CAM-CC-E", time=NOW - 100, plate="8xyz 999", seed=9)
    (d / "j_notjson.json").write_text("{camera")
    report = ingest_dir(city.server, d, NOW)
    reasons = dict(report.rejects)
    assert (report.reads, report.queued_for_ocr) == (2, 1)
    assert reasons["b_corrupt.json"].startswith("corrupt image")
    assert reasons["c_camera.json"] == "unknown camera 'CAM-NOWHERE'"
    assert "no time zone" in reasons["d_naive.json"] and "future" in reasons["e_future.json"]
    assert reasons["f_plate.json"].startswith("bad plate read")
    assert reasons["g_box.json"].startswith("bad plate_box") and "not valid JSON" in reasons["j_notjson.json"]
    rows = city.server.feed("reads", 0, 10)
    assert sorted(r[1] for r in rows) == ["7ABC123", "8XYZ999"]
    scene = (d / "a_good.png").read_bytes()
    img = city.server.image(hashlib.sha256(scene).hexdigest())
    assert img is not None and img.data == scene and (img.width, img.height, img.mime) == (24, 12, "image/png")
    again = ingest_dir(city.server, d, NOW)              # the same folder twice: all duplicates
    assert again.reads == 0 and again.duplicates == 3
    assert sum(1 for _, why in again.rejects if why.startswith("duplicate")) == 3


def test_ocr_queue_resolves_into_a_read(city, tmp_path):
    city.server.put_cameras(CAMS)
    d = tmp_path / "drops"
    d.mkdir()
    drop(d, "x", plate=None, confidence=0.0, seed=11)
    drop(d, "y", plate=None, confidence=0.0, seed=12, time="2026-10-02T10:00:00Z")
    ingest_dir(city.server, d, NOW)
    items = city.server.ocr_pending()
    assert [i.source_file for i in items] == ["x.json", "y.json"]
    assert city.server.image(items[0].scene_image_sha256).data == (d / "x.png").read_bytes()
    rid = city.server.resolve_ocr(items[0].id, "6OCR123", 0.71, NOW)
    assert city.server.resolve_ocr(items[1].id, None, 0.0, NOW) is None
    assert city.server.ocr_pending() == []
    read = [r for r in city.server.feed("reads", 0, 10) if r[0] == rid][0]
    assert read[1] == "6OCR123" and read[8] == items[0].scene_image_sha256
    with pytest.raises(KeyError):
        city.server.resolve_ocr(items[0].id, "6OCR123", 0.7, NOW)


def test_not_a_folder(city, tmp_path):
    with pytest.raises(ValidationError):
        ingest_dir(city.server, tmp_path / "missing", NOW)

"""Camera drops without a plate read wait in the server's OCR queue until the OCR engine reads them."""
from __future__ import annotations

import json
import time

import cv2
import numpy as np
import pytest

from app.engine.progress import CancelToken
from app.engine.errors import Interrupted
from app.server.embedded import EmbeddedServer
from app.server.ingest import ingest_dir
from app.server.model import Camera
from app.server.ocr_queue import DrainResult, drain
from tests.server_helpers import OPERATOR_PASSWORD
from tests.test_ocr_service import DATASETS, ScriptedReader


def _drop(folder, name: str, *, plate: str | None, crop: bool = True) -> None:
    scene = np.full((480, 640, 3), 90, np.uint8)
    cv2.rectangle(scene, (250, 300), (410, 350), (255, 255, 255), -1)
    cv2.putText(scene, "7ABC123", (258, 338), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    cv2.putText(scene, f"drop {name}", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (200, 200, 200), 2)
    cv2.imwrite(str(folder / f"{name}.jpg"), scene)
    doc = {"camera": "CAM-1", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60 - ord(name))),
           "scene_image": f"{name}.jpg", "plate_box": [250, 300, 160, 50], "vendor": "TestCam"}
    if crop:
        cv2.imwrite(str(folder / f"{name}-plate.png"), scene[300:350, 250:410])
        doc["plate_image"] = f"{name}-plate.png"
    if plate:
        doc.update(plate=plate, confidence=0.9)
    (folder / f"{name}.json").write_text(json.dumps(doc))


@pytest.fixture
def server(tmp_path):
    s = EmbeddedServer.create(tmp_path / "server", "op.one", OPERATOR_PASSWORD, retention_days=730,
                              now=1_795_000_000)
    s.put_cameras([Camera("CAM-1", "Test camera", "Test site", 34.1, -118.6, "N")])
    yield s
    s.close()


def test_queued_drops_become_reads_or_unreadable(server, tmp_path):
    drops = tmp_path / "drops"
    drops.mkdir()
    _drop(drops, "a", plate="7ABC123")
    _drop(drops, "b", plate=None)
    _drop(drops, "c", plate=None, crop=False)
    report = ingest_dir(server, drops, int(time.time()))
    assert (report.reads, report.queued_for_ocr) == (1, 2)
    steps = list(drain(server, ScriptedReader("7ABC128", 0.8)))
    assert steps[-1] == DrainResult(read=2, unreadable=0)
    assert server.ocr_pending() == []
    _drop(drops, "d", plate=None)
    (drops / "a.json").unlink(), (drops / "b.json").unlink(), (drops / "c.json").unlink()
    ingest_dir(server, drops, int(time.time()))
    assert list(drain(server, ScriptedReader("", 0.0)))[-1] == DrainResult(read=0, unreadable=1)
    assert list(drain(server, ScriptedReader("7ABC128", 0.1)))[-1] == DrainResult(read=0, unreadable=0)


def test_low_confidence_is_not_guessed_and_cancel_stops(server, tmp_path):
    drops = tmp_path / "drops"
    drops.mkdir()
    for n in "xyz":
        _drop(drops, n, plate=None)
    ingest_dir(server, drops, int(time.time()))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Interrupted):
        list(drain(server, ScriptedReader("7ABC128", 0.9), cancel=token))
    assert len(server.ocr_pending()) == 3
    assert list(drain(server, ScriptedReader("7ABC128", 0.2)))[-1] == DrainResult(read=0, unreadable=3)


@pytest.mark.skipif(not (DATASETS / "openalpr-us" / "dev").exists(), reason="shared datasets not present")
def test_real_reader_reads_a_real_scene_photo_from_the_queue(server, tmp_path):
    from app.engine.ocr import get_reader
    folder = DATASETS / "openalpr-us" / "dev"
    truth_file = sorted(folder.glob("*.txt"))[0]
    name, *_box, truth = truth_file.read_text().split()
    drops = tmp_path / "drops"
    drops.mkdir()
    (drops / "scene.jpg").write_bytes((folder / name).read_bytes())
    (drops / "scene.json").write_text(json.dumps({"camera": "CAM-1", "time": "2026-11-01T12:00:00Z",
                                                  "scene_image": "scene.jpg"}))
    assert ingest_dir(server, drops, int(time.time())).queued_for_ocr == 1
    result = list(drain(server, get_reader()))[-1]
    assert result.read + result.unreadable == 1 and server.ocr_pending() == []

"""The plate OCR pipeline on real photos (read in place) and on bad images.

Real images come from ``../shared/datasets`` beside the repository (or ``$ALPR_DATASETS``);
those tests skip with a reason when the folder is absent. The photos asserted on are among
the 30% held out of CRNN and locator training (training/split.py), so they test reading, not memory.
"""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

from app.engine.errors import BadImage, EngineError
from app.engine.ocr import (
    OcrUnavailable,
    PlateCandidate,
    PlateReader,
    ReaderSettings,
    decode_image,
    edit_distance,
    get_reader,
    normalise,
)
from app.engine.ocr import reader as reader_module
from app.engine.ocr import weights as weights_module
from app.engine.ocr.detect import iou
from app.engine.ocr.easy import easyocr_installed
from app.engine.ocr.locator import (SWEEP_WIDTHS, WIN_H, WIN_W, PlateLocator, cut, sweep_boxes,
                                    window_for)
from app.engine.ocr.plates import format_prior
from app.engine.ocr.recognizer import WEIGHTS as CRNN_WEIGHTS
from app.engine.ocr.recognizer import PlateRecognizer
from app.engine.ocr.samples import load_samples
from app.engine.ocr.weights import OnnxModel, intra_op_threads

REPO = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("ALPR_DATASETS")
                or Path(__file__).resolve().parents[2] / "shared" / "datasets")
CROPS = DATASETS / "openalpr-us-crops" / "dev"
SCENES = DATASETS / "openalpr-us" / "dev"

needs_crops = pytest.mark.skipif(not (CROPS / "groundtruth.csv").is_file(),
                                 reason=f"plate crops dataset not found at {CROPS}")
needs_scenes = pytest.mark.skipif(not SCENES.is_dir(),
                                  reason=f"scene photo dataset not found at {SCENES}")

# held-out images (never trained on) that the pipeline reads right, checked in top 3
CROP_FILES = ["ca359.png", "ar867.png", "mn378.png", "wi179.png", "dc1348.png"]
SCENE_FILES = ["21d8c31d-3deb-494b-9c63-c0223306fd82.jpg", "us4.jpg", "wts-lg-000078.jpg",
               # held out; read wrong before the locator re-framed loose proposals
               "car3.jpg", "wts-lg-000087.jpg", "wts-lg-000098.jpg", "wts-lg-000176.jpg"]


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return get_reader()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions but holds almost nothing (a 'bomb' header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


# -- bad images: a clear BadImage, never a crash -------------------------------------------
@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"license plate ABC1234\nnot an image\n", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image"),
    (_png_header(20000, 20000), "too large"),
    (b"\xff\xd8\xff\xe0" + os.urandom(200), ""),
])
def test_bad_bytes_raise_bad_image(data: bytes, words: str) -> None:
    with pytest.raises(BadImage) as err:
        decode_image(data)
    assert words in str(err.value)
    assert str(err.value).endswith(".")


def test_truncated_real_image_raises_bad_image() -> None:
    import cv2

    ok, enc = cv2.imencode(".png", np.full((60, 120, 3), 200, np.uint8))
    with pytest.raises(BadImage):
        decode_image(enc.tobytes()[: len(enc) // 2])


def test_too_many_bytes_raise_bad_image() -> None:
    with pytest.raises(BadImage, match="too large"):
        decode_image(b"\xff\xd8" + b"\0" * (51 * 1024 * 1024))


def test_reader_refuses_bad_input(reader: PlateReader) -> None:
    for bad in (b"", b"GIF89a....", np.zeros((0, 10), np.uint8), np.zeros((5, 5, 7), np.uint8)):
        with pytest.raises(BadImage):
            reader.read_crop(bad)
        with pytest.raises(BadImage):
            reader.read_scene(bad)


def test_blank_image_gives_few_or_no_candidates(reader: PlateReader) -> None:
    blank = np.full((480, 640, 3), 127, np.uint8)
    assert all(isinstance(c, PlateCandidate) for c in reader.read_scene(blank))
    assert all(c.confidence < 0.5 for c in reader.read_crop(blank[:100, :200]))


# -- small pure helpers --------------------------------------------------------------------
def test_normalise_and_distance() -> None:
    assert normalise("abc-12 3·") == "ABC123"
    assert edit_distance("ABC123", "ABC128") == 1
    assert edit_distance("ABC123", "AB123") == 1
    assert format_prior("ABC1234") > format_prior("A1") > 0


def test_shared_reader_is_one_instance_across_threads() -> None:
    seen: list[PlateReader] = []
    threads = [threading.Thread(target=lambda: seen.append(get_reader())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in seen}) == 1


def test_engine_ocr_imports_neither_qt_nor_models() -> None:
    code = ("import sys, app.engine.ocr; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'PyQt5', 'PyQt6', 'torch', 'easyocr', 'onnxruntime')]; "
            "print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# -- real plates ---------------------------------------------------------------------------
@needs_crops
@pytest.mark.parametrize("name", CROP_FILES)
def test_reads_real_crops(reader: PlateReader, name: str) -> None:
    truth = {s.path.name: s.plate for s in load_samples(CROPS)}[name]
    cands = reader.read_crop((CROPS / name).read_bytes())
    assert cands, "no candidate at all"
    assert truth in [c.text for c in cands[:3]], f"{truth} not in {cands[:3]}"
    assert [c.confidence for c in cands] == sorted((c.confidence for c in cands), reverse=True)


@needs_scenes
@pytest.mark.parametrize("name", SCENE_FILES)
def test_reads_real_scene_photos(reader: PlateReader, name: str) -> None:
    sample = next(s for s in load_samples(SCENES) if s.path.name == name)
    cands = reader.read_scene(sample.path.read_bytes())
    hits = [c for c in cands[:3] if c.text == sample.plate]
    assert hits, f"{sample.plate} not in {cands[:3]}"
    assert hits[0].box is not None and iou(hits[0].box, sample.box) > 0.2


@needs_scenes
def test_scene_reading_is_cancellable(reader: PlateReader) -> None:
    from app.engine.errors import Interrupted
    from app.engine.progress import CancelToken

    token = CancelToken()
    token.cancel()
    with pytest.raises(Interrupted):
        reader.read_scene((SCENES / SCENE_FILES[0]).read_bytes(), cancel=token)


# -- the locator ---------------------------------------------------------------------------
def test_locator_window_leaving_the_image_repeats_the_edge() -> None:
    gray = np.zeros((100, 200), np.uint8)
    gray[:, :10] = 255                      # a white left edge
    win = window_for((-30, 40, 40, 20))     # a proposal hanging off the left of the photo
    out = cut(gray, win)
    assert out.shape == (WIN_H, WIN_W)
    assert out[:, 0].min() == 255           # the edge column repeated outwards
    assert out[:, -1].max() == 0


@needs_scenes
@pytest.mark.parametrize("name", ["car3.jpg", "wts-lg-000087.jpg", "wts-lg-000014.jpg"])
def test_locator_reframes_a_loose_off_centre_box(name: str) -> None:
    """Held-out photos: from a box twice the plate's size and off its centre, two passes
    of the locator frame the plate itself, and score it as a plate."""
    import cv2

    sample = next(s for s in load_samples(SCENES) if s.path.name == name)
    gray = cv2.imread(str(sample.path), cv2.IMREAD_GRAYSCALE)
    x, y, w, h = sample.box
    loose = (x - w // 2 - w // 5, y - h // 2 + h // 6, 2 * w, 2 * h)
    assert iou(loose, sample.box) < 0.3
    locator = PlateLocator()
    (_, first), = locator.locate(gray, [loose])
    (score, box), = locator.locate(gray, [first])
    assert iou(box, sample.box) >= 0.5, f"{box} against {sample.box}"
    assert score > 0.5


@pytest.mark.parametrize("width, height", [(1280, 720), (1296, 972), (300, 199), (4000, 3000), (90, 400)])
def test_the_sweep_covers_the_whole_photo_at_every_plate_width(width: int, height: int) -> None:
    """Every point of the photo lies inside some window of each plate width, within a sixth
    of a window of its centre, and the sweep stays about 2,000 boxes whatever the size."""
    boxes = sweep_boxes(width, height)
    assert 5 <= len(boxes) <= 3000
    rng = np.random.default_rng(5)
    points = [(0, 0), (width - 1, height - 1), (width - 1, 0), (0, height - 1)] + \
        [(int(x), int(y)) for x, y in zip(rng.integers(0, width, 200), rng.integers(0, height, 200))]
    for share in SWEEP_WIDTHS:
        pw = round(max(16.0, share * width))
        wins = [window_for(b) for b in boxes if b[2] == pw]
        assert wins, share
        ww = wins[0][2]
        for px, py in points:
            inside = [(cx, cy) for cx, cy, _ in wins
                      if abs(px - cx) <= ww / 2 + 1 and abs(py - cy) <= ww / 4 + 1]
            assert inside, (share, px, py)
            if ww / 2 <= px <= width - ww / 2 and ww / 4 <= py <= height - ww / 4:   # not at an edge
                assert any(abs(px - cx) <= ww / 6 + 1 and abs(py - cy) <= ww / 12 + 1 for cx, cy in inside)


@needs_scenes
@pytest.mark.parametrize("name", ["us6.jpg", "wts-lg-000014.jpg", "wts-lg-000098.jpg"])
def test_the_locators_sweep_finds_a_plate_no_proposal_found(name: str, monkeypatch) -> None:
    """Held-out photos with the OpenCV proposals taken away: the locator's sweep over the
    whole photo frames the plate and the reader reads it."""
    monkeypatch.setattr(reader_module, "propose", lambda bgr: [])
    sample = next(s for s in load_samples(SCENES) if s.path.name == name)
    cands = PlateReader(use_easyocr=False).read_scene(sample.path.read_bytes())
    assert cands and cands[0].text == sample.plate, cands[:3]
    assert cands[0].box is not None and iou(cands[0].box, sample.box) >= 0.5


@needs_scenes
def test_a_photo_whose_plate_no_proposal_frames_is_read(reader: PlateReader) -> None:
    """A development photo (from the training portion) where neither OpenCV cue touches the
    dim plate: before the sweep, nothing was read."""
    import cv2

    sample = next(s for s in load_samples(SCENES) if s.path.name == "car12.jpg")
    bgr = cv2.imread(str(sample.path))
    assert max(iou(p.box, sample.box) for p in reader_module.propose(bgr)) == 0
    cands = reader.read_scene(bgr)
    assert cands and cands[0].text == sample.plate == "5UVR090"
    assert cands[0].box is not None and iou(cands[0].box, sample.box) >= 0.5


class _CountingModel(OnnxModel):
    """The shipped locator graph, noting how many windows each run is given."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.runs: list[int] = []

    def run(self, batch: np.ndarray) -> np.ndarray:
        self.runs.append(len(batch))
        return super().run(batch)


@needs_scenes
def test_the_sweep_runs_the_locator_a_few_windows_at_a_time() -> None:
    """ONNX Runtime keeps the memory its largest run needed: a sweep's 2,000 windows in one
    run took the reading process from 96 MB to 1.9 GB, and kept it there."""
    from app.engine.ocr import locator as locator_module

    model = _CountingModel(locator_module.WEIGHTS)
    reader = PlateReader(use_easyocr=False, locator=PlateLocator(model=model))
    sample = next(s for s in load_samples(SCENES) if s.path.name == "car12.jpg")
    assert reader.read_scene(sample.path.read_bytes())[0].text == sample.plate
    assert sum(model.runs) > 1000                 # it swept
    assert max(model.runs) <= 64                 # 64 at a time added 120 MB; 16 add 38


@needs_scenes
def test_a_sweep_stops_soon_after_cancel() -> None:
    """Search by photo runs in a worker with a Cancel button: a sweep stops within a batch."""
    from app.engine.errors import Interrupted
    from app.engine.ocr import locator as locator_module
    from app.engine.progress import CancelToken

    token = CancelToken()

    class Cancelling(_CountingModel):
        def run(self, batch: np.ndarray) -> np.ndarray:
            if sum(self.runs) > 200:          # past the proposals: sweeping
                token.cancel()
            return super().run(batch)

    model = Cancelling(locator_module.WEIGHTS)
    reader = PlateReader(use_easyocr=False, locator=PlateLocator(model=model))
    sample = next(s for s in load_samples(SCENES) if s.path.name == "car12.jpg")
    with pytest.raises(Interrupted):
        reader.read_scene(sample.path.read_bytes(), cancel=token)
    assert 200 < sum(model.runs) < 300


@needs_scenes
def test_the_sweep_runs_only_when_the_proposals_read_nothing(monkeypatch) -> None:
    """It costs most of a second: a photo whose proposals lead to its plate never pays for it."""
    def no_sweep(width, height):
        raise AssertionError("swept a photo whose proposals were read")
    monkeypatch.setattr(reader_module, "sweep_boxes", no_sweep)
    sample = next(s for s in load_samples(SCENES) if s.path.name == "us4.jpg")
    cands = PlateReader(use_easyocr=False).read_scene(sample.path.read_bytes())
    assert cands[0].text == sample.plate


@needs_scenes
def test_scene_reading_without_locator_weights_still_works(tmp_path: Path) -> None:
    """A copy of the program without the locator file falls back to the raw proposals."""
    plain = PlateReader(use_easyocr=False)
    plain._locator = PlateLocator(tmp_path / "missing.onnx")
    sample = next(s for s in load_samples(SCENES) if s.path.name == "us4.jpg")
    cands = plain.read_scene(sample.path.read_bytes())
    assert sample.plate in [c.text for c in cands[:3]]


# -- ONNX Runtime sessions -----------------------------------------------------------------
def test_onnx_session_loads_lazily_once_on_the_cpu() -> None:
    model = OnnxModel(CRNN_WEIGHTS)
    assert model.available and not model.loaded
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(model.session())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen}) == 1 and model.loaded
    session = seen[0]
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert session.get_session_options().intra_op_num_threads == intra_op_threads()
    out = model.run(np.zeros((3, 1, 40, 128), np.float32))
    assert out.shape == (32, 3, 37)


def test_intra_op_threads_suit_a_small_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALPR_OCR_THREADS", raising=False)
    for cores, threads in ((1, 1), (2, 1), (4, 2), (16, 2), (None, 1)):
        monkeypatch.setattr(weights_module.os, "cpu_count", lambda c=cores: c)
        assert intra_op_threads() == threads, cores
    monkeypatch.setenv("ALPR_OCR_THREADS", "3")          # the administrator's override
    assert intra_op_threads() == 3
    monkeypatch.setenv("ALPR_OCR_THREADS", "many")       # not a number: the default
    assert intra_op_threads() == 1


def test_without_onnxruntime_the_graphs_count_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights_module, "onnxruntime_installed", lambda: False)
    assert not OnnxModel(CRNN_WEIGHTS).available
    assert not PlateReader(use_easyocr=False).can_read


# -- easyocr: optional, off by default -----------------------------------------------------
def test_easyocr_is_off_unless_asked_and_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ReaderSettings().use_easyocr is False
    assert not PlateReader().uses_easyocr and not get_reader().uses_easyocr
    assert PlateReader(ReaderSettings(use_easyocr=True)).uses_easyocr == easyocr_installed()
    assert PlateReader(use_easyocr=True).uses_easyocr == easyocr_installed()
    monkeypatch.setattr(reader_module, "easyocr_installed", lambda: False)
    reader = PlateReader(ReaderSettings(use_easyocr=True))
    assert not reader.uses_easyocr and reader.can_read
    img = np.full((60, 200, 3), 255, np.uint8)
    assert isinstance(reader.read_crop(img), list)


def test_without_recogniser_or_easyocr_reading_says_why(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "easyocr_installed", lambda: False)
    reader = PlateReader(recognizer=PlateRecognizer(tmp_path / "missing.onnx"))
    assert not reader.can_read
    for read in (reader.read_crop, reader.read_scene):
        with pytest.raises(OcrUnavailable) as err:
            read(np.full((120, 240, 3), 200, np.uint8))
        assert isinstance(err.value, EngineError)
        assert "plate_crnn.onnx" in str(err.value) and str(err.value).endswith(".")
    with pytest.raises(BadImage):                   # a bad image is still refused first
        reader.read_crop(b"not an image")


@needs_crops
def test_without_recogniser_easyocr_stands_in_where_installed(tmp_path: Path) -> None:
    """A copy of the program without the recogniser's graph reads with easyocr, as before,
    when the easyocr extra is installed (unless easyocr is switched off outright)."""
    pytest.importorskip("easyocr", reason="the easyocr extra is not installed")
    missing = PlateRecognizer(tmp_path / "missing.onnx")
    assert not PlateReader(use_easyocr=False, recognizer=missing).can_read
    reader = PlateReader(recognizer=missing)
    assert reader.uses_easyocr and reader.can_read
    cands = reader.read_crop((CROPS / "ca359.png").read_bytes())
    assert all(isinstance(c, PlateCandidate) and c.box is None for c in cands)

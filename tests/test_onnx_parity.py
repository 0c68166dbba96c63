"""The workstation reads plates with ONNX Runtime, never PyTorch, and reads them exactly as
the PyTorch weights the graphs were exported from (training/export_onnx.py).

The PyTorch comparisons need the ``train`` extra (torch) and skip without it; the graphs'
provenance and reading with torch made unimportable run everywhere. Dev images are read in
place from ``../shared/datasets`` (or ``$ALPR_DATASETS``); those tests skip without them.
"""
from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.engine.ocr import PlateReader
from app.engine.ocr.detect import propose
from app.engine.ocr.locator import WEIGHTS as LOCATOR_ONNX
from app.engine.ocr.locator import PlateLocator, cut, window_for
from app.engine.ocr.recognizer import WEIGHTS as CRNN_ONNX
from app.engine.ocr.recognizer import PlateRecognizer, prepare, standardise
from app.engine.ocr.samples import load_samples
from app.engine.ocr.weights import OnnxModel
from tests.test_ocr_pipeline import CROPS, SCENES, needs_crops, needs_scenes

REPO = Path(__file__).resolve().parents[1]
GRAPHS = {"crnn": (CRNN_ONNX, CRNN_ONNX.with_suffix(".pt")),
          "locator": (LOCATOR_ONNX, LOCATOR_ONNX.with_suffix(".pt"))}
LOGIT_TOLERANCE = 1e-3          # largest difference of any raw network output
CONFIDENCE_TOLERANCE = 1e-3     # candidates' confidences are rounded to 4 places
PHOTOS = 30


def _photos() -> list[Path]:
    """30 development photos spread over the sorted folder (one entry per photo file)."""
    paths = list(dict.fromkeys(s.path for s in load_samples(SCENES)))
    step = max(1, len(paths) // PHOTOS)
    return paths[::step][:PHOTOS]


@pytest.fixture(scope="module")
def torch_nets():
    """(recogniser, locator) running the shipped .pt weights with PyTorch on one thread."""
    torch = pytest.importorskip("torch", reason="PyTorch (the train extra) is not installed")
    from training.nets import TorchModel

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield (TorchModel(kind="crnn", path=GRAPHS["crnn"][1]),
           TorchModel(kind="locator", path=GRAPHS["locator"][1]))
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def readers(torch_nets):
    """The same pipeline twice: with the ONNX graphs, and with the PyTorch weights."""
    crnn, locator = torch_nets
    onnx = PlateReader(use_easyocr=False)
    torch = PlateReader(use_easyocr=False, recognizer=PlateRecognizer(model=crnn),
                        locator=PlateLocator(model=locator))
    return onnx, torch


def _same(a, b) -> bool:
    return ([(c.text, c.box) for c in a] == [(c.text, c.box) for c in b]
            and all(abs(x.confidence - y.confidence) <= CONFIDENCE_TOLERANCE for x, y in zip(a, b)))


# -- the graphs ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_graphs_are_exports_of_the_shipped_weights(kind: str) -> None:
    """Each .onnx records the SHA-256 of the .pt it was exported from; a retrained .pt
    without a fresh export fails here."""
    graph, weights = GRAPHS[kind]
    assert graph.is_file(), f"{graph.name} is missing: run python -m training.export_onnx"
    meta = OnnxModel(graph).session().get_modelmeta().custom_metadata_map
    assert meta["source"] == weights.name
    assert meta["source_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest(), (
        f"{graph.name} was not exported from the current {weights.name}: "
        "run python -m training.export_onnx")


@needs_crops
def test_recogniser_logits_match_pytorch_on_every_dev_crop(torch_nets) -> None:
    crnn, _ = torch_nets
    grays = [cv2.imread(str(s.path), cv2.IMREAD_GRAYSCALE) for s in load_samples(CROPS)]
    batch = np.stack([prepare(g) for g in grays if g is not None])[:, None]
    ours, theirs = OnnxModel(CRNN_ONNX).run(batch), crnn.run(batch)
    assert ours.shape == theirs.shape == (32, len(batch), 37)
    assert np.abs(ours - theirs).max() <= LOGIT_TOLERANCE
    assert (ours.argmax(-1) == theirs.argmax(-1)).all()       # the same best path everywhere


@needs_scenes
def test_locator_outputs_match_pytorch_on_dev_photo_proposals(torch_nets) -> None:
    _, locator = torch_nets
    windows = []
    for path in _photos():
        bgr = cv2.imread(str(path))
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        windows += [standardise(cut(gray, window_for(p.box))) for p in propose(bgr)]
    batch = np.stack(windows)[:, None]
    assert len(batch) > 100
    ours, theirs = OnnxModel(LOCATOR_ONNX).run(batch), locator.run(batch)
    assert ours.shape == theirs.shape == (len(batch), 4)
    assert np.abs(ours - theirs).max() <= LOGIT_TOLERANCE


# -- whole readings ------------------------------------------------------------------------
@needs_crops
def test_onnx_and_pytorch_read_every_dev_crop_the_same(readers) -> None:
    onnx, torch = readers
    samples = load_samples(CROPS)
    assert len(samples) > 300
    differ = []
    for s in samples:
        data = s.path.read_bytes()
        a, b = onnx.read_crop(data), torch.read_crop(data)
        if not _same(a, b):
            differ.append(f"{s.path.name}: onnx {a[:3]} torch {b[:3]}")
    assert not differ, f"{len(differ)} of {len(samples)} crops read differently:\n" + "\n".join(differ)


@needs_scenes
def test_onnx_and_pytorch_read_dev_photos_the_same(readers) -> None:
    onnx, torch = readers
    photos = _photos()
    assert len(photos) == PHOTOS
    differ = []
    for path in photos:
        data = path.read_bytes()
        a, b = onnx.read_scene(data), torch.read_scene(data)
        if not _same(a, b):
            differ.append(f"{path.name}: onnx {a[:3]} torch {b[:3]}")
    assert not differ, f"{len(differ)} of {len(photos)} photos read differently:\n" + "\n".join(differ)


# -- no torch at run time ------------------------------------------------------------------
def test_nothing_in_app_imports_torch() -> None:
    """The networks' PyTorch definitions live in training/; the application never imports
    torch (the bundle leaves it out). easyocr, which does, is imported only in easy.py."""
    offenders = []
    for path in sorted((REPO / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top in ("torch", "torchvision") or (
                        top == "easyocr" and path.name != "easy.py"):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name}")
    assert not offenders, "\n".join(offenders)


@needs_crops
@needs_scenes
def test_reads_a_crop_and_a_photo_with_torch_unimportable() -> None:
    """A fresh process where ``import torch`` fails reads a dev crop and a dev photo."""
    crop = next(s for s in load_samples(CROPS) if s.path.name == "ca359.png")
    photo = next(s for s in load_samples(SCENES) if s.path.name == "us4.jpg")
    code = f"""
import json, sys
sys.modules['torch'] = None               # any 'import torch' now raises ImportError
from pathlib import Path
from app.engine.ocr import get_reader
reader = get_reader()
crop = reader.read_crop(Path({str(crop.path)!r}).read_bytes())
photo = reader.read_scene(Path({str(photo.path)!r}).read_bytes())
print(json.dumps({{"crop": [c.text for c in crop], "photo": [c.text for c in photo],
                  "torch": sys.modules['torch'] is not None, "easyocr": 'easyocr' in sys.modules,
                  "onnxruntime": 'onnxruntime' in sys.modules}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["crop"][:1] == [crop.plate], out
    assert photo.plate in out["photo"][:3], out
    assert out["onnxruntime"] and not out["torch"] and not out["easyocr"], out

"""The plate locator: a small CNN that re-frames a rough plate proposal and scores it.

Why: the OpenCV proposals (detect.py) find nearly every plate but frame many loosely or
off-centre, and the recogniser reads a plate well only when it is framed like the crops it
learnt from (the whole plate, about twice as wide as tall). Given a window around a
proposal, the locator says how likely a plate is in it and where the plate's 2:1 box is, so
the reader can cut the plate as the recogniser expects, and rank real plates above signs,
phone numbers and date stamps. Trained by ``training/train_locator.py``.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..progress import CancelToken
from .recognizer import standardise
from .weights import OnnxModel

WIN_H, WIN_W = 64, 128
CONTEXT = 2.0
"""Window width over the plate width a proposal suggests: room to find a cut-off plate."""
SWEEP_WIDTHS = (0.045, 0.07, 0.11, 0.17, 0.26)
"""Plate widths, as shares of the photo's width, that a sweep looks for: from the smallest
plates of the US development photos (4.5%, their 5th percentile) to the close-ups of the EU
and BR training scenes (26%, near their 95th)."""
SWEEP_STEP = 3
"""Windows per window width (and height): a plate's centre is at most a sixth of a window
from some window's centre, within the offsets the locator was trained to re-frame."""
BATCH = 16
"""Windows per network run: a sweep's 2,000 at once took the process from 96 MB to 1.9 GB
(and ONNX Runtime kept that memory for the next run); 16 at a time add 38 MB, 64 added 120,
and are no slower."""
WEIGHTS = Path(__file__).resolve().parents[3] / "resources" / "ocr" / "plate_locator.onnx"
"""The locator exported to ONNX (training/export_onnx.py); the trained weights are the .pt beside it."""

Box = tuple[int, int, int, int]
Window = tuple[float, float, float]  # centre x, centre y, width (height is width / 2)


def window_for(box: Box) -> Window:
    """The search window around a proposal: CONTEXT times the plate width it suggests."""
    x, y, w, h = box
    return x + w / 2.0, y + h / 2.0, CONTEXT * max(w, 2.0 * h, 16.0)


def sweep_boxes(width: int, height: int) -> list[Box]:
    """Plate-sized boxes whose windows tile the whole photo, at each of SWEEP_WIDTHS: for the
    locator to score when no OpenCV proposal led to a plate (a dim, small or dirty plate the
    character and edge cues both missed). About 2,000 boxes, whatever the photo's size."""
    boxes = []
    for share in SWEEP_WIDTHS:
        pw = max(16.0, share * width)
        ww = CONTEXT * pw
        for cy in _centres(height, ww / 2.0):
            for cx in _centres(width, ww):
                boxes.append((round(cx - pw / 2), round(cy - pw / 4), round(pw), round(pw / 2)))
    return boxes


def _centres(size: int, window: float) -> list[float]:
    """Window centres along one side, SWEEP_STEP to a window, the last one at the far edge."""
    if window >= size:
        return [size / 2.0]
    last = size - window / 2.0
    centres = list(np.arange(window / 2.0, last, window / SWEEP_STEP))
    return centres + [last]


def cut(gray: np.ndarray, win: Window) -> np.ndarray:
    """The window resized to WIN_H x WIN_W, edge pixels repeated where it leaves the image."""
    cx, cy, ww = win
    wh = ww / 2.0
    x0, y0 = round(cx - ww / 2), round(cy - wh / 2)
    x1, y1 = x0 + max(2, round(ww)), y0 + max(2, round(wh))
    H, W = gray.shape[:2]
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if sx1 <= sx0 or sy1 <= sy0:
        return np.full((WIN_H, WIN_W), 128, np.uint8)
    part = gray[sy0:sy1, sx0:sx1]
    if (sx0, sy0, sx1, sy1) != (x0, y0, x1, y1):
        part = cv2.copyMakeBorder(part, sy0 - y0, y1 - sy1, sx0 - x0, x1 - sx1,
                                  cv2.BORDER_REPLICATE)
    interp = cv2.INTER_AREA if part.shape[1] > WIN_W else cv2.INTER_LINEAR
    return cv2.resize(part, (WIN_W, WIN_H), interpolation=interp)


def decode(win: Window, out: np.ndarray) -> Box:
    """Network output (dx, dy, log width ratio) -> the plate's 2:1 box in image pixels."""
    cx, cy, ww = win
    dx, dy, ls = (float(v) for v in out)
    pw = ww * float(np.exp(np.clip(ls, -3.0, 0.5)))
    px, py = cx + dx * ww, cy + dy * ww / 2.0
    return round(px - pw / 2), round(py - pw / 4), round(pw), round(pw / 2)


class PlateLocator:
    """Scores and re-frames batches of proposals with the locator network (ONNX Runtime),
    loaded on first use. ``model`` replaces the ONNX graph as in ``PlateRecognizer``."""

    def __init__(self, weights: Path = WEIGHTS, model=None) -> None:
        self._weights = model if model is not None else OnnxModel(weights)

    @property
    def available(self) -> bool:
        """True when the weight file ships with this copy of the application."""
        return self._weights.available

    @property
    def loaded(self) -> bool:
        return self._weights.loaded

    def locate(self, gray: np.ndarray, boxes: list[Box],
               cancel: CancelToken | None = None) -> list[tuple[float, Box]]:
        """(plate probability, re-framed 2:1 plate box) for each proposal box; ``cancel`` is
        checked between batches (a sweep's are most of a second in all)."""
        return run_locator(self._weights, gray, boxes, cancel) if boxes else []


def run_locator(model, gray: np.ndarray, boxes: list[Box],
                cancel: CancelToken | None = None) -> list[tuple[float, Box]]:
    """One pass of a locator network (anything with ``run(batch) -> (N, 4)``) over proposal
    boxes; the training script measures its network in training with this same pass."""
    if not boxes:
        return []
    wins = [window_for(b) for b in boxes]
    runs = []
    for i in range(0, len(wins), BATCH):
        if cancel is not None:
            cancel.check()
        runs.append(model.run(np.stack([standardise(cut(gray, w)) for w in wins[i:i + BATCH]])[:, None]))
    out = np.concatenate(runs)
    probs = 1.0 / (1.0 + np.exp(-out[:, 0]))
    return [(float(p), decode(w, o[1:])) for p, w, o in zip(probs, wins, out)]

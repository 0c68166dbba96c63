"""Image decoding and the enhance view: contrast (CLAHE) and sharpening with OpenCV.

Enhancement helps a person read a dim or blurred plate, but an enhanced picture is not the
evidence: these functions always return new arrays and never touch the original bytes,
and the detail view labels the result as enhanced.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PySide6.QtGui import QImage

from app.engine.errors import BadImage


@dataclass(frozen=True)
class Pictures:
    """One photo decoded, and its enhanced copy (both BGR arrays), off the GUI thread."""

    original: np.ndarray
    enhanced: np.ndarray


def decode(data: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise BadImage("The stored image cannot be decoded (damaged or not an image).")
    return img


def enhance(img: np.ndarray, clip: float = 2.5, amount: float = 1.2) -> np.ndarray:
    """Local contrast on the lightness channel, then an unsharp mask; a new array."""
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)
    l_chan, a_chan, b_chan = cv2.split(lab)
    tiles = max(2, min(8, min(img.shape[:2]) // 16))
    l_chan = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(l_chan)
    contrasted = cv2.cvtColor(cv2.merge((l_chan, a_chan, b_chan)), cv2.COLOR_LAB2BGR)
    blurred = cv2.GaussianBlur(contrasted, (0, 0), sigmaX=max(1.0, min(img.shape[:2]) / 200))
    return cv2.addWeighted(contrasted, 1 + amount, blurred, -amount, 0)


def prepare(data: bytes) -> Pictures:
    img = decode(data)
    return Pictures(img, enhance(img))


def to_qimage(img: np.ndarray) -> QImage:
    """A deep copy as a QImage (safe to hand from a worker thread to the GUI)."""
    rgb = np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()

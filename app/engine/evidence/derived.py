"""Derived images: made from an original, never mistaken for one.

A court must be able to tell the camera's image from anything this program drew. A derived
file lives under ``images/derived/``, carries ``DERIVED`` and the operation in its name,
and ``metadata.json`` names its source file, the source's SHA-256 and the operation.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..errors import BadImage

OUTLINE = "plate-box-outlined"
OUTLINE_TEXT = ("The vendor's plate box drawn as a red rectangle on a copy of the original scene "
                "image (OpenCV rectangle, 3 px), saved losslessly as PNG; no other change.")


def outline_path(read_id: int) -> str:
    return f"images/derived/read-{read_id}-scene.DERIVED-{OUTLINE}.png"


def describe(read_id: int, source_path: str, source_sha256: str) -> dict:
    """What ``metadata.json`` says about the derived file: made how, from which original."""
    return {"file": outline_path(read_id), "original": False, "operation": OUTLINE,
            "description": OUTLINE_TEXT, "source_file": source_path, "source_sha256": source_sha256}


def outline_plate(read_id: int, scene: bytes, box: list[int]) -> bytes:
    """The scene with the plate box outlined, so a reader sees which plate was read."""
    img = cv2.imdecode(np.frombuffer(scene, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise BadImage(f"The scene image of read {read_id} cannot be decoded for the derived copy.")
    x, y, w, h = (int(v) for v in box[:4])
    cv2.rectangle(img, (x, y), (x + w, y + h), (0, 0, 255), 3)
    ok, png = cv2.imencode(".png", img)
    if not ok:
        raise BadImage(f"The derived image of read {read_id} could not be encoded.")
    return png.tobytes()

"""Ingest of camera drops: image files with a sidecar JSON each (format in docs/server.md).

Every item is checked on its own (sidecar, camera, time, plate, box, images decoded with
OpenCV) and a bad one is reported with its reason while the rest go on; good items are
stored in batches, one server transaction each. A drop without a plate read is queued for
OCR. The same drop delivered twice (camera, time and scene photo alike) is a duplicate.

Drops are untrusted input: files are read only from inside the drop folder, and every size
(sidecar bytes and nesting, image bytes and pixels, each field's type and length) is checked
before the step it guards (see ``drop_files``), so one hostile drop costs its own reject only.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from app.engine import plates, states
from app.engine.errors import ValidationError

from .base import CityServer
from .drop_files import (MAX_IMAGE_BYTES, Reject, image_header, is_clean_text, load_sidecar, read_inside,
                         shown, vehicle)
from .model import Image, NewRead

__all__ = ["IngestReport", "Reject", "ingest_dir", "parse_drop", "parse_time"]

EARLIEST = 946684800          # 2000-01-01: older times are a camera clock fault
MAX_CAMERA = 64               # characters in a camera id
MAX_PLATE = 16                # characters of a plate as the camera wrote it (spaces, dashes...)
MAX_VENDOR = 200
MAX_TIME_TEXT = 40            # an ISO 8601 time with fractions and zone is 32
BATCH_BYTES = 64 * 1024 * 1024   # image bytes held before a batch is stored early
UNEXPECTED = "this drop could not be checked"


@dataclass
class IngestReport:
    reads: int = 0
    queued_for_ocr: int = 0
    duplicates: int = 0
    rejects: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)
    read_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.reads} reads stored, {self.queued_for_ocr} queued for OCR, "
                f"{self.duplicates} duplicates, {len(self.rejects)} rejected.")


def parse_time(value: object, now: int) -> int:
    ts: float
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise Reject("bad time: not a finite number of seconds")
        ts, shown_value = value, repr(value)
    elif isinstance(value, str):
        if len(value) > MAX_TIME_TEXT:
            raise Reject(f"bad time: longer than {MAX_TIME_TEXT} characters (use ISO 8601)")
        shown_value = repr(shown(value))
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            raise Reject(f"bad time: {shown_value} is not ISO 8601") from None
        if dt.tzinfo is None:
            raise Reject(f"bad time: {shown_value} has no time zone (use Z or +hh:mm)")
        try:
            ts = dt.timestamp()
        except (OverflowError, ValueError):
            raise Reject(f"bad time: {shown_value} is out of range") from None
    elif value is None:
        raise Reject("bad time: missing")
    else:
        raise Reject("bad time: give ISO 8601 text with a zone or Unix seconds")
    if not EARLIEST <= ts <= now + 300:
        raise Reject(f"bad time: {shown_value} is before 2000 or in the future (camera clock?)")
    return int(ts)


def _camera(value: object, cameras: set[str]) -> str:
    if not isinstance(value, str):
        raise Reject("bad camera: missing" if value is None else "bad camera: give the camera id as text")
    if len(value) > MAX_CAMERA:
        raise Reject(f"bad camera: an id longer than {MAX_CAMERA} characters")
    if value not in cameras:
        raise Reject(f"unknown camera {shown(value)!r}")
    return value


def _plate(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Reject("bad plate read: give the plate as text, or null for no read")
    if len(value) > MAX_PLATE:
        raise Reject(f"bad plate read: longer than {MAX_PLATE} characters")
    try:
        return plates.validate_plate(value)
    except ValidationError as exc:
        raise Reject(f"bad plate read: {exc}") from None


def _state(value: object) -> str | None:
    """The plate's issuing state: a two-letter code or the name printed on the plate."""
    if isinstance(value, str) and len(value) > 40:
        raise Reject("bad state: longer than 40 characters")
    try:
        return states.code(value)
    except ValidationError as exc:
        raise Reject(f"bad state: {exc}") from None


def _confidence(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    raise Reject("bad confidence: give a number from 0 to 1")


def _vendor(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Reject("bad vendor: give it as text")
    if len(value) > MAX_VENDOR:
        raise Reject(f"bad vendor: longer than {MAX_VENDOR} characters")
    if not is_clean_text(value):
        raise Reject("bad vendor: it holds control characters or is not valid Unicode")
    return value


def _box(value: object, w: int, h: int) -> list[int] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise Reject(f"bad plate_box: give [x, y, w, h] as four whole numbers inside the {w}x{h} scene")
    x, y, bw, bh = value
    if x < 0 or y < 0 or bw <= 0 or bh <= 0 or x + bw > w or y + bh > h:
        raise Reject(f"bad plate_box {value!r}: [x, y, w, h] inside the {w}x{h} scene")
    return value


def load_image(root: Path, name: object, kind: str) -> tuple[Image, int, int]:
    """Read one image from inside the drop folder; check its header, then decode it."""
    return check_image(read_inside(root, name, MAX_IMAGE_BYTES, f"{kind} image"), str(name), kind)


def check_image(data: bytes, name: str, kind: str) -> tuple[Image, int, int]:
    """An image's bytes, wherever they came from (a drop, a webhook, a camera's API): the size
    and pixel limits from its header first, then a full decode; a Reject says what is wrong."""
    if not data:
        raise Reject(f"corrupt image: {shown(name)} is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise Reject(f"{kind} image {shown(name)} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    mime, w, h = image_header(data, name)
    # Every compressed block is decoded (a damaged stream fails here); a JPEG scaled down in
    # grey by its decoder, which costs half of a full-colour decode nothing here would look at.
    jpeg = mime == "image/jpeg"
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8),
                          cv2.IMREAD_REDUCED_GRAYSCALE_8 if jpeg else cv2.IMREAD_COLOR)
    if pixels is None or pixels.size == 0:
        raise Reject(f"corrupt image: {shown(name)} cannot be decoded")
    if jpeg and w != h and pixels.shape[:2] == (-(-w // 8), -(-h // 8)):   # turned by its EXIF orientation
        w, h = h, w
    elif not jpeg:
        h, w = pixels.shape[:2]
    return Image(hashlib.sha256(data).hexdigest(), kind, mime, w, h, data), w, h


def parse_drop(sidecar: Path, cameras: set[str], now: int,
               root: Path | None = None) -> tuple[NewRead, list[Image]]:
    """One drop, checked field by field; raises Reject with the first reason it is refused."""
    root = root or sidecar.parent.resolve()
    if not is_clean_text(sidecar.name):
        raise Reject("bad sidecar name: it holds control characters or is not UTF-8")
    doc = load_sidecar(root, sidecar.name)
    camera = _camera(doc.get("camera"), cameras)
    read_at = parse_time(doc.get("time"), now)
    plate = _plate(doc.get("plate"))
    state = _state(doc.get("state"))
    conf = _confidence(doc.get("confidence", 0.0 if plate is None else None))
    vendor = _vendor(doc.get("vendor"))
    car = vehicle(doc)
    if "scene_image" not in doc or doc["scene_image"] is None:
        raise Reject("no scene_image named in the sidecar")
    scene, w, h = load_image(root, doc["scene_image"], "scene")
    images = [scene]
    box = _box(doc.get("plate_box"), w, h)
    plate_sha = None
    if doc.get("plate_image") not in (None, ""):
        crop, _, _ = load_image(root, doc["plate_image"], "plate")
        images.append(crop)
        plate_sha = crop.sha256
    return NewRead(plate, read_at, camera, conf, vendor,
                   json.dumps(box) if box is not None else None, plate_sha, scene.sha256,
                   f"{camera}|{read_at}|{scene.sha256}", sidecar.name, state, car.make, car.color,
                   car.body), images


def ingest_dir(server: CityServer, folder: Path, now: int, *, batch: int = 200,
               on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest every ``*.json`` drop in ``folder``; never stops for one bad item.

    Every sidecar ends up counted once: stored as a read, queued for OCR, or in ``rejects``
    with its reason (duplicates included)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder of camera drops.")
    root = folder.resolve()
    sidecars = sorted(folder.glob("*.json"))
    cameras = server.camera_ids()
    report = IngestReport()
    pending: list[tuple[NewRead, list[Image]]] = []
    held = 0

    def flush() -> None:
        nonlocal held
        reads = [p[0] for p in pending]
        outcome = server.ingest(reads, [i for p in pending for i in p[1]], now)
        for read, (what, rid) in zip(reads, outcome):
            if what == "duplicate":
                report.duplicates += 1
                report.rejects.append((read.source_file, "duplicate: this drop was already ingested"))
            elif what == "queued":
                report.queued_for_ocr += 1
            elif rid is not None:
                report.reads += 1
                report.read_ids.append(rid)
        pending.clear()
        held = 0

    for n, sidecar in enumerate(sidecars, 1):
        try:
            item = parse_drop(sidecar, cameras, now, root)
        except Reject as exc:
            report.rejects.append((shown(sidecar.name, 255), str(exc)))
        except Exception as exc:  # noqa: BLE001 - a check this module lacks: still this drop's reject only
            report.rejects.append((shown(sidecar.name, 255), f"{UNEXPECTED} ({type(exc).__name__})"))
        else:
            pending.append(item)
            held += sum(len(i.data) for i in item[1])
        if len(pending) >= batch or held >= BATCH_BYTES:
            flush()
        if on_progress and n % 100 == 0:
            on_progress(n, len(sidecars))
    if pending:
        flush()
    if on_progress:
        on_progress(len(sidecars), len(sidecars))
    return report

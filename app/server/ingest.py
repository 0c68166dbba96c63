"""Ingest of camera drops: image files with a sidecar JSON each (format in docs/server.md).

Every item is checked on its own (sidecar, camera, time, plate, box, images decoded with
OpenCV) and a bad one is reported with its reason while the rest go on; good items are
stored in batches, one server transaction each. A drop without a plate read is queued for
OCR. The same drop delivered twice (camera, time and scene photo alike) is a duplicate.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from app.engine import plates
from app.engine.errors import ValidationError

from .base import CityServer
from .model import Image, NewRead

EARLIEST = 946684800          # 2000-01-01: older times are a camera clock fault
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class Reject(Exception):
    """One drop is refused; the message is the reason shown to the operator."""


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
    if isinstance(value, bool):
        raise Reject("bad time: not a time")
    if isinstance(value, int | float):
        ts = int(value)
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Reject(f"bad time: {value!r} is not ISO 8601") from None
        if dt.tzinfo is None:
            raise Reject(f"bad time: {value!r} has no time zone (use Z or +hh:mm)")
        ts = int(dt.timestamp())
    else:
        raise Reject("bad time: missing")
    if ts < EARLIEST or ts > now + 300:
        raise Reject(f"bad time: {value!r} is before 2000 or in the future (camera clock?)")
    return ts


def load_image(path: Path, kind: str) -> tuple[Image, int, int]:
    """Read and decode one image; a file OpenCV cannot decode is corrupt."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Reject(f"{kind} image {path.name} cannot be read ({exc.strerror})") from None
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise Reject(f"corrupt image: {path.name} is empty or larger than 20 MiB")
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None:
        raise Reject(f"corrupt image: {path.name} cannot be decoded")
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg" if data[:2] == b"\xff\xd8" else ""
    if not mime:
        raise Reject(f"corrupt image: {path.name} is neither JPEG nor PNG")
    h, w = pixels.shape[:2]
    return Image(hashlib.sha256(data).hexdigest(), kind, mime, w, h, data), w, h


def parse_drop(sidecar: Path, cameras: set[str], now: int) -> tuple[NewRead, list[Image]]:
    try:
        doc = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Reject(f"sidecar is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise Reject("sidecar is not a JSON object")
    camera = doc.get("camera")
    if camera not in cameras:
        raise Reject(f"unknown camera {camera!r}")
    read_at = parse_time(doc.get("time"), now)
    plate = doc.get("plate")
    if plate is not None:
        try:
            plate = plates.validate_plate(str(plate))
        except ValidationError as exc:
            raise Reject(f"bad plate read: {exc}") from None
    conf = doc.get("confidence", 0.0 if plate is None else None)
    if not isinstance(conf, int | float) or isinstance(conf, bool) or not 0 <= conf <= 1:
        raise Reject("bad confidence: give a number from 0 to 1")
    if not isinstance(doc.get("scene_image"), str):
        raise Reject("no scene_image named in the sidecar")
    scene, w, h = load_image(sidecar.parent / doc["scene_image"], "scene")
    images = [scene]
    box = doc.get("plate_box")
    if box is not None:
        if (not isinstance(box, list) or len(box) != 4 or not all(isinstance(v, int) for v in box)
                or box[0] < 0 or box[1] < 0 or box[2] <= 0 or box[3] <= 0
                or box[0] + box[2] > w or box[1] + box[3] > h):
            raise Reject(f"bad plate_box {box!r}: [x, y, w, h] inside the {w}x{h} scene")
    plate_sha = None
    if doc.get("plate_image"):
        crop, _, _ = load_image(sidecar.parent / str(doc["plate_image"]), "plate")
        images.append(crop)
        plate_sha = crop.sha256
    vendor = doc.get("vendor")
    return NewRead(plate, read_at, camera, float(conf), str(vendor) if vendor else None,
                   json.dumps(box) if box is not None else None, plate_sha, scene.sha256,
                   f"{camera}|{read_at}|{scene.sha256}", sidecar.name), images


def ingest_dir(server: CityServer, folder: Path, now: int, *, batch: int = 200,
               on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest every ``*.json`` drop in ``folder``; never stops for one bad item."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder of camera drops.")
    sidecars = sorted(folder.glob("*.json"))
    cameras = server.camera_ids()
    report = IngestReport()
    pending: list[tuple[NewRead, list[Image]]] = []

    def flush() -> None:
        reads = [p[0] for p in pending]
        outcome = server.ingest(reads, [i for p in pending for i in p[1]], now)
        for read, (what, rid) in zip(reads, outcome):
            if what == "duplicate":
                report.duplicates += 1
                report.rejects.append((read.source_file, "duplicate: this drop was already ingested"))
            elif what == "queued":
                report.queued_for_ocr += 1
            else:
                report.reads += 1
                report.read_ids.append(rid)  # type: ignore[arg-type]  # the row was just inserted: it has an id
        pending.clear()

    for n, sidecar in enumerate(sidecars, 1):
        try:
            pending.append(parse_drop(sidecar, cameras, now))
        except Reject as exc:
            report.rejects.append((sidecar.name, str(exc)))
        if len(pending) >= batch:
            flush()
        if on_progress and n % 100 == 0:
            on_progress(n, len(sidecars))
    if pending:
        flush()
    if on_progress:
        on_progress(len(sidecars), len(sidecars))
    return report

"""A candidate becomes a read through the checks of camera-drop ingest: the same field rules,
image limits (size and pixels from the header before any decoding) and reject reasons, so an
administrator reads one vocabulary whatever sent the read."""
from __future__ import annotations

import json
import re

from app.engine import vehicles
from app.server.drop_files import Reject, is_clean_text, shown, vehicle
from app.server.ingest import (_box, _camera, _confidence, _plate, _state, _vendor, check_image,
                               parse_time)
from app.server.model import Image, NewRead

from .candidate import Candidate

MAX_SOURCE_ID = 200
_REGION = re.compile(r"^([a-z]{2})-([a-z0-9]{1,3})$")


def region_state(value: object) -> object:
    """An ALPR engine's region ("us-ca", "ca-on", "mx") as the state ingest understands ("CA",
    "ON", "MX"); anything else is passed on for ingest's state check to judge."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    found = _REGION.fullmatch(text)
    if found and found[1] in ("us", "ca"):
        return found[2].upper()
    if found and found[1] == "mx" or text == "mx":
        return "MX"
    return value


def camera_id(c: Candidate, cameras: set[str], mapping: dict[str, str]) -> str:
    """Our camera id for the source's camera: the configured mapping, else the same name."""
    name = c.camera if not isinstance(c.camera, int | float) or isinstance(c.camera, bool) \
        else str(c.camera)
    if isinstance(name, str) and name in mapping:
        name = mapping[name]
    return _camera(name, cameras)


def _source_id(value: str) -> str:
    if not value or len(value) > MAX_SOURCE_ID or not is_clean_text(value):
        raise Reject(f"bad source id {shown(value)!r}: text of 1 to {MAX_SOURCE_ID} printable characters")
    return value


def to_read(c: Candidate, cameras: set[str], mapping: dict[str, str], now: int,
            scene: bytes | None, crop: bytes | None) -> tuple[NewRead, list[Image]]:
    """One candidate, checked field by field (photos given as bytes); raises Reject."""
    _source_id(c.source_id)
    camera = camera_id(c, cameras, mapping)
    read_at = parse_time(c.time, now)
    plate = _plate(c.plate)
    state = _state(c.state)
    conf = _confidence(c.confidence if c.confidence is not None or plate is not None else 0.0)
    vendor = _vendor(c.vendor)
    car = vehicle({name: getattr(c, name) for name in vehicles.FIELDS})   # the drop's rules and words
    images: list[Image] = []
    scene_sha = plate_sha = box = None
    if scene is not None:
        img, w, h = check_image(scene, f"{c.source_id} scene", "scene")
        images.append(img)
        scene_sha = img.sha256
        box = _box(c.box, w, h)
    if crop is not None:
        img, _, _ = check_image(crop, f"{c.source_id} plate", "plate")
        images.append(img)
        plate_sha = img.sha256
    if plate is None and scene_sha is None:
        raise Reject("no plate read and no scene photo: nothing to store or to read by OCR")
    return NewRead(plate, read_at, camera, conf, vendor, json.dumps(box) if box is not None else None,
                   plate_sha, scene_sha, c.key, f"{c.source}:{c.source_id}"[:255], state,
                   car.make, car.color, car.body), images

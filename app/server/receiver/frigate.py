"""Frigate (0.16 and later) over MQTT:

* ``{prefix}/tracked_object_update`` with ``type`` ``lpr``: ``id`` (the event), ``camera``,
  ``plate``, ``score``, ``timestamp``, ``plate_box`` (0.18: x1, y1, x2, y2). Sent again as the
  plate improves, so each is a preview of the event's read.
* ``{prefix}/events`` (``type`` new/update/end, the object in ``after``):
  ``recognized_license_plate``, ``recognized_license_plate_score``, ``start_time``,
  ``end_time``; ``end`` is the event's final version.

The read's source id is the event id, so all of these merge into one read. Photos come from
Frigate's HTTP API: ``/api/events/{id}/snapshot.jpg`` and, ``crop=1``, the crop. Frigate
sends no state: it stays unknown.
"""
from __future__ import annotations

import urllib.parse

from app.server.drop_files import Reject, parse_json

from .candidate import Candidate, ImageRef, Rejected
from .config import Source

VENDOR = "Frigate LPR"


def _photos(source: Source, event_id: str) -> tuple[ImageRef | None, ImageRef | None]:
    if not source.base_url:
        return None, None
    base = f"{source.base_url}/api/events/{urllib.parse.quote(event_id, safe='')}/snapshot.jpg"
    return ImageRef(url=base), ImageRef(url=base + "?crop=1")


def _box(value: object) -> object:
    if isinstance(value, list) and len(value) == 4 and all(isinstance(v, int | float) for v in value):
        x1, y1, x2, y2 = (int(v) for v in value)
        return [x1, y1, x2 - x1, y2 - y1]
    return None


def parse(topic: str, payload: bytes, source: Source) -> list[Candidate | Rejected]:
    """The read a Frigate message carries; nothing for a message about anything else."""
    kind = topic[len(source.topic_prefix) + 1:]
    try:
        doc = parse_json(payload, "MQTT message")
    except Reject as exc:
        return [Rejected(source.name, str(exc), topic)]
    if kind == "tracked_object_update":
        if doc.get("type") != "lpr":
            return []
        event = str(doc.get("id") or "")
        scene, crop = _photos(source, event)
        return [Candidate(source.name, event, doc.get("camera"), doc.get("timestamp"), doc.get("plate"),
                          None, doc.get("score"), _box(doc.get("plate_box")), scene, crop, VENDOR,
                          final=False)]
    if kind == "events":
        after = doc.get("after")
        if not isinstance(after, dict) or not after.get("recognized_license_plate"):
            return []
        event = str(after.get("id") or "")
        scene, crop = _photos(source, event)
        return [Candidate(source.name, event, after.get("camera"), after.get("start_time"),
                          after.get("recognized_license_plate"), None,
                          after.get("recognized_license_plate_score"), None, scene, crop, VENDOR,
                          final=doc.get("type") == "end")]
    return []

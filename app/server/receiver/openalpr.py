"""OpenALPR / Rekor Scout agent webhooks, as the agent posts them (``data_type``):

* ``alpr_group``: one vehicle's best read: ``best_plate_number`` (``candidates`` beside it),
  ``best_region`` ("us-ca"), ``best_confidence`` 0-100, ``epoch_start``/``epoch_end`` in
  milliseconds, ``agent_uid`` + ``camera_id``, ``best_plate.coordinates`` (four corners),
  ``vehicle`` lists (``color``, ``make``, ``make_model``, ``body_type``), ``is_preview``;
  photos as base64 ``vehicle_crop_jpeg`` / ``best_plate.plate_crop_jpeg``, else fetched from
  the agent (``GET /img/{uuid}.jpg``, ``GET /crop/{uuid}?x1=&y1=&x2=&y2=``).
* ``alpr_results``: one frame's plates (``results``), each a read of its own.
* ``alpr_alert``: the agent's own hotlist alert; its ``group`` is the read (our hits are made
  by the workstations from the city's hotlists), merged with the group itself by source id.
* ``heartbeat``: ``video_streams`` with ``camera_id`` and ``is_streaming``: camera health.

A group's source id is ``agent_uid/first uuid``: a preview and its final version share it.
``travel_direction``, ``is_parked`` and GPS are not kept (the read model has no place for them;
a camera's position is the camera's).
"""
from __future__ import annotations

import base64
import binascii
import urllib.parse

from .candidate import Candidate, Heartbeat, ImageRef, Rejected
from .checks import region_state
from .config import Source

Item = Candidate | Heartbeat | Rejected


def _b64(value: object, what: str) -> bytes | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64") from None


def _ms(value: object) -> object:
    """Milliseconds since 1970 as seconds; anything else is left for the time check to refuse."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 1000.0
    return value


def _top(lists: object, key: str) -> object:
    """The first (most likely) name of a vehicle attribute list such as ``color``."""
    if isinstance(lists, dict):
        found = lists.get(key)
        if isinstance(found, list) and found and isinstance(found[0], dict):
            return found[0].get("name")
    return None


def _camera(doc: dict, source: Source) -> object:
    cam, agent = doc.get("camera_id"), doc.get("agent_uid")
    named = f"{agent}/{cam}"
    return named if named in source.cameras else cam


def _box(coords: object) -> tuple[list[int] | None, tuple[int, int, int, int] | None]:
    """[x, y, w, h] around the four corners, and the corners' (x1, y1, x2, y2)."""
    if not isinstance(coords, list) or len(coords) != 4:
        return None, None
    try:
        xs = [int(p["x"]) for p in coords]
        ys = [int(p["y"]) for p in coords]
    except (TypeError, KeyError, ValueError):
        return None, None
    x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
    return [x1, y1, x2 - x1, y2 - y1], (x1, y1, x2, y2)


def _url(source: Source, path: str, query: dict | None = None) -> str | None:
    if not source.base_url:
        return None
    q = f"?{urllib.parse.urlencode(query)}" if query else ""
    return f"{source.base_url}{path}{q}"


def group(doc: dict, source: Source) -> Candidate:
    uuids = doc.get("uuids")
    first = uuids[0] if isinstance(uuids, list) and uuids and isinstance(uuids[0], str) else doc.get("best_uuid")
    best: dict = doc["best_plate"] if isinstance(doc.get("best_plate"), dict) else {}
    best_uuid = doc.get("best_uuid") if isinstance(doc.get("best_uuid"), str) else None
    box, corners = _box(best.get("coordinates"))
    vehicle_jpeg = _b64(doc.get("vehicle_crop_jpeg"), "vehicle_crop_jpeg")
    plate_jpeg = _b64(best.get("plate_crop_jpeg"), "plate_crop_jpeg")
    uuid = urllib.parse.quote(best_uuid or "", safe="")
    scene: ImageRef | None
    if vehicle_jpeg is not None:
        scene, box = ImageRef(vehicle_jpeg), None        # a crop: the frame's corners do not apply
    else:
        url = _url(source, f"/img/{uuid}.jpg") if best_uuid else None
        scene = ImageRef(url=url) if url else None
        if scene is None:
            box = None
    if plate_jpeg is not None:
        crop: ImageRef | None = ImageRef(plate_jpeg)
    else:
        url = _url(source, f"/crop/{uuid}", dict(zip(("x1", "y1", "x2", "y2"), corners))) \
            if best_uuid and corners else None
        crop = ImageRef(url=url) if url else None
    conf = doc.get("best_confidence")
    vehicle = doc.get("vehicle")
    return Candidate(
        source=source.name, source_id=f"{doc.get('agent_uid')}/{first}", camera=_camera(doc, source),
        time=_ms(doc.get("epoch_start")), plate=doc.get("best_plate_number"),
        state=region_state(doc.get("best_region")),
        confidence=conf / 100.0 if isinstance(conf, int | float) and not isinstance(conf, bool) else conf,
        box=box, scene=scene, crop=crop,
        vendor=f"OpenALPR {doc.get('agent_type') or 'agent'} {doc.get('agent_version') or ''}".strip()[:200],
        vehicle_make=_top(vehicle, "make"), vehicle_color=_top(vehicle, "color"),
        vehicle_body=_top(vehicle, "body_type"), final=doc.get("is_preview") is not True)


def results(doc: dict, source: Source) -> list[Candidate]:
    out = []
    uuid = doc.get("uuid") if isinstance(doc.get("uuid"), str) else None
    for i, r in enumerate(doc.get("results") or []):
        if not isinstance(r, dict):
            continue
        box, _ = _box(r.get("coordinates"))
        url = _url(source, f"/img/{urllib.parse.quote(uuid, safe='')}.jpg") if uuid else None
        conf = r.get("confidence")
        region = r.get("region")
        if isinstance(region, str) and "-" not in region and isinstance(doc.get("country"), str):
            region = f"{doc['country']}-{region}"
        out.append(Candidate(
            source=source.name, source_id=f"{doc.get('agent_uid')}/{uuid}/{r.get('plate_index', i)}",
            camera=_camera(doc, source), time=_ms(doc.get("epoch_time")), plate=r.get("plate"),
            state=region_state(region),
            confidence=conf / 100.0 if isinstance(conf, int | float) and not isinstance(conf, bool) else conf,
            box=box if url else None, scene=ImageRef(url=url) if url else None,
            vendor=f"OpenALPR {doc.get('agent_type') or 'alprd'}"))
    return out


def heartbeat(doc: dict, source: Source, now: int) -> list[Heartbeat]:
    out = []
    for stream in doc.get("video_streams") or []:
        if isinstance(stream, dict) and stream.get("camera_id") is not None:
            out.append(Heartbeat(source.name, str(_camera({**doc, **stream}, source)),
                                 stream.get("is_streaming") is not False, now))
    return out


def parse(doc: dict, source: Source, now: int) -> list[Item]:
    """The reads (or camera states) one webhook body holds; a body we cannot use is a Rejected."""
    kind = doc.get("data_type")
    try:
        if kind == "alpr_group":
            return [group(doc, source)]
        if kind == "alpr_alert":
            g = doc.get("group")
            return [group(g, source)] if isinstance(g, dict) else \
                [Rejected(source.name, "alpr_alert without its group")]
        if kind == "alpr_results":
            return list(results(doc, source))
        if kind == "heartbeat":
            return list(heartbeat(doc, source, now))
    except ValueError as exc:
        return [Rejected(source.name, f"bad {kind}: {exc}")]
    return [Rejected(source.name, f"unknown data_type {str(kind)[:40]!r} (alpr_group, alpr_results, "
                                  "alpr_alert or heartbeat)")]

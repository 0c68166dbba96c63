"""One read in full: what the detail view shows and what an evidence package describes."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .digests import unpacked
from .search import ROW_SQL, ReadRow, row_from

OTHER_SIGHTINGS = 500


@dataclass(frozen=True)
class HitInfo:
    id: int
    hotlist: str
    source: str
    kind: str
    plate: str
    reason: str
    priority: int
    created_at: int
    disposition: str | None
    disposition_note: str | None
    disposed_by: str | None
    entry_state: str | None             # the hotlist entry's state; None: matched on any state


@dataclass(frozen=True)
class Correction:
    old_plate: str
    new_plate: str
    reason: str
    username: str
    corrected_at: int


@dataclass(frozen=True)
class ReadDetail:
    read: ReadRow
    lat: float | None
    lon: float | None
    direction: str | None
    plate_box: list[int] | None
    plate_image_sha256: str | None
    scene_image_sha256: str | None
    ocr_plate: str | None
    ocr_confidence: float | None
    hits: list[HitInfo]
    corrections: list[Correction]
    other_sightings: list[ReadRow]     # other reads of the same plate, newest first


def load_detail(conn, read_id: int) -> ReadDetail | None:
    row = conn.execute(f"{ROW_SQL} WHERE r.id = ?", (read_id,)).fetchone()
    if row is None:
        return None
    read = row_from(row)
    extra = conn.execute(
        "SELECT c.lat, c.lon, c.direction, r.plate_box, r.plate_image_sha256, r.scene_image_sha256, "
        "r.ocr_plate, r.ocr_confidence FROM reads r JOIN cameras c ON c.id = r.camera_id "
        "WHERE r.id = ?", (read_id,)).fetchone()
    hits = [HitInfo(*h) for h in conn.execute(
        "SELECT h.id, l.name, l.source, l.kind, e.plate, e.reason, e.priority, h.created_at, "
        "h.disposition, h.disposition_note, h.disposed_by, e.plate_state FROM hits h "
        "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id "
        "WHERE h.read_id = ? ORDER BY e.priority, h.id", (read_id,))]
    corrections = [Correction(*c) for c in conn.execute(
        "SELECT old_plate, new_plate, reason, username, corrected_at FROM corrections "
        "WHERE read_id = ? ORDER BY corrected_at", (read_id,))]
    others = [row_from(t) for t in conn.execute(
        f"{ROW_SQL} WHERE r.plate = ? AND r.id != ? ORDER BY r.read_at DESC LIMIT ?",
        (read.plate, read_id, OTHER_SIGHTINGS))]
    return ReadDetail(read, extra[0], extra[1], extra[2],
                      json.loads(extra[3]) if extra[3] else None, unpacked(extra[4]), unpacked(extra[5]), extra[6],
                      extra[7], hits, corrections, others)

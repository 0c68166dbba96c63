"""Many reads' photos at once, for the results' picture grid.

The grid shows a page of plate crops with their scene photos; asking for each image alone
would write two log entries per read as the user scrolls. One call takes the reads in view
and writes ONE ``view_image`` entry naming every read whose photos it returned, the same
entry the detail panel writes for one photo, so the audit reads it the same way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import ValidationError

MAX_READS = 200                 # a screenful of thumbnails is a few dozen


@dataclass(frozen=True)
class ReadPictures:
    read_id: int
    plate: bytes | None         # the crop as stored (None: the camera sent none)
    scene: bytes | None


def check(read_ids: list[int]) -> list[int]:
    ids = sorted({int(i) for i in read_ids})
    if not ids:
        raise ValidationError("Name at least one read whose photos to show.")
    if len(ids) > MAX_READS:
        raise ValidationError(f"At most {MAX_READS} reads' photos are fetched at once.")
    return ids


def load(conn, read_ids: list[int]) -> list[ReadPictures]:
    """The photos of the reads held here, in read id order; reads not held are left out."""
    rows = conn.execute(
        "SELECT r.id, p.data, s.data FROM reads r "
        "LEFT JOIN images p ON p.sha256 = r.plate_image_sha256 "
        "LEFT JOIN images s ON s.sha256 = r.scene_image_sha256 "
        "WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id", (json.dumps(read_ids),))
    return [ReadPictures(rid, bytes(p) if p is not None else None, bytes(s) if s is not None else None)
            for rid, p, s in rows]

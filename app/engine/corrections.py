"""Misread correction: an authorised user fixes a read's plate, with a reason.

The vendor's reading is kept (``reads.original_plate`` and the ``corrections`` row), so both
plates stay searchable; the row carries a UUID so sync uploads it to the city server once.
Hits are re-evaluated in the same transaction, so a corrected plate hits (or stops hitting)
at once.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from . import hits, plates
from .errors import NotFound, ValidationError

MIN_REASON = 5


@dataclass(frozen=True)
class CorrectionResult:
    read_id: int
    old_plate: str
    new_plate: str
    hits_added: int
    hits_removed: int


def correct(conn, read_id: int, new_plate: str, reason: str, username: str, now: float) -> CorrectionResult:
    new = plates.validate_plate(new_plate)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError("Say why the plate is corrected (for example 'crop shows 8, not B').")
    row = conn.execute("SELECT plate FROM reads WHERE id = ?", (read_id,)).fetchone()
    if row is None:
        raise NotFound(f"Read {read_id} is not held on this workstation.")
    old = row[0]
    if old == new:
        raise ValidationError(f"The read already says {new}.")
    conn.execute("UPDATE reads SET original_plate = coalesce(original_plate, plate), plate = ?, "
                 "possible_misread = 0 WHERE id = ?", (new, read_id))
    conn.execute("INSERT INTO corrections(read_id, old_plate, new_plate, reason, username, corrected_at, uuid) "
                 "VALUES (?,?,?,?,?,?,?)", (read_id, old, new, reason, username, int(now), str(uuid.uuid4())))
    added, removed = hits.reevaluate_reads(conn, [read_id], now)
    return CorrectionResult(read_id, old, new, added, removed)

"""The path of a plate over one day: its sightings in time order.

Search results come newest first (or sorted by plate, camera, confidence), so the map cannot
join them in the order it is given; this puts one plate's sightings of one local day in the
order they happened, ties broken by read id, which is the order the camera sent them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from .. import timefmt
from ..search import ReadRow


def days(rows: Iterable[ReadRow], plate: str, tz: ZoneInfo) -> list[date]:
    """The local days on which ``plate`` was read, oldest first."""
    return sorted({timefmt.today(r.read_at, tz) for r in rows if r.plate == plate})


def day_path(rows: Iterable[ReadRow], plate: str, day: date, tz: ZoneInfo) -> list[ReadRow]:
    """``plate``'s reads on local ``day`` in the order they happened."""
    return sorted((r for r in rows if r.plate == plate and timefmt.today(r.read_at, tz) == day),
                  key=lambda r: (r.read_at, r.id))

"""Payments, permits and patrol sightings matched to stays by plate, tolerating misreads.

A pay-by-plate session is typed by the driver and a permit by a clerk, so their plate may
differ from the camera's read by a confusable character: an exact plate is preferred, else
the closest similar plate (the same matching as pairing and search). A payment goes to the
stay it overlaps most; a stay may have several payments (an extension).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import plates
from .stays import MAX_CLOSENESS, Stay

T = TypeVar("T")


@dataclass(frozen=True)
class Payment:
    id: int
    facility_id: str
    plate: str
    start_at: int
    end_at: int
    amount_cents: int
    method: str
    line: int


@dataclass(frozen=True)
class Permit:
    id: int
    facility_id: str
    plate: str
    zone: str               # a zone id, or "*" for every zone of the facility
    valid_from: int
    valid_until: int
    permit_no: str


PAYMENT_COLS = "id, facility_id, plate, start_at, end_at, amount_cents, method, line"
PERMIT_COLS = "id, facility_id, plate, zone, valid_from, valid_until, permit_no"


class PlateIndex(Generic[T]):
    """Items by plate and by confusion skeleton, for exact-then-similar look-ups."""

    def __init__(self, items: Iterable[T], plate_of: Callable[[T], str]) -> None:
        self.exact: dict[str, list[T]] = defaultdict(list)
        self.skel: dict[str, list[tuple[str, T]]] = defaultdict(list)
        for item in items:
            p = plate_of(item)
            self.exact[p].append(item)
            self.skel[plates.skeleton(p)].append((p, item))

    def find(self, plate: str) -> list[tuple[float, T]]:
        """(closeness, item) for the plate itself, else for similar plates, closest first."""
        if plate in self.exact:
            return [(0.0, i) for i in self.exact[plate]]
        found = [(plates.closeness(plate, p), item) for s in plates.similar_skeletons(plate)
                 for p, item in self.skel.get(s, ())]
        return sorted((f for f in found if f[0] <= MAX_CLOSENESS), key=lambda f: f[0])


def _end(stay: Stay, now: float) -> float:
    return stay.exit_at if stay.exit_at is not None else now


def match_payments(stays: Sequence[Stay], payments: Iterable[Payment], now: float
                   ) -> tuple[dict[int, list[Payment]], list[Payment]]:
    """Stay id -> its payments, and the payments that match no stay."""
    index = PlateIndex(stays, lambda s: s.plate)
    got: dict[int, list[Payment]] = defaultdict(list)
    orphans: list[Payment] = []
    for p in payments:
        best: tuple[float, float, Stay] | None = None
        for score, stay in index.find(p.plate):
            overlap = min(p.end_at, _end(stay, now)) - max(p.start_at, stay.entry_at)
            if overlap > 0 and (best is None or (score, -overlap) < best[:2]):
                best = (score, -overlap, stay)
        if best is None:
            orphans.append(p)
        else:
            got[best[2].id].append(p)
    return got, orphans


def permit_for(stay: Stay, index: PlateIndex[Permit], zone: str | None, now: float) -> Permit | None:
    """A permit of this plate (or a similar one) valid for the whole stay, in ``zone`` (None: any)."""
    for _score, permit in index.find(stay.plate):
        if (zone is None or permit.zone in (zone, "*")) and permit.valid_from <= stay.entry_at \
                and permit.valid_until >= _end(stay, now):
            return permit
    return None


def load_payments(conn, fid: str, start: int, end: int) -> list[Payment]:
    return [Payment(*r) for r in conn.execute(
        f"SELECT {PAYMENT_COLS} FROM parking_payments WHERE facility_id = ? AND start_at >= ? "
        "AND start_at < ? ORDER BY start_at, id", (fid, start, end))]


def load_permits(conn, fid: str, start: int, end: int) -> list[Permit]:
    return [Permit(*r) for r in conn.execute(
        f"SELECT {PERMIT_COLS} FROM parking_permits WHERE facility_id = ? AND valid_from < ? AND "
        "valid_until > ?", (fid, end, start))]


def sightings(conn, patrol: dict[str, str], start: int, end: int) -> PlateIndex[tuple[str, int, str]]:
    """Patrol reads inside the facility in a period, as (plate, time, zone), by plate."""
    rows = conn.execute("SELECT plate, read_at, camera_id FROM reads WHERE read_at >= ? AND "
                        "read_at < ? AND camera_id IN (SELECT value FROM json_each(?))",
                        (start, end, json.dumps(list(patrol)))).fetchall()
    return PlateIndex([(r[0], r[1], patrol[r[2]]) for r in rows], lambda r: r[0])

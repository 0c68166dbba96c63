"""Stays: a facility's entry and exit reads paired, with a tolerance for OCR confusions.

A vehicle's exit read often differs from its entry read by one confusable character (8/B,
0/O, a dropped character): the exit is then paired with the open stay whose plate is closest
by the similar-plate matching search uses (``plates.similar_skeletons`` and
``plates.closeness``, at most 1.0). Reads that cannot be paired are kept with their reason.

Stays are derived from the reads and rebuilt from them: after new reads arrive only the reads
from the earliest stay still open (or the last read paired) onwards are paired again, so a
sync of a day re-pairs a day, not the year.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import plates
from .facilities import Facility

MAX_CLOSENESS = 1.0                 # what search's "similar" accepts
NO_EXIT = "entered again before any exit read was paired with this entry"
NO_ENTRY = "exit with no open entry of this plate or a similar one"


@dataclass(frozen=True)
class Stay:
    id: int
    facility_id: str
    plate: str
    entry_read_id: int
    exit_read_id: int | None
    entry_at: int
    exit_at: int | None
    exit_plate: str | None          # the exit read's plate where it differs from the entry's

    @property
    def open(self) -> bool:
        return self.exit_at is None

    def minutes(self, now: float) -> float:
        return ((self.exit_at if self.exit_at is not None else now) - self.entry_at) / 60

    @property
    def read_ids(self) -> list[int]:
        return [self.entry_read_id] + ([self.exit_read_id] if self.exit_read_id else [])


STAY_COLS = "id, facility_id, plate, entry_read_id, exit_read_id, entry_at, exit_at, exit_plate"


@dataclass
class Paired:
    """What one pairing run produced (rows ready for the store)."""

    stays: list[tuple] = field(default_factory=list)     # plate, entry id, exit id, entry, exit, exit plate
    unpaired: list[tuple[int, int, str]] = field(default_factory=list)   # read id, time, reason


def pair(reads: Iterable[tuple[int, str, int, bool]]) -> Paired:
    """Pair (read id, plate, time, is_entry) in time order into stays and unpaired reads."""
    out = Paired()
    open_: dict[str, tuple[int, int]] = {}                 # plate -> (entry read id, entry time)
    by_skel: dict[str, set[str]] = defaultdict(set)         # skeleton -> open plates
    for rid, plate, at, is_entry in reads:
        if is_entry:
            if plate in open_:
                prev = open_[plate]
                out.unpaired.append((prev[0], prev[1], NO_EXIT))
            else:
                by_skel[plates.skeleton(plate)].add(plate)
            open_[plate] = (rid, at)
            continue
        match = plate if plate in open_ else _similar(plate, open_, by_skel)
        if match is None:
            out.unpaired.append((rid, at, NO_ENTRY))
            continue
        entry_id, entry_at = open_.pop(match)
        skel = by_skel[plates.skeleton(match)]
        skel.discard(match)
        out.stays.append((match, entry_id, rid, entry_at, at, None if match == plate else plate))
    for plate, (entry_id, entry_at) in open_.items():
        out.stays.append((plate, entry_id, None, entry_at, None, None))
    return out


def _similar(plate: str, open_: dict[str, tuple[int, int]], by_skel: dict[str, set[str]]) -> str | None:
    """The open plate closest to a misread exit plate, the latest entry on a tie."""
    best: tuple[float, int, str] | None = None
    for skel in plates.similar_skeletons(plate):
        for cand in by_skel.get(skel, ()):
            score = plates.closeness(plate, cand)
            if score <= MAX_CLOSENESS and (best is None or (score, -open_[cand][1]) < best[:2]):
                best = (score, -open_[cand][1], cand)
    return best[2] if best else None


def refresh(conn, fac: Facility) -> None:
    """Bring a facility's stays up to date with the reads held (inside the caller's transaction)."""
    cams = json.dumps(list(fac.gate_cameras))
    top = conn.execute("SELECT coalesce(max(id), 0) FROM reads").fetchone()[0]   # the rowid: O(1)
    build = conn.execute("SELECT max_read_id, redo_from FROM parking_builds WHERE facility_id = ?",
                         (fac.id,)).fetchone()
    if build is not None and build[0] == top:
        return
    redo_from = 0
    if build is not None:
        late = conn.execute("SELECT min(read_at) FROM reads WHERE id > ? AND +camera_id IN "
                            "(SELECT value FROM json_each(?))", (build[0], cams)).fetchone()[0]
        redo_from = build[1] if late is None or late >= build[1] else 0
    # Stays that entered before redo_from are all closed and stay as they are; their exit reads
    # (which may come later) are not paired again.
    conn.execute("DELETE FROM parking_stays WHERE facility_id = ? AND entry_at >= ?", (fac.id, redo_from))
    conn.execute("DELETE FROM parking_unpaired WHERE facility_id = ? AND read_at >= ?", (fac.id, redo_from))
    entries = set(fac.entry_cameras)
    kept = "" if redo_from == 0 else (
        " AND id NOT IN (SELECT exit_read_id FROM parking_stays WHERE facility_id = ? AND "
        "exit_read_id IS NOT NULL AND exit_at >= ?)")
    rows = conn.execute("SELECT id, plate, read_at, camera_id FROM reads WHERE read_at >= ? AND "
                        f"camera_id IN (SELECT value FROM json_each(?)){kept} ORDER BY read_at, id",
                        (redo_from, cams) + ((fac.id, redo_from) if kept else ()))
    got = pair((r[0], r[1], r[2], r[3] in entries) for r in rows)
    hold = fac.max_stay_hours * 3600
    conn.executemany(
        "INSERT INTO parking_stays(facility_id, plate, plate_skel, entry_read_id, exit_read_id, "
        "entry_at, exit_at, exit_plate, until_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [(fac.id, s[0], plates.skeleton(s[0]), s[1], s[2], s[3], s[4], s[5],
          s[4] if s[4] is not None else s[3] + hold) for s in got.stays])
    conn.executemany("INSERT OR REPLACE INTO parking_unpaired(read_id, facility_id, read_at, reason) "
                     "VALUES (?,?,?,?)", [(u[0], fac.id, u[1], u[2]) for u in got.unpaired])
    open_from = conn.execute("SELECT min(entry_at) FROM parking_stays WHERE facility_id = ? AND "
                             "exit_at IS NULL", (fac.id,)).fetchone()[0]
    span = conn.execute("SELECT coalesce(max(until_at - entry_at), 0) FROM parking_stays "
                        "WHERE facility_id = ?", (fac.id,)).fetchone()[0]
    last_at = max((conn.execute("SELECT coalesce(max(read_at), 0) FROM reads WHERE camera_id = ?",
                                (c,)).fetchone()[0] for c in fac.gate_cameras), default=0)
    redo = min(v for v in (open_from, last_at + 1) if v is not None)
    conn.execute("INSERT OR REPLACE INTO parking_builds(facility_id, max_read_id, last_read_at, "
                 "redo_from, max_span) VALUES (?,?,?,?,?)", (fac.id, top, last_at, redo, span))


def expire(conn, fid: str, cutoff: int) -> None:
    """Retention for what is derived from reads: stays and unpaired reads whose reads were
    purged, and payments and permits that ended before the cutoff, go too."""
    conn.execute("DELETE FROM parking_stays WHERE facility_id = ? AND entry_at < ? AND "
                 "entry_read_id NOT IN (SELECT id FROM reads)", (fid, cutoff))
    conn.execute("DELETE FROM parking_unpaired WHERE facility_id = ? AND read_at < ? AND "
                 "read_id NOT IN (SELECT id FROM reads)", (fid, cutoff))
    conn.execute("DELETE FROM parking_payments WHERE facility_id = ? AND end_at < ?", (fid, cutoff))
    conn.execute("DELETE FROM parking_permits WHERE facility_id = ? AND valid_until < ?", (fid, cutoff))


def load(conn, where: str, params: tuple) -> list[Stay]:
    return [Stay(*r) for r in conn.execute(f"SELECT {STAY_COLS} FROM parking_stays WHERE {where}", params)]


def unpaired(conn, fid: str, start: int, end: int) -> list[tuple[int, str, int, str]]:
    """(read id, plate, time, reason) of the reads at the gates left unpaired in a period."""
    return conn.execute(
        "SELECT u.read_id, r.plate, u.read_at, u.reason FROM parking_unpaired u JOIN reads r ON "
        "r.id = u.read_id WHERE u.facility_id = ? AND u.read_at >= ? AND u.read_at < ? "
        "ORDER BY u.read_at", (fid, start, end)).fetchall()


def span(conn, fid: str) -> int:
    row = conn.execute("SELECT max_span FROM parking_builds WHERE facility_id = ?", (fid,)).fetchone()
    return int(row[0]) if row else 0

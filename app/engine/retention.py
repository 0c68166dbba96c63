"""Retention and holds: reads older than the profile's period are purged unless held.

A hold keeps reads that are, or may become, evidence or that answer a discovery request or
litigation (Calabasas V). Only the records custodian's role may release a hold.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import NotFound, ValidationError

HOLD_KINDS = ("evidence", "discovery", "litigation")


@dataclass(frozen=True)
class Hold:
    id: int
    case_number: str
    kind: str
    reason: str
    placed_by: str
    placed_at: int
    released_by: str | None
    released_at: int | None
    read_count: int

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class PurgeReport:
    cutoff: int
    reads: int
    images: int
    hits: int
    kept_by_hold: int
    removed_at: tuple[tuple[int, int], ...] = ()    # (quarter-hour, reads removed): see buckets()
    certificate: int | None = None                  # its retention certificate, if one was written


def place_hold(conn, case_number: str, kind: str, reason: str, read_ids: list[int],
               placed_by: str, now: int) -> int:
    if kind not in HOLD_KINDS:
        raise ValidationError(f"A hold is one of: {', '.join(HOLD_KINDS)}.")
    if not reason.strip():
        raise ValidationError("A hold needs a reason.")
    if not read_ids:
        raise ValidationError("A hold needs at least one read.")
    known = {r[0] for r in conn.execute(
        f"SELECT id FROM reads WHERE id IN ({','.join('?' * len(read_ids))})", list(read_ids))}
    missing = sorted(set(read_ids) - known)
    if missing:
        raise NotFound(f"Reads not held locally: {missing[:10]}.")
    cur = conn.execute(
        "INSERT INTO holds(case_number, kind, reason, placed_by, placed_at) VALUES (?,?,?,?,?)",
        (case_number, kind, reason.strip(), placed_by, now))
    conn.executemany("INSERT OR IGNORE INTO hold_reads(hold_id, read_id) VALUES (?, ?)",
                     [(cur.lastrowid, rid) for rid in sorted(known)])
    return cur.lastrowid


def release_hold(conn, hold_id: int, released_by: str, reason: str, now: int) -> list[int]:
    row = conn.execute("SELECT released_at FROM holds WHERE id = ?", (hold_id,)).fetchone()
    if row is None:
        raise NotFound(f"No hold {hold_id}.")
    if row[0] is not None:
        raise ValidationError(f"Hold {hold_id} was already released.")
    if not reason.strip():
        raise ValidationError("Releasing a hold needs a reason.")
    conn.execute("UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?",
                 (released_by, now, reason.strip(), hold_id))
    return [r[0] for r in conn.execute("SELECT read_id FROM hold_reads WHERE hold_id = ?", (hold_id,))]


def list_holds(conn, active_only: bool = False) -> list[Hold]:
    where = "WHERE h.released_at IS NULL" if active_only else ""
    rows = conn.execute(
        "SELECT h.id, h.case_number, h.kind, h.reason, h.placed_by, h.placed_at, h.released_by, "
        f"h.released_at, (SELECT count(*) FROM hold_reads hr WHERE hr.hold_id = h.id) FROM holds h {where} "
        "ORDER BY h.id").fetchall()
    return [Hold(*r) for r in rows]


# A quarter-hour: every time zone's offset from UTC is a multiple of it, so counts by quarter-hour
# add up to counts by local day in any zone (retention certificates, oversight/certificates.py).
BUCKET = 900


def buckets(conn, where: str, params: tuple = ()) -> tuple[tuple[int, int], ...]:
    """(start of the quarter-hour, reads) for the reads ``where`` selects, oldest first."""
    return tuple(conn.execute(f"SELECT read_at / {BUCKET} * {BUCKET}, count(*) FROM reads WHERE {where} "
                              "GROUP BY 1 ORDER BY 1", params).fetchall())


HELD = ("SELECT hr.read_id FROM hold_reads hr JOIN holds h ON h.id = hr.hold_id "
        "WHERE h.released_at IS NULL")


def purge(conn, cutoff: int) -> PurgeReport:
    """Delete reads older than ``cutoff`` that no active hold keeps, with their images and hits."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_ids(id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM purge_ids")
    conn.execute(f"INSERT INTO purge_ids SELECT id FROM reads WHERE read_at < ? AND id NOT IN ({HELD})",
                 (cutoff,))
    kept = conn.execute(f"SELECT count(*) FROM reads WHERE read_at < ? AND id IN ({HELD})",
                        (cutoff,)).fetchone()[0]
    removed_at = buckets(conn, "id IN (SELECT id FROM purge_ids)")
    hits = conn.execute("DELETE FROM hits WHERE read_id IN (SELECT id FROM purge_ids)").rowcount
    conn.execute("DELETE FROM corrections WHERE read_id IN (SELECT id FROM purge_ids) AND uploaded = 1")
    reads = conn.execute("DELETE FROM reads WHERE id IN (SELECT id FROM purge_ids)").rowcount
    images = conn.execute(
        "DELETE FROM images WHERE sha256 NOT IN (SELECT plate_image_sha256 FROM reads WHERE plate_image_sha256 IS NOT NULL) "
        "AND sha256 NOT IN (SELECT scene_image_sha256 FROM reads WHERE scene_image_sha256 IS NOT NULL)").rowcount
    conn.execute("DELETE FROM purge_ids")
    return PurgeReport(cutoff, reads, images, hits, kept, removed_at)

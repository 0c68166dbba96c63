"""Retention certificates: what each purge removed and kept, written in the purge's transaction.

After a purge nothing in the store shows what was there. The certificate is the custodian's
record of it (Calabasas policy V, Civil Code 1798.90.51(b)): reads removed by local day, the
oldest read left, the holds that kept reads past retention (case and reason) and, for the city
server's tombstones, whether every read the server purged is gone here too. It is a row of
``retention_certificates`` and a ``retention_certificate`` access-log entry with the same detail,
committed with the deletion itself, so no purge goes without its certificate and the chain
vouches for it. Days and counts only: no read id, no plate.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, replace
from zoneinfo import ZoneInfo

from .. import accesslog, sync_apply, timefmt
from ..accesslog import Actor
from ..digests import unpacked
from ..retention import HELD, PurgeReport, buckets

SOURCES = {"purge": "purge by the custodian", "startup": "purge at start-up",
           "sync": "the city server's purge (tombstones), applied by a sync"}


@dataclass(frozen=True)
class HoldKept:
    hold_id: int
    case_number: str
    kind: str
    reason: str
    reads: int


@dataclass(frozen=True)
class TombstoneCheck:
    """The city server's tombstones of one sync batch against what this store held."""

    received: int           # reads the tombstones named
    removed: int            # removed here now
    absent: int             # not here before (never synced, or gone already)
    kept_by_hold: int       # kept here under an active hold
    left: int               # still here without a hold after the batch: 0 when all is well

    @property
    def matches(self) -> bool:
        return self.left == 0


@dataclass(frozen=True)
class Certificate:
    id: int
    seq: int                # the access-log entry that carries it
    made_at: int
    source: str
    username: str
    cutoff: int | None
    retention_days: int
    reads: int
    images: int
    hits: int
    kept_by_hold: int
    oldest_left: int | None
    by_day: tuple[tuple[str, int], ...]
    holds_kept: tuple[HoldKept, ...]
    tombstones: TombstoneCheck | None

    def detail(self) -> dict:
        """What the table's detail column and the log entry hold beyond the counts."""
        return {"by_day": dict(self.by_day), "holds_kept": [asdict(h) for h in self.holds_kept],
                "tombstones": asdict(self.tombstones) if self.tombstones else None}

    def log_detail(self) -> dict:
        return {"certificate_id": self.id, "source": self.source,
                "cutoff": accesslog.utc_now_iso(self.cutoff) if self.cutoff is not None else None,
                "retention_days": self.retention_days, "reads": self.reads, "images": self.images,
                "hits": self.hits, "kept_by_hold": self.kept_by_hold,
                "oldest_left": (accesslog.utc_now_iso(self.oldest_left)
                                if self.oldest_left is not None else None),
                **self.detail(),
                "tombstones_match": self.tombstones.matches if self.tombstones else None}


_COLUMNS = ("id, seq, made_at, source, username, cutoff, retention_days, reads, images, hits, "
            "kept_by_hold, oldest_left, detail")


def _from_row(row: tuple) -> Certificate:
    d = json.loads(row[12])
    tomb = d.get("tombstones")
    return Certificate(*row[:12], tuple(d["by_day"].items()),  # type: ignore[call-arg]  # a row unpacked positionally
                       tuple(HoldKept(**h) for h in d["holds_kept"]),
                       TombstoneCheck(**tomb) if tomb else None)


def by_day(quarter_hours: tuple[tuple[int, int], ...], tz: ZoneInfo) -> tuple[tuple[str, int], ...]:
    """Counts by quarter-hour folded into counts by local day (the profile's zone)."""
    days: Counter[str] = Counter()
    for start, n in quarter_hours:
        days[timefmt.local(start, tz).date().isoformat()] += n
    return tuple(sorted(days.items()))


def holds_keeping(conn, where: str, params: tuple = ()) -> tuple[HoldKept, ...]:
    """Active holds keeping reads that ``where`` (on reads ``r``) selects."""
    rows = conn.execute(
        "SELECT h.id, h.case_number, h.kind, h.reason, count(*) FROM holds h "
        "JOIN hold_reads hr ON hr.hold_id = h.id JOIN reads r ON r.id = hr.read_id "
        f"WHERE h.released_at IS NULL AND {where} GROUP BY h.id ORDER BY h.id", params).fetchall()
    return tuple(HoldKept(*r) for r in rows)


def oldest_read(conn) -> int | None:
    return conn.execute("SELECT min(read_at) FROM reads").fetchone()[0]


def _write(conn, now: float, actor: Actor, cert: Certificate) -> Certificate:
    """The row, then the entry naming it, then the row's link to the entry."""
    cur = conn.execute(
        f"INSERT INTO retention_certificates({_COLUMNS}) VALUES (NULL,0,?,?,?,?,?,?,?,?,?,?,?)",
        (cert.made_at, cert.source, cert.username, cert.cutoff, cert.retention_days, cert.reads,
         cert.images, cert.hits, cert.kept_by_hold, cert.oldest_left, json.dumps(cert.detail())))
    cert = replace(cert, id=cur.lastrowid)
    seq = accesslog.append(conn, now, actor, "retention_certificate", detail=cert.log_detail())
    conn.execute("UPDATE retention_certificates SET seq = ? WHERE id = ?", (seq, cert.id))
    return replace(cert, seq=seq)


def certify_purge(conn, now: float, actor: Actor, source: str, report: PurgeReport,
                  retention_days: int, tz: ZoneInfo) -> Certificate:
    """The certificate of a retention purge just run in ``conn``'s transaction."""
    holds = holds_keeping(conn, "r.read_at < ?", (report.cutoff,))
    cert = Certificate(0, 0, int(now), source, actor.username, report.cutoff, retention_days,
                       report.reads, report.images, report.hits, report.kept_by_hold,
                       oldest_read(conn), by_day(report.removed_at, tz), holds, None)
    return _write(conn, now, actor, cert)


def apply_tombstones(conn, now: float, actor: Actor, read_ids: list[int], retention_days: int,
                     tz: ZoneInfo) -> int:
    """Remove the reads the city server purged (not those held here) and certify it: what was
    removed, what a hold kept, and whether anything the server purged is still here."""
    ids = json.dumps(sorted(set(read_ids)))
    named = "id IN (SELECT value FROM json_each(?))"
    present = conn.execute(f"SELECT count(*) FROM reads WHERE {named}", (ids,)).fetchone()[0]
    due = f"{named} AND id NOT IN ({HELD})"
    removed_at = buckets(conn, due, (ids,))
    hits = conn.execute(f"SELECT count(*) FROM hits WHERE read_id IN (SELECT id FROM reads WHERE {due})",
                        (ids,)).fetchone()[0]
    shas = json.dumps([unpacked(s) for row in conn.execute(
        f"SELECT plate_image_sha256, scene_image_sha256 FROM reads WHERE {due}", (ids,)) for s in row if s])
    removed = sync_apply.remove_reads(conn, read_ids)
    images = conn.execute("SELECT count(DISTINCT value) FROM json_each(?) WHERE unhex(value) NOT IN "
                          "(SELECT sha256 FROM images)", (shas,)).fetchone()[0]
    holds = holds_keeping(conn, f"r.{named}", (ids,))
    kept = conn.execute(f"SELECT count(*) FROM reads WHERE {named} AND id IN ({HELD})", (ids,)).fetchone()[0]
    left = conn.execute(f"SELECT count(*) FROM reads WHERE {due}", (ids,)).fetchone()[0]
    check = TombstoneCheck(len(set(read_ids)), removed, len(set(read_ids)) - present, kept, left)
    cert = Certificate(0, 0, int(now), "sync", actor.username, None, retention_days, removed, images,
                       hits, kept, oldest_read(conn), by_day(removed_at, tz), holds, check)
    _write(conn, now, actor, cert)
    return removed


def load(conn, certificate_id: int) -> Certificate | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM retention_certificates WHERE id = ?",
                       (certificate_id,)).fetchone()
    return _from_row(row) if row else None


def newest(conn, limit: int = 500) -> list[Certificate]:
    return [_from_row(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM retention_certificates ORDER BY id DESC LIMIT ?", (limit,))]

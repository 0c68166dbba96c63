"""The transparency report's figures (Calabasas policy III(g)): counts anyone can re-check.

Every figure about use (searches by purpose, dispositions, releases by agency, holds, purges,
audit reviews, refusals) is counted from the access log alone, over the entries of the period
up to one entry, the *head* the report names (``alpr-log-anchor:seq:hash``). The hash of that
entry commits to every entry before it, so whoever is given the log later can rebuild the
prefix, check that it ends in that hash and count again (``transparency_verify.py``). The few
figures about the store as it stood (cameras, reads kept, holds in force, hits by hotlist) are
recorded in the report's own access-log entry, written before the file; the check reads them
from there. No figure holds a plate, a read id or a case number.

The counts are SQL over a table ``access_log`` with the store's columns, so the same queries
run on the encrypted store and on a log exported as CSV and loaded into memory.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

from .. import accesslog, timefmt
from ..errors import ValidationError
from ..policy import PolicyProfile

DATA_ACTIONS = ("search", "search_page", "view", "view_image", "analysis", "export", "print",
                "release_aggregate")


@dataclass(frozen=True)
class Period:
    start: int              # Unix seconds, inclusive
    end: int                # exclusive
    label: str              # "March 2026" or "2026-03-01 to 2026-03-15"

    @property
    def iso(self) -> tuple[str, str]:
        """The bounds as the log writes its times (compared as text)."""
        return accesslog.utc_now_iso(self.start), accesslog.utc_now_iso(self.end)


def month(year: int, month_no: int, tz: ZoneInfo) -> Period:
    """A calendar month in the profile's zone."""
    if not 1 <= month_no <= 12 or not 2000 <= year <= 2100:
        raise ValidationError(f"{year}-{month_no:02d} is not a month this report can cover.")
    nxt = (year + month_no // 12, month_no % 12 + 1)
    return Period(timefmt.wall_to_ts(year, month_no, 1, 0, 0, tz),
                  timefmt.wall_to_ts(nxt[0], nxt[1], 1, 0, 0, tz),
                  date(year, month_no, 1).strftime("%B %Y"))


def days(first: date, last: date, tz: ZoneInfo) -> Period:
    """From the start of ``first`` to the end of ``last`` (local days, both included)."""
    if last < first:
        raise ValidationError(f"The period ends ({last}) before it starts ({first}).")
    after = date.fromordinal(last.toordinal() + 1)
    return Period(timefmt.wall_to_ts(first.year, first.month, first.day, 0, 0, tz),
                  timefmt.wall_to_ts(after.year, after.month, after.day, 0, 0, tz),
                  f"{first.isoformat()} to {last.isoformat()}")


@dataclass(frozen=True)
class LogFigures:
    """What the access log says about the period (re-countable from the log)."""

    accesses: dict[str, int]                 # data actions by name
    searches_by_purpose: dict[str, int]
    dispositions: dict[str, int]             # hit dispositions recorded, by disposition
    new_hits: int                            # hits the syncs made
    releases: dict[str, dict[str, int]]      # recipient agency -> {"full": n, "aggregate": n}
    internal_exports: int
    holds: dict[str, int]                    # placed, reads_placed, released, reads_released
    purges: dict[str, int]                   # runs, reads, images, hits, server_purges, server_reads, certificates
    audit_reviews: dict[str, int]            # audit_review* / audit_signoff* entries by action
    denied: int


@dataclass(frozen=True)
class StoreFigures:
    """The store as it stood when the report was made (recorded in the report's log entry)."""

    cameras: int
    reads_kept: int
    oldest_read: str | None                  # local date
    active_holds: int
    reads_held: int
    hits: dict[str, dict[str, int]]          # hotlist -> disposition ("open" if none) -> hits


@dataclass(frozen=True)
class Figures:
    period_start: str
    period_end: str
    through_seq: int
    through_hash: str
    log: LogFigures
    store: StoreFigures

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> Figures:
        return cls(d["period_start"], d["period_end"], int(d["through_seq"]), d["through_hash"],
                   LogFigures(**d["log"]), StoreFigures(**d["store"]))

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: what the PDF carries and the log entry records."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PolicyText:
    """The policy in force, as the report prints it."""

    agency: str
    name: str
    reference: str
    statute: str
    retention_days: int
    retention_basis: str
    purposes: list[list[str]]                # [code, label]

    @classmethod
    def of(cls, p: PolicyProfile) -> PolicyText:
        return cls(p.agency, p.name, p.policy_reference, p.statute, p.retention_days,
                   p.retention_basis, [[x.code, x.label] for x in p.purposes])


_IN = "action = ? AND ts >= ? AND ts < ? AND seq <= ?"


def _by(conn, action: str, key: str, bounds: tuple) -> dict[str, int]:
    rows = conn.execute(f"SELECT coalesce({key}, '(none)'), count(*) FROM access_log WHERE {_IN} "
                        "GROUP BY 1 ORDER BY 1", (action, *bounds)).fetchall()
    return {str(k): n for k, n in rows}


def _sum(conn, action: str, expr: str, bounds: tuple, where: str = "1") -> int:
    return conn.execute(f"SELECT coalesce(sum({expr}), 0) FROM access_log WHERE {_IN} AND {where}",
                        (action, *bounds)).fetchone()[0]


def _releases(conn, bounds: tuple) -> dict[str, dict[str, int]]:
    """Releases under a written request, by the agency the request named."""
    out: dict[str, dict[str, int]] = {}
    for action, kind in (("export", "full"), ("release_aggregate", "aggregate")):
        rows = conn.execute(
            "SELECT coalesce((SELECT json_extract(r.query, '$.agency') FROM access_log r WHERE "
            "r.action = 'release_request' AND r.seq <= e.seq AND json_extract(r.detail, "
            "'$.request_id') = json_extract(e.detail, '$.release_request')), "
            "json_extract(e.detail, '$.recipient'), '(unknown)'), count(*) FROM access_log e "
            f"WHERE e.{_IN.replace(' AND ', ' AND e.')} AND json_extract(e.detail, "
            "'$.release_request') IS NOT NULL GROUP BY 1", (action, *bounds)).fetchall()
        for agency, n in rows:
            out.setdefault(str(agency), {"full": 0, "aggregate": 0})[kind] += n
    return dict(sorted(out.items()))


def log_figures(conn, start: str, end: str, through_seq: int) -> LogFigures:
    """Count the entries from ``start`` to ``end`` (log times) up to ``through_seq``, action by
    action (each count reads only that action's entries of the period, by its index)."""
    b = (start, end, through_seq)
    accesses = {a: n for a in DATA_ACTIONS if (n := _sum(conn, a, "1", b))}
    holds = {"placed": _sum(conn, "hold_place", "1", b),
             "reads_placed": _sum(conn, "hold_place", "json_extract(detail, '$.reads')", b),
             "released": _sum(conn, "hold_release", "1", b),
             "reads_released": _sum(conn, "hold_release", "json_array_length(result_ids)", b)}
    server = "json_extract(detail, '$.source') = 'sync'"
    purges = {"runs": _sum(conn, "purge", "1", b),
              "reads": _sum(conn, "purge", "json_extract(detail, '$.reads')", b),
              "images": _sum(conn, "purge", "json_extract(detail, '$.images')", b),
              "hits": _sum(conn, "purge", "json_extract(detail, '$.hits')", b),
              "server_purges": _sum(conn, "retention_certificate", "1", b, server),
              "server_reads": _sum(conn, "retention_certificate", "json_extract(detail, '$.reads')", b, server),
              "certificates": _sum(conn, "retention_certificate", "1", b)}
    reviews = dict(conn.execute(
        "SELECT action, count(*) FROM access_log WHERE (action GLOB 'audit_review*' OR action GLOB "
        "'audit_signoff*') AND ts >= ? AND ts < ? AND seq <= ? GROUP BY 1 ORDER BY 1", b).fetchall())
    return LogFigures(
        accesses, _by(conn, "search", "purpose", b),
        _by(conn, "hit_disposition", "json_extract(detail, '$.disposition')", b),
        _sum(conn, "sync", "json_extract(detail, '$.hits')", b), _releases(conn, b),
        _sum(conn, "export", "1", b, "json_extract(detail, '$.release_request') IS NULL"),
        holds, purges, reviews, _sum(conn, "denied", "1", b))


def store_figures(conn, period: Period, tz: ZoneInfo) -> StoreFigures:
    oldest = conn.execute("SELECT min(read_at) FROM reads").fetchone()[0]
    hits: dict[str, dict[str, int]] = {}
    for name, disposition, n in conn.execute(
            "SELECT l.name, coalesce(h.disposition, 'open'), count(*) FROM hits h "
            "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id "
            "WHERE h.created_at >= ? AND h.created_at < ? GROUP BY 1, 2 ORDER BY 1, 2",
            (period.start, period.end)):
        hits.setdefault(name, {})[disposition] = n
    return StoreFigures(
        conn.execute("SELECT count(*) FROM cameras").fetchone()[0],
        conn.execute("SELECT count(*) FROM reads").fetchone()[0],
        timefmt.local(oldest, tz).date().isoformat() if oldest is not None else None,
        conn.execute("SELECT count(*) FROM holds WHERE released_at IS NULL").fetchone()[0],
        conn.execute("SELECT count(DISTINCT hr.read_id) FROM hold_reads hr JOIN holds h ON "
                     "h.id = hr.hold_id WHERE h.released_at IS NULL").fetchone()[0],
        hits)


def figures(conn, period: Period, tz: ZoneInfo) -> Figures:
    """All the figures, in one read of the store, up to the log's head at that moment."""
    seq, digest = accesslog.head(conn)
    start, end = period.iso
    return Figures(start, end, seq, digest, log_figures(conn, start, end, seq),
                   store_figures(conn, period, tz))


@dataclass(frozen=True)
class Report:
    """Everything one report page shows: the policy, who made it, and the figures."""

    policy: PolicyText
    period_label: str
    generated: str              # local time, as printed
    prepared_by: str            # role title and agency (the user name is in the log entry)
    workstation: str
    figures: Figures

    def to_json(self) -> dict:
        return {"policy": asdict(self.policy), "period_label": self.period_label,
                "generated": self.generated, "prepared_by": self.prepared_by,
                "workstation": self.workstation, "figures": self.figures.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> Report:
        return cls(PolicyText(**d["policy"]), d["period_label"], d["generated"], d["prepared_by"],
                   d["workstation"], Figures.from_json(d["figures"]))

    @property
    def anchor(self) -> str:
        return f"alpr-log-anchor:{self.figures.through_seq}:{self.figures.through_hash}"

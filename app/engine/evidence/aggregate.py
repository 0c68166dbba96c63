"""Counts-only releases for public agencies outside law enforcement.

Calabasas, "Releasing ALPR data": such a release "will be limited to the quantity of license
plates in a given period of time at a particular location, and the number of hits in that
same chronological period for a specific offense requested. No license plate numbers, or
images". So this report has one row per location and nothing that names a vehicle.

Nor may a count single one out: the period is at least an hour (``MIN_PERIOD``), and every
count under the profile's threshold (``aggregate_min_count``, for example 5) is written as
"fewer than 5". Totals are then given as the range the rows allow, so no small count can be
worked out by subtracting the rows from a total.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

from ..errors import ValidationError
from .content import local_iso, utc_iso

MIN_PERIOD = 3600                       # seconds: a shorter period could single out one vehicle
DEFAULT_MIN_COUNT = 5


@dataclass(frozen=True)
class AggregateQuery:
    start: int                          # Unix seconds UTC, inclusive
    end: int                            # exclusive
    sites: tuple[str, ...] = ()         # empty: every site
    offense: str | None = None          # hot-list kind counted as hits (stolen, wanted, ...); None: all
    cameras: tuple[str, ...] = ()       # empty: every camera (of the sites)

    def check(self) -> AggregateQuery:
        if self.end <= self.start:
            raise ValidationError("The period of an aggregate release must end after it starts.")
        if self.end - self.start < MIN_PERIOD:
            raise ValidationError(
                "The period of an aggregate release must cover at least an hour, so that its "
                f"counts cannot single out one vehicle; this one covers {self.end - self.start} seconds.")
        return self


@dataclass(frozen=True)
class AggregateRow:
    site: str
    camera_id: str
    camera_name: str
    reads: int
    distinct_plates: int
    hits: int


def aggregate(conn, q: AggregateQuery) -> list[AggregateRow]:
    """Per camera: reads, distinct plates and hits (of the offense) in the period."""
    q.check()
    site_filter = (f"AND c.site IN ({','.join('?' * len(q.sites))})" if q.sites else "")
    camera_filter = (f"AND c.id IN ({','.join('?' * len(q.cameras))})" if q.cameras else "")
    hit_kind = "AND l.kind = ?" if q.offense else ""
    params = ([q.offense] if q.offense else []) + [q.start, q.end, *q.sites, *q.cameras]   # SQL text order
    rows = conn.execute(
        "SELECT c.site, c.id, c.name, count(r.id), count(DISTINCT r.plate), "
        "coalesce(sum((SELECT count(*) FROM hits h JOIN hotlist_entries e ON e.id = h.entry_id "
        f"JOIN hotlists l ON l.id = e.hotlist_id WHERE h.read_id = r.id {hit_kind})), 0) "
        "FROM cameras c LEFT JOIN reads r ON r.camera_id = c.id AND r.read_at >= ? AND r.read_at < ? "
        f"WHERE 1 = 1 {site_filter} {camera_filter} GROUP BY c.id ORDER BY c.site, c.id",
        params).fetchall()
    if q.sites and not rows:
        raise ValidationError(f"No cameras at the site(s) {', '.join(q.sites)}.")
    if q.cameras and not rows:
        raise ValidationError(f"No camera {', '.join(q.cameras)} (at the sites asked for).")
    return [AggregateRow(*r) for r in rows]


def shown(count: int, min_count: int) -> int | str:
    """A count as released: under the threshold it is only "fewer than N"."""
    return count if count >= min_count else f"fewer than {min_count}"


def shown_total(counts: list[int], min_count: int) -> int | str:
    """A total that reveals no more than the rows: exact where no row was held back, else the
    range the rows allow (each held-back row is 0 to N-1)."""
    low = sum(c for c in counts if c >= min_count)
    held_back = sum(1 for c in counts if c < min_count)
    if not held_back:
        return low
    high = low + held_back * (min_count - 1)
    return f"fewer than {min_count}" if high < min_count else f"{low} to {high}"


def small_counts_note(min_count: int) -> str:
    return (f"Counts under {min_count} are shown as \"fewer than {min_count}\" and totals as the "
            "range the rows allow, so that no count singles out a vehicle.")


def aggregate_csv(rows: list[AggregateRow], q: AggregateQuery,
                  min_count: int = DEFAULT_MIN_COUNT) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["period_start_utc", "period_end_utc", "period_start_local", "period_end_local",
                "site", "camera_id", "camera_name", "reads", "distinct_plates",
                f"hits_{q.offense or 'all_offenses'}"])
    for r in rows:
        w.writerow([utc_iso(q.start), utc_iso(q.end), local_iso(q.start), local_iso(q.end),
                    r.site, r.camera_id, r.camera_name, shown(r.reads, min_count),
                    shown(r.distinct_plates, min_count), shown(r.hits, min_count)])
    return buf.getvalue().encode("utf-8")


def aggregate_json(header: dict, rows: list[AggregateRow], q: AggregateQuery,
                   min_count: int = DEFAULT_MIN_COUNT) -> bytes:
    doc = {"package": header, "period": {"start_utc": utc_iso(q.start), "end_utc": utc_iso(q.end),
                                         "start_local": local_iso(q.start), "end_local": local_iso(q.end)},
           "sites": list(q.sites) or "all", "cameras": list(q.cameras) or "all",
           "offense": q.offense or "all hot-list kinds",
           "note": "Counts only: no license plate numbers and no images (aggregate release).",
           "small_counts": small_counts_note(min_count), "min_count": min_count,
           "rows": [{**asdict(r), "reads": shown(r.reads, min_count),
                     "distinct_plates": shown(r.distinct_plates, min_count),
                     "hits": shown(r.hits, min_count)} for r in rows],
           "totals": {"reads": shown_total([r.reads for r in rows], min_count),
                      "hits": shown_total([r.hits for r in rows], min_count)}}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

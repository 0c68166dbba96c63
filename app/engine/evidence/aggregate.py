"""Counts-only releases for public agencies outside law enforcement.

Calabasas, "Releasing ALPR data": such a release "will be limited to the quantity of license
plates in a given period of time at a particular location, and the number of hits in that
same chronological period for a specific offense requested. No license plate numbers, or
images". So this report has one row per location and nothing that names a vehicle.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

from ..errors import ValidationError
from .content import local_iso, utc_iso


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


def aggregate_csv(rows: list[AggregateRow], q: AggregateQuery) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["period_start_utc", "period_end_utc", "period_start_local", "period_end_local",
                "site", "camera_id", "camera_name", "reads", "distinct_plates",
                f"hits_{q.offense or 'all_offenses'}"])
    for r in rows:
        w.writerow([utc_iso(q.start), utc_iso(q.end), local_iso(q.start), local_iso(q.end),
                    r.site, r.camera_id, r.camera_name, r.reads, r.distinct_plates, r.hits])
    return buf.getvalue().encode("utf-8")


def aggregate_json(header: dict, rows: list[AggregateRow], q: AggregateQuery) -> bytes:
    doc = {"package": header, "period": {"start_utc": utc_iso(q.start), "end_utc": utc_iso(q.end),
                                         "start_local": local_iso(q.start), "end_local": local_iso(q.end)},
           "sites": list(q.sites) or "all", "cameras": list(q.cameras) or "all",
           "offense": q.offense or "all hot-list kinds",
           "note": "Counts only: no license plate numbers and no images (aggregate release).",
           "rows": [asdict(r) for r in rows],
           "totals": {"reads": sum(r.reads for r in rows), "hits": sum(r.hits for r in rows)}}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

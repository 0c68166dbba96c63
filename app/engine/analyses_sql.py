"""The queries behind each analysis, as plain functions of a connection and a checked query.

Each one leans on an existing index so it stays fast on a store of a million reads:
stakeout and convoy probe reads(camera_id, read_at) per place or per target read, locate
uses the plate index, the camera map counts inside reads(camera_id, read_at) only, and the
clone check makes one index-only EXISTS probe of reads(plate, read_at) per read (measured
faster than a self-join or a LAG() window; see bench/analyses.py). No extra index is needed.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator

from .analyses_types import (CameraCount, CameraMapQuery, CameraMapResult, CameraVolume, CloneFlag,
                             CloneQuery, CloneResult, Companion, ConvoyQuery, ConvoyResult,
                             LocateQuery, LocateResult, StakeoutPlate, StakeoutQuery,
                             StakeoutResult, local_time)
from .errors import ValidationError
from .geo import haversine_km
from .search import ROW_SQL, ReadRow, row_from

_CHUNK = 900                            # ids per IN (...) list, under SQLite's variable limit
DAY = 86400


def rows_by_id(conn, ids: list[int]) -> dict[int, ReadRow]:
    out: dict[int, ReadRow] = {}
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        for t in conn.execute(f"{ROW_SQL} WHERE r.id IN ({','.join('?' * len(part))})", part):
            out[t[0]] = row_from(t)
    return out


def place_cameras(conn, index: int, cameras: tuple[str, ...], sites: tuple[str, ...]) -> list[str]:
    """Camera ids of a place; sites are expanded to their cameras (the cameras table is small)."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for cid, site in conn.execute("SELECT id, site FROM cameras"):
        by_site[site].append(cid)
    known = {c for ids in by_site.values() for c in ids}
    for c in cameras:
        if c not in known:
            raise ValidationError(f"Place {index + 1}: there is no camera {c!r} on this workstation.")
    for s in sites:
        if s not in by_site:
            raise ValidationError(f"Place {index + 1}: there is no site {s!r} on this workstation.")
    return sorted(set(cameras) | {c for s in sites for c in by_site[s]})


def stakeout(conn, q: StakeoutQuery, cams: list[list[str]]) -> StakeoutResult:
    seen: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for idx, (place, ids) in enumerate(zip(q.places, cams)):
        marks = ",".join("?" * len(ids))
        for rid, plate in conn.execute(
                f"SELECT id, plate FROM reads WHERE camera_id IN ({marks}) AND read_at >= ? "
                "AND read_at < ?", [*ids, place.start, place.end]):
            seen[plate][idx].append(rid)
    matched = sorted(((p, by) for p, by in seen.items() if len(by) >= q.min_places),
                     key=lambda pb: (-len(pb[1]), pb[0]))
    kept = matched[:q.limit]
    rows = rows_by_id(conn, [rid for _p, by in kept for ids in by.values() for rid in ids])
    plates = [StakeoutPlate(p, tuple(sorted(by)),
                            tuple(sorted((rows[i] for ids in by.values() for i in ids),
                                         key=lambda r: (r.read_at, r.id))))
              for p, by in kept]
    return StakeoutResult(q, plates, len(matched) > len(kept))


def _time_conds(start: int | None, end: int | None, col: str = "r.read_at") -> tuple[str, list]:
    conds, params = [], []
    if start is not None:
        conds.append(f" AND {col} >= ?")
        params.append(start)
    if end is not None:
        conds.append(f" AND {col} < ?")
        params.append(end)
    return "".join(conds), params


def locate(conn, q: LocateQuery) -> LocateResult:
    cond, params = _time_conds(q.start, q.end)
    reads = [row_from(t) for t in conn.execute(
        f"{ROW_SQL} WHERE (r.plate = ? OR r.original_plate = ?){cond} ORDER BY r.read_at DESC, r.id DESC",
        [q.plate, q.plate, *params])]
    hours, days = [0] * 24, [0] * 7
    per_cam: dict[str, list[ReadRow]] = defaultdict(list)
    for r in reads:
        t = local_time(r.read_at)
        hours[t.hour] += 1
        days[t.weekday()] += 1
        per_cam[r.camera_id].append(r)
    cameras = sorted((CameraCount(c, rs[0].camera_name, rs[0].site, len(rs), rs[0].read_at)
                      for c, rs in per_cam.items()), key=lambda c: (-c.count, c.camera_id))
    return LocateResult(q, cameras, tuple(hours), tuple(days), reads)


def convoy(conn, q: ConvoyQuery) -> ConvoyResult:
    targets = [row_from(t) for t in conn.execute(
        f"{ROW_SQL} WHERE r.plate = ? AND r.read_at >= ? AND r.read_at < ? ORDER BY r.read_at",
        (q.plate, q.start, q.end))]
    with_target: dict[str, set[int]] = defaultdict(set)       # plate -> target read ids
    cams: dict[str, set[str]] = defaultdict(set)
    their: dict[str, set[int]] = defaultdict(set)
    for t in targets:
        for rid, plate in conn.execute(
                "SELECT id, plate FROM reads INDEXED BY reads_camera_time WHERE camera_id = ? "
                "AND read_at BETWEEN ? AND ? AND plate != ?",
                (t.camera_id, t.read_at - q.window_s, t.read_at + q.window_s, q.plate)):
            with_target[plate].add(t.id)
            cams[plate].add(t.camera_id)
            their[plate].add(rid)
    ranked = sorted((p for p in with_target if len(cams[p]) >= q.min_cameras),
                    key=lambda p: (-len(with_target[p]), -len(cams[p]), p))[:q.limit]
    rows = rows_by_id(conn, [i for p in ranked for i in their[p]])
    companions = [Companion(p, len(with_target[p]), tuple(sorted(cams[p])),
                            tuple(sorted((rows[i] for i in their[p]), key=lambda r: (r.read_at, r.id))))
                  for p in ranked]
    return ConvoyResult(q, targets, companions)


def clones(conn, q: CloneQuery) -> CloneResult:
    coords = {c: (lat, lon) for c, lat, lon in conn.execute("SELECT id, lat, lon FROM cameras")
              if lat is not None and lon is not None}
    missing = sorted(c for (c,) in conn.execute("SELECT id FROM cameras WHERE lat IS NULL OR lon IS NULL"))
    pts = list(coords.values())
    widest = max((haversine_km(*a, *b) for i, a in enumerate(pts) for b in pts[i + 1:]), default=0.0)
    # Beyond this gap even the two farthest cameras are reachable, so SQL drops those pairs.
    max_gap = int(widest / q.max_kmh * 3600) - q.slack_s + 1
    if max_gap <= 0:
        return CloneResult(q, [], False, missing)
    found = []
    spans = _spans_by_time(conn, q, max_gap) if _short(conn, q) else _spans_by_plate(conn, q, max_gap)
    for plate, reads in spans:
        for (pid, pat, pcam), (rid, at, cam) in zip(reads, reads[1:]):
            if cam == pcam or cam not in coords or pcam not in coords:
                continue
            d = haversine_km(*coords[pcam], *coords[cam])
            if d > q.max_kmh * (at - pat + q.slack_s) / 3600:
                found.append((plate, pid, rid, d, at - pat))
    found.sort(key=lambda f: (-(f[3] / f[4] if f[4] else float("inf")), f[0]))
    kept = found[:q.limit]
    rows = rows_by_id(conn, [i for f in kept for i in (f[1], f[2])])
    flags = [CloneFlag(p, rows[a], rows[b], round(d, 3), s, d / s * 3600 if s else float("inf"))
             for p, a, b, d, s in kept]
    return CloneResult(q, flags, len(found) > len(kept), missing)


def _short(conn, q: CloneQuery) -> bool:
    """Whether the period is short enough to check in memory: under a fiftieth of the store's
    span (7 days of two years: 1%; at 20 million reads 30 days took 2.3 s so, walking the plate
    index 1 s), and not one plate's check (its index finds it directly)."""
    if q.plate:
        return False
    # one aggregate a query: SQLite answers a lone min() or max() from the index's end, but
    # both in one query by walking the whole index
    first, last = conn.execute("SELECT (SELECT min(read_at) FROM reads), (SELECT max(read_at) FROM reads)").fetchone()
    if first is None:
        return False
    return (min(q.end, last + 1) - max(q.start, first)) * 50 < last + 1 - first


Span = tuple[str, list[tuple[int, int, str]]]          # a plate and its reads (id, time, camera)


def _spans_by_time(conn, q: CloneQuery, max_gap: int) -> Iterator[Span]:
    """The spans of :func:`_spans_by_plate`, found in memory from the period's reads (and those
    up to max_gap after it), read once in time order: they lie together in the table (the city
    server numbers reads as they arrive), where probing the plate index for each read in time
    order would read its pages at random, and without a plate that index is the whole store."""
    rows = conn.execute("SELECT plate, read_at, id, camera_id FROM reads INDEXED BY reads_time "
                        "WHERE read_at >= ? AND read_at < ?", (q.start, q.end + max_gap)).fetchall()
    rows.sort()
    # a read with another of its plate up to max_gap later: in (plate, time, id) order, the next
    # row (the last of reads at one time starts where the others did, so it adds no span)
    starts: dict[str, list[int]] = defaultdict(list)
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0] and b[1] < a[1] + max_gap and a[1] < q.end:
            starts[a[0]].append(a[1])
    for plate, times in starts.items():
        first = bisect.bisect_left(rows, (plate,))
        for lo, hi in _merge(times, max_gap):
            at = bisect.bisect_left(rows, (plate, lo), first)
            reads = []
            while at < len(rows) and rows[at][0] == plate and rows[at][1] < hi:
                reads.append((rows[at][2], rows[at][1], rows[at][3]))
                at += 1
            yield plate, reads


def _spans_by_plate(conn, q: CloneQuery, max_gap: int) -> Iterator[Span]:
    """(plate, reads) for each time span holding every pair of one plate's reads closer than
    max_gap: all the places an impossible journey can hide.

    One EXISTS probe of reads(plate, read_at) per read of the period, walking that index in
    order and touching no table row, finds the reads followed by another read of their plate
    within max_gap; their windows, merged per plate, are the spans.
    """
    plate_cond = " AND a.plate = ?" if q.plate else ""
    starts: dict[str, list[int]] = defaultdict(list)
    for plate, at in conn.execute(
            "SELECT a.plate, a.read_at FROM reads a INDEXED BY reads_plate "
            f"WHERE a.read_at >= ? AND a.read_at < ?{plate_cond} AND EXISTS (SELECT 1 FROM reads b "
            "INDEXED BY reads_plate WHERE b.plate = a.plate AND b.read_at >= a.read_at "
            "AND b.read_at < a.read_at + ? AND b.id != a.id)",
            [q.start, q.end] + ([q.plate] if q.plate else []) + [max_gap]):
        starts[plate].append(at)
    for plate, times in starts.items():
        for lo, hi in _merge(sorted(times), max_gap):
            yield plate, conn.execute(
                "SELECT id, read_at, camera_id FROM reads INDEXED BY reads_plate "
                "WHERE plate = ? AND read_at >= ? AND read_at < ? ORDER BY read_at, id", (plate, lo, hi)).fetchall()


def _merge(times: list[int], max_gap: int) -> Iterator[tuple[int, int]]:
    """[t, t + max_gap) for each time (in order), overlapping ones merged."""
    if not times:
        return
    lo, hi = times[0], times[0] + max_gap
    for t in times[1:]:
        if t > hi:
            yield lo, hi
            lo = t
        hi = max(hi, t + max_gap)
    yield lo, hi


def camera_map(conn, q: CameraMapQuery) -> CameraMapResult:
    count, params = _camera_count(q.start, q.end)
    rows = conn.execute(
        f"SELECT c.id, c.name, c.site, c.lat, c.lon, c.direction, {count} FROM cameras c ORDER BY c.id",
        params).fetchall()
    out_cond, out_params = _outage_conds(q.start, q.end)
    outages: dict[str, list[tuple[int, int | None, str]]] = {}
    for cam, start, end, reason in conn.execute(
            f"SELECT camera_id, started_at, ended_at, reason FROM camera_outages WHERE 1 = 1{out_cond} "
            "ORDER BY camera_id, started_at", out_params):
        outages.setdefault(cam, []).append((start, end, reason))
    return CameraMapResult(q, [CameraVolume(t[0], t[1], t[2], t[3], t[4], t[5], t[6], tuple(outages.get(t[0], ())))
                                 for t in rows])


def _camera_count(start: int | None, end: int | None) -> tuple[str, list]:
    """SQL for the reads of camera ``c.id`` in [start, end): the whole UTC days from
    ``camera_days`` (0015), the partial days at either end from the reads' camera index."""
    first = None if start is None else -(-start // DAY)      # the first whole day
    stop = None if end is None else end // DAY              # the day after the last whole one
    if first is not None and stop is not None and first >= stop:
        cond, params = _time_conds(start, end)
        return f"(SELECT count(*) FROM reads r WHERE r.camera_id = c.id{cond})", params
    days, params = "(SELECT coalesce(sum(d.reads), 0) FROM camera_days d WHERE d.camera_id = c.id", []
    for op, day in ((">=", first), ("<", stop)):
        if day is not None:
            days += f" AND d.day {op} ?"
            params.append(day)
    parts = [days + ")"]
    for lo, hi in ((start, None if first is None else first * DAY), (None if stop is None else stop * DAY, end)):
        if lo is not None and hi is not None and lo < hi:
            parts.append("(SELECT count(*) FROM reads r WHERE r.camera_id = c.id AND r.read_at >= ? "
                         "AND r.read_at < ?)")
            params += [lo, hi]
    return " + ".join(parts), params


def _outage_conds(start: int | None, end: int | None) -> tuple[str, list]:
    """Outages that overlap the period (an open one lasts until now)."""
    cond, params = "", []
    if start is not None:
        cond += " AND (ended_at IS NULL OR ended_at >= ?)"
        params.append(start)
    if end is not None:
        cond += " AND started_at <= ?"
        params.append(end)
    return cond, params

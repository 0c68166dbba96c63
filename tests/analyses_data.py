"""Reads with known answers for the analysis tests (engine, CLI and GUI share them)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.engine.analyses_types import LOCAL_TZ
from tests.conftest import insert_reads

FAR_CAMERA = ("CAM-FAR-E", "I-10 eastbound, Pomona", "Pomona / I-10", 34.1436, -117.8361, "E")
DAY = 86400


@dataclass(frozen=True)
class Known:
    base: int                   # start of the test's data, ten days ago
    stakeout_places: list[tuple[str, str, int, int]]    # (kind, id, start, end)
    convoy_start: int
    clone_start: int
    locate_monday: int          # local midnight of the Monday the locate reads start


def load(ws, now: float) -> Known:
    with ws.store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                     "VALUES (?,?,?,?,?,?)",
                     FAR_CAMERA)
        conn.execute("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                     "VALUES ('CAM-NOGPS', 'Parking lot (no GPS)', 'Civic Center lot', NULL, NULL, NULL)")
    base = int(now) - 10 * DAY
    base -= base % 3600
    reads: list[tuple[int, str, int, str, float]] = []
    # Stakeout: P1 = camera CAM-LV-N, P2 = camera CAM-CC-E, P3 = the Mulholland site, one hour each.
    p1, p2, p3 = base, base + DAY, base + 2 * DAY
    reads += [(101, "3OF3AAA", p1 + 60, "CAM-LV-N", 0.9), (102, "3OF3AAA", p2 + 120, "CAM-CC-E", 0.9),
              (103, "3OF3AAA", p3 + 180, "CAM-MP-W", 0.9), (104, "2OF3BBB", p1 + 600, "CAM-LV-N", 0.9),
              (105, "2OF3BBB", p3 + 900, "CAM-MP-W", 0.9), (106, "1OF3CCC", p2 + 300, "CAM-CC-E", 0.9),
              (107, "1OF3CCC", p1 + 7200, "CAM-LV-N", 0.9),       # outside P1's window
              (108, "2OF3BBB", p2 + 300, "CAM-LV-S", 0.9)]        # P2's time but another camera
    # Convoy: the target at 4 cameras, a companion beside it each time, a decoy at 1 camera only.
    c0 = base + 4 * DAY
    for i, cam in enumerate(["CAM-LV-N", "CAM-CC-E", "CAM-MP-W", "CAM-LV-S"]):
        t = c0 + i * 900
        reads += [(200 + i, "TGT1234", t, cam, 0.95), (210 + i, "PAL5678", t + 15 - 10 * (i % 2), cam, 0.9)]
    reads += [(220, "DEC0001", c0 + 10, "CAM-LV-N", 0.9), (221, "LATE999", c0 + 400, "CAM-LV-N", 0.9),
              (222, "DEC0001", c0 + 3 * DAY // 4, "CAM-CC-E", 0.9)]
    # Clones: one plate 80 km apart in 10 minutes; plausible trips that must not be flagged.
    k0 = base + 6 * DAY
    reads += [(301, "CLN4321", k0, "CAM-LV-N", 0.93), (302, "CLN4321", k0 + 600, "CAM-FAR-E", 0.91),
              (303, "OKTRIP1", k0, "CAM-LV-N", 0.9), (304, "OKTRIP1", k0 + 1200, "CAM-CC-E", 0.9),
              (305, "OKPAIR2", k0, "CAM-LV-N", 0.9), (306, "OKPAIR2", k0 + 5, "CAM-LV-S", 0.9),
              (307, "OKTRIP1", k0 + 1300, "CAM-NOGPS", 0.9)]
    # Locate: Monday 08:15, Tuesday 08:40 at CAM-LV-N, Wednesday 17:05 at CAM-CC-E (local time).
    d = datetime.fromtimestamp(base - 7 * DAY, LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = d - timedelta(days=d.weekday())
    for rid, (day, hh, mm, cam) in zip((401, 402, 403), ((0, 8, 15, "CAM-LV-N"), (1, 8, 40, "CAM-LV-N"),
                                                         (2, 17, 5, "CAM-CC-E"))):
        when = (monday + timedelta(days=day)).replace(hour=hh, minute=mm)
        reads.append((rid, "LOC0001", int(when.timestamp()), cam, 0.9))
    insert_reads(ws, reads)
    return Known(base, [("camera", "CAM-LV-N", p1, p1 + 3600), ("camera", "CAM-CC-E", p2, p2 + 3600),
                        ("site", "Mulholland / Old Topanga", p3, p3 + 3600)],
                 c0 - 3600, k0 - 60, int(monday.timestamp()))

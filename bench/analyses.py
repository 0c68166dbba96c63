"""Time each investigative analysis on a store of 1,000,000 demo-city reads.

Run:  scripts/with-keyring .venv/bin/python bench/analyses.py [--reads 1000000] [--days 90]

The store is a real encrypted Workstation store filled by direct inserts (bench/analyses_city.py),
and every analysis goes through ``ws.analyses`` with its guard and access-log entry, as the
GUI calls it. Each is run three times and the median reported (the first run also warms the
page cache). Side by side in the same run, the cloned-plate check's first pass is timed
as the index-only EXISTS probe the engine uses and as a self-join that tests cameras in SQL
(which must read table rows). A LAG() window over reads(plate, read_at) was slower still
(9 s on 1M reads, 5x the self-join) and is not repeated here. Goal: each analysis
under 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from analyses_city import DAY, fill  # noqa: E402

from app.engine.analyses_types import (CameraMapQuery, CloneQuery, ConvoyQuery,  # noqa: E402
                                       LocateQuery, Place, StakeoutQuery)
from app.engine.workstation import Workstation  # noqa: E402
from tests.conftest import Clock, People  # noqa: E402

RUNS = 3


def found(plates, planted: str) -> str:
    return "found" if planted in set(plates) else "MISSING"


def timed(fn) -> tuple[float, object]:
    times, res = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), res


PAIRS_EXISTS = ("SELECT count(*) FROM reads a INDEXED BY reads_plate "
                "WHERE a.read_at >= ?2 AND a.read_at < ?3 "
                "AND EXISTS (SELECT 1 FROM reads b INDEXED BY reads_plate WHERE b.plate = a.plate "
                "AND b.read_at >= a.read_at AND b.read_at < a.read_at + ?1 AND b.id != a.id)")
PAIRS_JOIN = ("SELECT count(*) FROM reads a INDEXED BY reads_plate JOIN reads b INDEXED BY reads_plate "
              "ON b.plate = a.plate AND b.read_at >= a.read_at AND b.read_at < a.read_at + ?1 "
              "AND (b.read_at > a.read_at OR b.id > a.id) AND b.camera_id != a.camera_id "
              "WHERE a.read_at >= ?2 AND a.read_at < ?3")


def clone_scan(ws, sql: str, start: int, end: int, gap: int) -> float:
    """The clone check's first pass alone, in one of two formulations."""
    t0 = time.perf_counter()
    ws.store.query(sql, (gap, start, end))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--dir", help="folder for the store (default: a new temporary folder)")
    args = ap.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="alpr-bench-analyses-"))
    clock = Clock()
    ws = Workstation.create(folder / "store", "calabasas", clock)
    people = People(ws, clock)
    s = people.user("bench", "prosecutor")
    end = int(clock()) // DAY * DAY
    print(f"Filling an encrypted store with {args.reads:,} reads over {args.days} days...", flush=True)
    t0 = time.perf_counter()
    k = fill(ws, args.reads, args.days, end)
    n = ws.store.query_one("SELECT count(*) FROM reads")[0]
    print(f"  {n:,} reads in {time.perf_counter() - t0:.1f} s\n", flush=True)
    ws.store.checkpoint()

    a = ws.analyses
    busiest = ws.store.query_one("SELECT plate FROM reads GROUP BY plate ORDER BY count(*) DESC LIMIT 1")[0]
    week = (end - 7 * DAY, end)
    cases = [
        ("stakeout, 3 sites x 2 h, K=2", lambda: a.stakeout(s, StakeoutQuery(
            tuple(Place(st, en, sites=(site,)) for site, st, en in k.stakeout), 2)),
         lambda r: f"{len(r.plates)} plates, 7STK001 {found((p.plate for p in r.plates), '7STK001')}"),
        ("stakeout, 3 sites x 24 h, K=3", lambda: a.stakeout(s, StakeoutQuery(
            tuple(Place(st - 11 * 3600, st + 13 * 3600, sites=(site,)) for site, st, _e in k.stakeout), 3)),
         lambda r: f"{len(r.plates)} plates"),
        ("locate commuter, all time", lambda: a.locate(s, LocateQuery(k.locate)),
         lambda r: f"{len(r.reads)} reads at {len(r.cameras)} cameras"),
        (f"locate busiest plate ({busiest})", lambda: a.locate(s, LocateQuery(busiest)),
         lambda r: f"{len(r.reads)} reads"),
        ("convoy 10 days, 60 s, M=2", lambda: a.convoy(s, ConvoyQuery(*k.convoy, 60, 2)),
         lambda r: f"{len(r.companions)} companions, first {r.companions[0].plate if r.companions else '-'}"),
        ("convoy busiest plate, 30 days",
         lambda: a.convoy(s, ConvoyQuery(busiest, end - 30 * DAY, end, 60, 2)),
         lambda r: f"{len(r.target_reads)} target reads, {len(r.companions)} companions"),
        ("clones, last 7 days", lambda: a.clones(s, CloneQuery(*week)),
         lambda r: f"{len(r.flags)} pairs, 5CLN777 {found((f.plate for f in r.flags), '5CLN777')}"),
        (f"clones, all {args.days} days", lambda: a.clones(s, CloneQuery(k.start, end + DAY)),
         lambda r: f"{len(r.flags)} pairs"),
        ("camera map, 1 day", lambda: a.camera_map(s, CameraMapQuery(end - DAY, end)),
         lambda r: f"{r.total:,} reads"),
        (f"camera map, all {args.days} days", lambda: a.camera_map(s, CameraMapQuery(k.start, end + DAY)),
         lambda r: f"{r.total:,} reads"),
    ]
    print(f"{'analysis (median of 3, logged)':40}{'seconds':>9}   result")
    worst = 0.0
    for name, fn, describe in cases:
        secs, res = timed(fn)
        worst = max(worst, secs)
        print(f"{name:40}{secs:9.3f}   {describe(res)}", flush=True)

    print("\nCloned-plate first pass (reads of a plate within 300 s of each other), all days, side by side:")
    gap = 300
    exists = statistics.median(clone_scan(ws, PAIRS_EXISTS, k.start, end + DAY, gap) for _ in range(RUNS))
    join = statistics.median(clone_scan(ws, PAIRS_JOIN, k.start, end + DAY, gap) for _ in range(RUNS))
    print(f"  index-only EXISTS probe per read (used)           {exists:7.3f} s")
    print(f"  self-join with the camera test in SQL             {join:7.3f} s   ratio {join / exists:.1f}x")
    print(f"\nSlowest analysis: {worst:.3f} s (goal: each under 1 s) on {n:,} reads.")
    ws.close()


if __name__ == "__main__":
    main()

"""Time the parking engine on a year of one large facility (2,000 spaces).

Run:  scripts/with-keyring .venv/bin/python bench/parking.py [--stays-per-day 2050]

A real encrypted store under the LA Metro profile is filled by direct inserts with a year of
entry and exit reads at one facility (about 1.5 million reads; 2% of exits misread by one
confusable character). Then, through ``ws.parking`` with its guard and access-log entries:
building the stays from scratch (goal under 30 s), importing and reconciling one day of
5,000 transactions (goal under 2 s), and the occupancy of a few days across the year (goal
under 200 ms each). Figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.parking import facilities  # noqa: E402
from app.engine.parking.facilities import Facility, Rule, Zone  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from tests.conftest import Clock, People  # noqa: E402

TZ = ZoneInfo("America/Los_Angeles")
FIRST = date(2025, 3, 1)
DAYS = 365
FAC = Facility("BIG", "Bench Park & Ride", 2000, ("BIG-IN",), ("BIG-OUT",), {}, (Zone("GEN", "General"),),
               (Rule(time_limit_minutes=1440, grace_minutes=30, hourly_cents=100, daily_max_cents=500),), 96)
CONFUSE = {"8": "B", "B": "8", "0": "O", "O": "0", "5": "S", "S": "5"}


def plate(rng: random.Random) -> str:
    return (str(rng.randint(5, 9)) + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
            + f"{rng.randint(0, 999):03d}")


def fill(ws: Workstation, per_day: int) -> tuple[int, dict[date, list[tuple[str, int, int]]]]:
    """A year of reads; returns the count and, for a few days, (plate, in, out) to pay for."""
    rng = random.Random(18)
    fleet = [plate(rng) for _ in range(6000)]
    rows, keep, rid = [], {}, 1
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO cameras(id, name, site) VALUES (?,?,?)",
                         [("BIG-IN", "entry", "Bench P&R"), ("BIG-OUT", "exit", "Bench P&R")])
        facilities.apply_rows(conn, [(FAC.id, FAC.name, FAC.capacity, FAC.to_spec(), 1)])
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        day0 = int(datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp())
        todays = []
        for p in rng.sample(fleet, per_day):
            t_in = day0 + int(rng.uniform(5, 11) * 3600)
            t_out = t_in + int(rng.uniform(0.3, 12) * 3600)
            seen = p
            if rng.random() < 0.02:
                spots = [i for i, c in enumerate(p) if c in CONFUSE]
                if spots:
                    i = spots[0]
                    seen = p[:i] + CONFUSE[p[i]] + p[i + 1:]
            rows += [(rid, p, t_in, "BIG-IN"),
                     (rid + 1, seen, t_out, "BIG-OUT")]
            rid += 2
            todays.append((p, t_in, t_out))
        if d in (100, 200, 300):
            keep[day] = todays
        if len(rows) > 200_000 or d == DAYS - 1:
            with ws.store.transaction() as conn:
                conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, "
                                 "confidence, vendor) VALUES (?,?,?,?,0.9,'Bench')", rows)
            rows = []
    return rid - 1, keep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stays-per-day", type=int, default=2050)
    args = ap.parse_args()
    end = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=TZ).timestamp() + DAYS * 86400
    clock = Clock(end)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workstation.create(Path(tmp) / "store", "lametro-parking", clock)
        t = time.perf_counter()
        n, keep = fill(ws, args.stays_per_day)
        print(f"store filled: {n:,} reads in {time.perf_counter() - t:.1f} s")
        people = People(ws, clock)
        s = people.user("ops", "operations", purpose=False)
        ws.set_purpose(s, "OCCUPANCY", "PRK-20260001")
        t = time.perf_counter()
        ws.parking.occupancy(s, "BIG", FIRST)                # the first call builds every stay
        with ws.store.reading() as conn:
            stays = conn.execute("SELECT count(*), count(exit_plate) FROM parking_stays").fetchone()
        print(f"stays built: {stays[0]:,} ({stays[1]:,} paired across a misread exit) in "
              f"{time.perf_counter() - t:.1f} s  (goal < 30 s)")
        for day in keep:
            t = time.perf_counter()
            occ, _live = ws.parking.occupancy(s, "BIG", day)
            print(f"occupancy {day}: peak {occ.peak} in {1000 * (time.perf_counter() - t):.0f} ms  "
                  "(goal < 200 ms)")
        day, todays = next(iter(keep.items()))
        rng = random.Random(5)
        csv_path = Path(tmp) / "transactions.csv"
        lines = ["plate,start,end,amount,method"]
        for i in range(5000):
            p, t_in, t_out = todays[i % len(todays)] if i < 4600 else (plate(rng), 0, 0)
            if not t_in:
                t_in = int(datetime(day.year, day.month, day.day, 9, tzinfo=TZ).timestamp())
                t_out = t_in + 3600
            lines.append(f"{p},{datetime.fromtimestamp(t_in, TZ).isoformat()},"
                         f"{datetime.fromtimestamp(t_out, TZ).isoformat()},{rng.choice(['3.00', '5.00'])},card")
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        ws.set_purpose(s, "REVENUE", "PRK-20260001")
        t = time.perf_counter()
        rep = ws.parking.import_payments(s, "BIG", csv_path)
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        rec = ws.parking.reconcile(s, "BIG", day)
        t_rec = time.perf_counter() - t
        print(f"reconciliation of {day}: {rep.accepted:,} transactions imported in {t_import:.2f} s, "
              f"{rec.totals.stays:,} stays and {len(rec.orphans):,} payments without a stay "
              f"reconciled in {t_rec:.2f} s; together {t_import + t_rec:.2f} s  (goal < 2 s)")
        ws.close()


if __name__ == "__main__":
    main()

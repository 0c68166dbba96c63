"""The LA Metro demo: park-and-ride facilities and a week of their traffic.

Three facilities with entry, exit and permit-level cameras. Commuters park on weekdays from
the morning rush to the evening one; a few stay overnight or for days (overstays), a few use
the permit level without a permit, a few leave again within the grace period. Drops are
rendered like the city demo's, one car per stay (so a stay's reads show the same vehicle,
and a few come without a plate read or misread). Beside them, the operator's files: permits, and each day's
transactions, with some stays unpaid, some paid wrong and some payments for no stay.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.engine.parking.facilities import Facility, Rule, Zone

from ..model import Camera, ParkingFacility
from .generate import _render_all, ca_plate

RULE = Rule(time_limit_minutes=1440, grace_minutes=30, days=(0, 1, 2, 3, 4), hours=(4, 22),
            daily_max_cents=300)
ZONES = (Zone("GEN", "General parking"), Zone("PRM", "Permit parking (level 2)", permit_only=True))
SITES = [("NOHO", "North Hollywood Station Park & Ride", 120, 34.1686, -118.3767),
         ("UNIV", "Universal City/Studio City Station Park & Ride", 80, 34.1397, -118.3625),
         ("ELM", "El Monte Station Park & Ride", 160, 34.0766, -118.0389)]


def facilities() -> list[tuple[Facility, list[Camera]]]:
    out = []
    for fid, name, cap, lat, lon in SITES:
        cams = [Camera(f"{fid}-IN", f"{name}: entry lane", name, lat, lon, "IN"),
                Camera(f"{fid}-OUT", f"{name}: exit lane", name, lat + 0.0004, lon, "OUT"),
                Camera(f"{fid}-P2", f"{name}: permit level", name, lat + 0.0002, lon + 0.0003, "P")]
        out.append((Facility(fid, name, cap, (cams[0].id,), (cams[1].id,), {cams[2].id: "PRM"},
                             ZONES, (RULE,), max_stay_hours=96), cams))
    return out


def server_rows() -> tuple[list[Camera], list[ParkingFacility]]:
    pairs = facilities()
    return ([c for _f, cams in pairs for c in cams],
            [ParkingFacility(f.id, f.name, f.capacity, f.to_spec()) for f, _c in pairs])


@dataclass
class ParkingPlan:
    drops: int = 0
    stays: list[tuple[str, str, int, int | None]] = field(default_factory=list)  # fac, plate, in, out
    permits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)    # fac -> (plate, no)


def generate(folder: Path, days: int, end: int, seed: int = 2026) -> ParkingPlan:
    """Drops for ``days`` days ending at ``end`` (UTC seconds) into ``folder``."""
    rng = np.random.default_rng(seed)
    plan = ParkingPlan()
    jobs: list[tuple] = []
    start = end - days * 86400
    for fid, _name, cap, *_ in SITES:
        regulars = [ca_plate(rng) for _ in range(int(cap * 0.5))]
        holders = regulars[: max(3, len(regulars) // 10)]
        plan.permits[fid] = [(p, f"M-{fid}-{i:04d}") for i, p in enumerate(holders)]
        for day in range(days + 1):
            day0 = start - start % 86400 + day * 86400
            weekday = datetime.fromtimestamp(day0 + 8 * 3600, timezone.utc).weekday() < 5
            cars = [p for p in regulars if rng.random() < (0.8 if weekday else 0.15)]
            cars += [ca_plate(rng) for _ in range(int(rng.integers(5, 15)))]
            for plate in cars:
                t_in = day0 + int((6 + rng.gamma(2.0, 0.8) + 8) * 3600)          # Pacific morning
                roll = rng.random()
                stay_h = (rng.uniform(26, 60) if roll < 0.04 else rng.uniform(0.1, 0.4)
                          if roll < 0.08 else rng.uniform(8, 11))
                t_out: int | None = t_in + int(stay_h * 3600)
                if t_out is not None and t_out > end:
                    t_out = None                                              # still parked
                if t_in > end or t_in <= start:
                    continue
                plan.stays.append((fid, plate, t_in, t_out))
                # One render seed per stay: the same car at the entry, the exit and the permit level.
                stay = len(plan.stays)
                jobs.append((stay, t_in, plate, "California", f"{fid}-IN"))
                if t_out is not None:
                    jobs.append((stay, t_out, plate, "California", f"{fid}-OUT"))
                if plate in holders or rng.random() < 0.03:                   # the permit level
                    jobs.append((stay, t_in + 1800, plate, "California", f"{fid}-P2"))
    _render_all(folder, seed, jobs, None)
    plan.drops = len(jobs)
    return plan


def write_operator_files(plan: ParkingPlan, folder: Path, seed: int = 7) -> dict[str, list[Path]]:
    """Per facility: a permits CSV and one transactions CSV per day with payments (most right,
    some missing, some wrong, some typed with a wrong plate, a few for no stay at all)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for fid, *_ in SITES:
        permits = folder / f"{fid}-permits.csv"
        with open(permits, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["plate", "zone", "valid_from", "valid_until", "permit"])
            w.writerows([(p, "PRM", "2026-01-01", "2026-12-31", n) for p, n in plan.permits[fid]])
        holders = {p for p, _n in plan.permits[fid]}
        by_day: dict[str, list[list[str]]] = {}
        for f, plate, t_in, t_out in plan.stays:
            if f != fid or t_out is None or plate in holders or t_out - t_in < 1800:
                continue
            roll = rng.random()
            if roll < 0.08:
                continue                                                      # unpaid
            amount = 300 * (1 + (t_out - t_in) // 86400)
            amount = 100 if roll < 0.13 else 600 if roll < 0.16 else amount   # under / over
            if roll > 0.97:
                plate = plate[:-1] + ("8" if plate[-1] == "B" else "B" if plate[-1] == "8" else plate[-1])
            day = datetime.fromtimestamp(t_in - 8 * 3600, timezone.utc).date().isoformat()
            by_day.setdefault(day, []).append([plate, _iso(t_in), _iso(t_out), f"{amount / 100:.2f}",
                                               str(rng.choice(["card", "app", "cash"]))])
        out[fid] = [permits]
        for day, rows in sorted(by_day.items()):
            rows.append([ca_plate(rng), f"{day} 09:00", f"{day} 17:00", "3.00", "app"])  # no stay
            path = folder / f"{fid}-transactions-{day}.csv"
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["License Plate", "Start Time", "End Time", "Amount", "Payment Method"])
                w.writerows(rows)
            out[fid].append(path)
    return out


def _iso(ts: int) -> str:
    """Pacific standard wall time, as the pay stations print it (with its offset)."""
    return datetime.fromtimestamp(ts - 8 * 3600, timezone.utc).strftime("%Y-%m-%d %H:%M") + "-08:00"

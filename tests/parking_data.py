"""A small LA Metro facility with a known day of traffic, for the parking tests.

Wednesday 4 March 2026 (Pacific): each plate below is a case the rules must get right; the
expected status and amounts are written out here, by hand, so the tests compare the engine
with numbers it did not compute.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.engine.parking import facilities
from app.engine.parking.facilities import Facility, Rule, Zone
from app.engine.workstation import Workstation

from .conftest import Clock, People

TZ = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 3, 4)                      # a Wednesday
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=TZ).timestamp()
FACILITY = Facility(
    "NHO", "North Hollywood Station Park & Ride", 40, ("NHO-IN",), ("NHO-OUT",), {"NHO-P": "PRM"},
    (Zone("GEN", "General parking"), Zone("PRM", "Permit parking", permit_only=True)),
    (Rule(time_limit_minutes=720, grace_minutes=15, days=(0, 1, 2, 3, 4), hours=(5, 22),
          hourly_cents=100, daily_max_cents=300),), max_stay_hours=48)
CAMERAS = [("NHO-IN", "NoHo P&R entry lane", "North Hollywood P&R"),
           ("NHO-OUT", "NoHo P&R exit lane", "North Hollywood P&R"),
           ("NHO-P", "NoHo P&R permit level", "North Hollywood P&R")]


def at(hh: int, mm: int = 0, d: date = DAY) -> int:
    return int(datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).timestamp())


# (plate, entry, exit or None, exit plate as read, expected status, due cents, paid cents)
STAYS = [
    ("7ABC123", at(8), at(9, 30), "7A8C123", "paid", 200, 200),         # misread at exit
    ("8XYZ999", at(7), at(20, 30), None, "paid", 300, 300),             # overstay
    ("5KLM456", at(10), at(12), None, "unpaid", 200, 0),                # no payment
    ("6PRM777", at(6), at(18), None, "unpaid", 300, 0),                 # no permit (and no payment)
    ("6PER888", at(6), at(18), None, "permit", 0, 0),                   # permit holder
    ("7UND111", at(8), at(11), None, "underpaid", 300, 100),
    ("7OVR222", at(12), at(12, 30), None, "overpaid", 100, 300),
    ("7GRC333", at(13), at(13, 10), None, "free", 0, 0),                # within the grace period
    ("5TYP555", at(14), at(16), None, "paid", 200, 200),                # payment typed 5TYP55S
    ("4DUP444", at(9), at(10), None, "paid", 100, 100),                 # an earlier entry unpaired
    ("3OPN333", at(11), None, None, "open", 0, 0),                      # no exit yet
]
SATURDAY = ("9SAT000", at(10, d=date(2026, 3, 7)), at(23, 59, d=date(2026, 3, 7)))
PATROL = [("6PRM777", at(9)), ("6PER888", at(9, 5))]
EXTRA = [("4DUP444", at(8), "NHO-IN"), ("2GHO222", at(15), "NHO-OUT")]     # unpaired
PAYMENTS_CSV = """License Plate,Start Time,End Time,Amount,Payment Method
7ABC123,2026-03-04 08:00,2026-03-04 10:00,$2.00,card
8XYZ999,03/04/2026 07:00,03/04/2026 21:00,3.00,app
7UND111,2026-03-04 08:00,2026-03-04 09:00,1.00,cash
7OVR222,2026-03-04 12:00,2026-03-04 15:00,3.00,card
5TYP55S,2026-03-04 14:00,2026-03-04 16:00,2.00,app
4DUP444,2026-03-04 09:00,2026-03-04 10:30,1.00,card
1NOS999,2026-03-04 10:00,2026-03-04 12:00,3.00,card
NOT A PLATE!,2026-03-04 10:00,2026-03-04 12:00,3.00,card
7ABC123,2026-03-04 12:00,2026-03-04 10:00,3.00,card
7ABC123,2026-03-04 12:00,2026-03-04 13:00,three dollars,card
"""
PAYMENT_REJECTS = 3
UNMATCHED = [("1NOS999", 300)]
PERMITS_CSV = """plate,zone,valid_from,valid_until,permit
6PER888,PRM,2026-03-01,2026-03-31,M-0001
7ABC123,NOPE,2026-03-01,2026-03-31,M-0002
"""


def build(ws: Workstation) -> None:
    """Cameras, the facility (as a sync would bring it) and the reads, straight into the store."""
    rows, n = [], 1000
    for plate, entry, exit_, exit_plate, *_ in STAYS:
        rows.append((n, plate, entry, "NHO-IN"))
        if exit_ is not None:
            rows.append((n + 1, exit_plate or plate, exit_, "NHO-OUT"))
        n += 10
    rows += [(n, SATURDAY[0], SATURDAY[1], "NHO-IN"), (n + 1, SATURDAY[0], SATURDAY[2], "NHO-OUT")]
    n += 10
    for i, (plate, when) in enumerate(PATROL + [(p, t) for p, t, _c in EXTRA]):
        cam = "NHO-P" if i < len(PATROL) else EXTRA[i - len(PATROL)][2]
        rows.append((n + i, plate, when, cam))
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO cameras(id, name, site) VALUES (?,?,?)", CAMERAS)
        facilities.apply_rows(conn, [(FACILITY.id, FACILITY.name, FACILITY.capacity,
                                      FACILITY.to_spec(), 1)])
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence, "
                         "vendor, ocr_plate) VALUES (?,?,?,?,0.95,'TestCam',?)",
                         [(i, p, t, c, p if i % 7 else None) for i, p, t, c in rows])


def workstation(tmp_path: Path) -> tuple[Workstation, Clock, People]:
    clock = Clock(NOW)
    ws = Workstation.create(tmp_path / "metro", "lametro-parking", clock)
    build(ws)
    return ws, clock, People(ws, clock)


def files(tmp_path: Path) -> tuple[Path, Path]:
    pay, per = tmp_path / "transactions.csv", tmp_path / "permits.csv"
    pay.write_text(PAYMENTS_CSV, encoding="utf-8")
    per.write_text(PERMITS_CSV, encoding="utf-8")
    return pay, per

"""Occupancy: how many vehicles a facility holds, now and hour by hour, against its capacity.

Counts only, never plates: this is what the operations role and the public availability
signs need (policy section 4(3)). A stay whose exit read is missing counts as present for
the facility's ``max_stay_hours`` after its entry, not for ever. A day is read through the
(facility, entry time) index, looking back only as far as the longest stay, so any day of a
year of data takes milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .. import timefmt
from .facilities import Facility
from .rules import local_day
from .stays import span

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class DayOccupancy:
    facility_id: str
    capacity: int
    day: date
    by_hour: tuple[int, ...]        # the most vehicles present during each local hour
    entries: int
    exits: int

    @property
    def peak(self) -> int:
        return max(self.by_hour, default=0)


@dataclass(frozen=True)
class Trend:
    facility_id: str
    capacity: int
    start: date
    days: int
    by_hour: tuple[float, ...]      # mean of each hour's peak over the days
    by_weekday: tuple[float, ...]   # mean daily peak, Monday first


def day(conn, fac: Facility, when: date, tz: ZoneInfo) -> DayOccupancy:
    start, end = local_day(when, tz)
    rows = conn.execute(
        "SELECT entry_at, until_at FROM parking_stays WHERE facility_id = ? AND entry_at >= ? "
        "AND entry_at < ? AND until_at > ?", (fac.id, start - span(conn, fac.id), end, start)).fetchall()
    present = sum(1 for e, _u in rows if e < start)
    events = sorted([(e, 1) for e, _u in rows if e >= start]
                    + [(u, -1) for _e, u in rows if u < end], key=lambda ev: (ev[0], ev[1]))
    hours, i = [], 0
    for h in range(24):                         # each hour: what it starts with, and its peak
        best = present
        while i < len(events) and timefmt.local(events[i][0], tz).hour <= h:
            present += events[i][1]
            best = max(best, present)
            i += 1
        hours.append(best)
    return DayOccupancy(fac.id, fac.capacity, when, tuple(hours),
                        sum(1 for e, _u in rows if e >= start),
                        sum(1 for _e, u in rows if start <= u < end))


def live(conn, fac: Facility, now: float) -> int:
    """Vehicles present now."""
    return conn.execute("SELECT count(*) FROM parking_stays WHERE facility_id = ? AND entry_at >= ? "
                        "AND entry_at <= ? AND until_at > ?",
                        (fac.id, int(now) - span(conn, fac.id), int(now), int(now))).fetchone()[0]


def trend(conn, fac: Facility, last: date, days: int, tz: ZoneInfo) -> Trend:
    """Hour-of-day and weekday profile over ``days`` days ending with ``last``."""
    first = last - timedelta(days=days - 1)
    hours = [0.0] * 24
    week = [[0, 0] for _ in range(7)]
    for i in range(days):
        d = day(conn, fac, first + timedelta(days=i), tz)
        hours = [a + b for a, b in zip(hours, d.by_hour)]
        week[d.day.weekday()][0] += d.peak
        week[d.day.weekday()][1] += 1
    return Trend(fac.id, fac.capacity, first, days, tuple(h / days for h in hours),
                 tuple(t / n if n else 0.0 for t, n in week))

"""The fee resolution applied to stays: what was due, what was paid, and what was broken.

Each stay becomes a :class:`Finding`: the zones a patrol camera saw it in, the rules that
apply (a rule applies when the stay overlaps the days and hours it is enforced), the fee due,
the payments and permit found, and its violations:

* ``overstay``: longer than a rule's time limit plus its grace period (open stays too);
* ``no_permit``: seen in a permit-only zone with no permit for that zone covering the stay;
* ``no_payment``: a finished stay that owed a fee, with no payment and no permit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .. import timefmt
from .facilities import Facility, Rule
from .matching import (Payment, Permit, PlateIndex, load_payments, load_permits, match_payments,
                       permit_for, sightings)
from .stays import Stay

KINDS = ("overstay", "no_payment", "no_permit")


@dataclass(frozen=True)
class Violation:
    kind: str
    rule: Rule
    reason: str


@dataclass(frozen=True)
class Finding:
    stay: Stay
    zones: tuple[str, ...]
    rules: tuple[Rule, ...]
    due_cents: int
    payments: tuple[Payment, ...]
    permit: Permit | None
    violations: tuple[Violation, ...]

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)


def due_cents(rule: Rule, minutes: float) -> int:
    """The fee for a stay of ``minutes`` under ``rule``: free within the grace period, then
    per started hour up to the daily maximum, each started 24 hours again (a flat daily fee
    where there is no hourly rate)."""
    if minutes <= rule.grace_minutes or not (rule.hourly_cents or rule.daily_max_cents):
        return 0
    cap = rule.daily_max_cents or rule.hourly_cents * 24
    days, rest = divmod(minutes, 1440)

    def part(mins: float) -> int:
        return cap if not rule.hourly_cents else min(cap, math.ceil(mins / 60) * rule.hourly_cents)
    return int(days) * cap + (part(rest) if rest > 0 else 0)


def enforced(rule: Rule, start: float, end: float, tz: ZoneInfo) -> bool:
    """Whether [start, end) overlaps a day and hours the rule is enforced (local time)."""
    if rule.days == (0, 1, 2, 3, 4, 5, 6) and rule.hours == (0, 24):
        return True
    day, last = timefmt.local(start, tz).date(), timefmt.local(end, tz).date()
    while day <= last:
        if day.weekday() in rule.days:
            lo = timefmt.wall_to_ts(day.year, day.month, day.day, rule.hours[0], 0, tz)
            nxt = day + timedelta(days=1)
            hi = (timefmt.wall_to_ts(nxt.year, nxt.month, nxt.day, 0, 0, tz) if rule.hours[1] == 24
                  else timefmt.wall_to_ts(day.year, day.month, day.day, rule.hours[1], 0, tz))
            if lo < end and start < hi:
                return True
        day += timedelta(days=1)
    return False


def _h(minutes: float) -> str:
    return f"{int(minutes // 60)} h {int(minutes % 60):02d} min"


def judge(fac: Facility, stay: Stay, zones: tuple[str, ...], payments: list[Payment],
          permits: PlateIndex[Permit], now: float, tz: ZoneInfo) -> Finding:
    """Apply the facility's rules to one stay."""
    end = stay.exit_at if stay.exit_at is not None else now
    minutes = stay.minutes(now)
    rules = tuple(r for r in fac.rules if (r.zone is None or r.zone in zones)
                  and enforced(r, stay.entry_at, max(end, stay.entry_at + 1), tz))
    found: list[Violation] = []
    for r in rules:
        if r.time_limit_minutes is not None and minutes > r.time_limit_minutes + r.grace_minutes:
            found.append(Violation("overstay", r, f"stayed {_h(minutes)} against a limit of "
                                   f"{_h(r.time_limit_minutes)} plus {r.grace_minutes} min grace"))
    any_permit = permit_for(stay, permits, None, now)
    for z in zones:
        zone = fac.zone(z)
        if zone is not None and zone.permit_only and permit_for(stay, permits, z, now) is None:
            rule = next((r for r in rules if r.zone == z), Rule(zone=z))
            found.append(Violation("no_permit", rule, f"seen in permit-only zone {z} ({zone.name}) "
                                   "with no permit for it valid for the whole stay"))
    fee_rule = next((r for r in sorted(rules, key=lambda r: r.zone is None)
                     if r.hourly_cents or r.daily_max_cents), None)
    due = due_cents(fee_rule, minutes) if fee_rule and any_permit is None else 0
    if fee_rule and due and not payments and stay.exit_at is not None:
        found.append(Violation("no_payment", fee_rule, f"owed ${due / 100:.2f} for {_h(minutes)}; "
                               "no payment and no permit found"))
    return Finding(stay, zones, rules, due, tuple(payments), any_permit, tuple(found))


def findings(conn, fac: Facility, stays: list[Stay], now: float, tz: ZoneInfo,
             payments: list[Payment] | None = None) -> tuple[list[Finding], list[Payment]]:
    """Judge these stays against the payments, permits and patrol reads held; also returns the
    payments that matched none of them. ``payments`` None: those overlapping the stays."""
    if not stays:
        return [], list(payments or [])
    start = min(s.entry_at for s in stays)
    end = int(max((s.exit_at if s.exit_at is not None else now) for s in stays)) + 1
    if payments is None:
        payments = load_payments(conn, fac.id, start - 2 * 86400, end)
    by_stay, orphans = match_payments(stays, payments, now)
    permits = PlateIndex(load_permits(conn, fac.id, start, end), lambda p: p.plate)
    seen = sightings(conn, fac.patrol_cameras, start, end)
    out = []
    for s in stays:
        stay_end = s.exit_at if s.exit_at is not None else now
        zones = tuple(sorted({z for _score, (_p, at, z) in seen.find(s.plate)
                              if s.entry_at <= at <= stay_end}))
        out.append(judge(fac, s, zones, by_stay.get(s.id, []), permits, now, tz))
    return out, orphans


def local_day(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """[start, end) of a calendar day in the profile's zone, as Unix seconds."""
    nxt = day + timedelta(days=1)
    return (timefmt.wall_to_ts(day.year, day.month, day.day, 0, 0, tz),
            timefmt.wall_to_ts(nxt.year, nxt.month, nxt.day, 0, 0, tz))

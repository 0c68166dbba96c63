"""Review periods: calendar months in the agency's zone, and which of them await a review.

A profile's ``[audit] review_interval_months`` cuts the calendar into periods counted from
January (1: each month, 3: each quarter); a period is due for review once it has ended and no
approved review of everyone's entries covers it. Months are the agency's, not UTC's: the
review of October starts at midnight of October 1st in the profile's zone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import ValidationError

SHOWN_PERIODS = 12          # the due list looks back this many periods at most


@dataclass(frozen=True)
class Period:
    start: int              # Unix seconds UTC, inclusive
    end: int                # exclusive
    label: str              # "October 2026", "Q4 2026"-like spans, or the dates on demand
    scheduled: bool


def _midnight(year: int, month: int, tz: ZoneInfo) -> int:
    return int(datetime(year, month, 1, tzinfo=tz).timestamp())


def _month_index(ts: float, tz: ZoneInfo) -> int:
    d = datetime.fromtimestamp(ts, tz)
    return d.year * 12 + d.month - 1


def _from_index(first: int, months: int, tz: ZoneInfo) -> Period:
    last = first + months - 1
    start = _midnight(first // 12, first % 12 + 1, tz)
    end = _midnight((last + 1) // 12, (last + 1) % 12 + 1, tz)
    a, b = date(first // 12, first % 12 + 1, 1), date(last // 12, last % 12 + 1, 1)
    if months == 1:
        label = f"{a:%B %Y}"
    elif a.year == b.year:
        label = f"{a:%B}-{b:%B %Y}"
    else:
        label = f"{a:%B %Y}-{b:%B %Y}"
    return Period(start, end, label, True)


def scheduled_period(ts: float, months: int, tz: ZoneInfo) -> Period:
    """The period of the schedule that holds the moment ``ts``."""
    index = _month_index(ts, tz)
    return _from_index(index - index % months, months, tz)


def ended_periods(first_ts: float, now: float, months: int, tz: ZoneInfo) -> list[Period]:
    """The schedule's periods from the one holding ``first_ts`` that have ended by ``now``,
    newest first, at most :data:`SHOWN_PERIODS`."""
    out: list[Period] = []
    p = scheduled_period(now, months, tz)
    while len(out) < SHOWN_PERIODS:
        p = scheduled_period(p.start - 1, months, tz)
        if p.end <= first_ts:
            break
        out.append(p)
    return out


def parse_month(text: str, months: int, tz: ZoneInfo) -> Period:
    """'2026-10': the scheduled period that holds that month."""
    try:
        d = datetime.strptime(text.strip(), "%Y-%m").replace(day=15, tzinfo=tz)
    except ValueError:
        raise ValidationError(f"{text[:40]!r} is not a month; write it as YYYY-MM, for example "
                              "2026-10.") from None
    return scheduled_period(d.timestamp(), months, tz)


def on_demand(start: int, end: int, tz: ZoneInfo) -> Period:
    """Any span a reviewer asks for (at most a year): labelled by its local dates."""
    if end <= start:
        raise ValidationError("The end of the review period must be after its start.")
    if end - start > 366 * 86400:
        raise ValidationError("A review covers at most a year; review a longer span in parts.")
    first = datetime.fromtimestamp(start, tz)
    last = datetime.fromtimestamp(end - 1, tz)
    label = f"{first:%Y-%m-%d %H:%M} to {last + timedelta(seconds=1):%Y-%m-%d %H:%M}"
    return Period(int(start), int(end), label, False)

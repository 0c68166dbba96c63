"""Times and speeds as the agency reads them: in the policy profile's zone, always labelled.

The store keeps Unix seconds (UTC). Whatever zone the workstation's own clock is set to, a
read is shown in the zone of the agency's policy profile (``time_zone``, e.g.
America/Los_Angeles) with the zone's abbreviation beside it, so the same read never shows
two different times on two screens. Times typed into a form are taken as wall-clock time in
that zone. Speeds follow the profile's unit (mph for US agencies).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError

DEFAULT_TIME_ZONE = "America/Los_Angeles"
SPEED_UNITS = {"mph": 1.609344, "km/h": 1.0}          # km per unit
_NAMES = {"America/Los_Angeles": "Pacific", "America/Denver": "Mountain",
          "America/Phoenix": "Arizona", "America/Chicago": "Central",
          "America/New_York": "Eastern", "America/Anchorage": "Alaska",
          "Pacific/Honolulu": "Hawaii", "UTC": "UTC", "Etc/UTC": "UTC"}


def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name`` (a tz database key); a wrong name is a sentence, not a crash."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(f"{name!r} is not a time zone name such as "
                              f"{DEFAULT_TIME_ZONE!r}.") from None


def zone_name(tz: ZoneInfo) -> str:
    """A short name for headings: 'Pacific' for America/Los_Angeles, else the city."""
    key = tz.key
    return _NAMES.get(key) or key.rsplit("/", 1)[-1].replace("_", " ")


def local(ts: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


def fmt(ts: float | None, tz: ZoneInfo, *, seconds: bool = True, label: bool = True) -> str:
    """'2026-03-05 08:37:12 PST': the time in ``tz`` with its abbreviation (PST or PDT)."""
    if ts is None:
        return "-"
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return local(ts, tz).strftime(pattern + (" %Z" if label else ""))


def fmt_utc(ts: float | None, *, seconds: bool = True) -> str:
    if ts is None:
        return "-"
    pattern = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return datetime.fromtimestamp(ts, UTC).strftime(pattern)


def fmt_iso_utc(iso: str, tz: ZoneInfo) -> str:
    """An access-log time (ISO 8601 in UTC) shown in ``tz``, labelled."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return fmt(when.timestamp(), tz)


def wall_to_ts(year: int, month: int, day: int, hour: int, minute: int, tz: ZoneInfo,
               second: int = 0) -> int:
    """A wall-clock time typed in ``tz`` as Unix seconds. In the hour that repeats when
    daylight time ends, the first (daylight) one; in the hour skipped when it starts, the
    time an hour on (what a clock set forward shows)."""
    naive = datetime(year, month, day, hour, minute, second)
    aware = naive.replace(tzinfo=tz, fold=0)
    back = datetime.fromtimestamp(aware.timestamp(), tz).replace(tzinfo=None)
    if back != naive:                       # a skipped (non-existent) time
        aware = (naive + timedelta(hours=1)).replace(tzinfo=tz, fold=0)
    return int(aware.timestamp())


def today(ts: float, tz: ZoneInfo) -> date:
    """The calendar date at ``ts`` in ``tz`` (for training dates and day boundaries)."""
    return local(ts, tz).date()


# -- speeds ----------------------------------------------------------------------------------------
def check_speed_unit(unit: str) -> str:
    if unit not in SPEED_UNITS:
        raise ValidationError(f"{unit!r} is not a speed unit; use one of {', '.join(SPEED_UNITS)}.")
    return unit


def speed_from_kmh(kmh: float, unit: str) -> float:
    return kmh / SPEED_UNITS[unit]


def speed_to_kmh(value: float, unit: str) -> float:
    return value * SPEED_UNITS[unit]


def fmt_speed(kmh: float, unit: str) -> str:
    """'84 mph'; two reads in the same second have no finite speed."""
    if kmh == float("inf"):
        return "same second"
    return f"{speed_from_kmh(kmh, unit):.0f} {unit}"


def distance_unit(unit: str) -> str:
    return "mi" if unit == "mph" else "km"


def distance_from_km(km: float, unit: str) -> float:
    return km / SPEED_UNITS[unit]

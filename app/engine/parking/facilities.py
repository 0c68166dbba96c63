"""Parking facilities as the city server defines them: capacity, zones, gate cameras, rules.

The server sends each facility as a row with a JSON ``spec`` (the way cameras come); the
workstation checks the spec here before it is kept, so a malformed definition stops the sync
with a sentence instead of producing wrong violations later. Rules follow Metro's fee
resolution: a time limit, a grace period, the days and hours it is enforced, a fee (per hour
up to a daily maximum), and zones where only permit holders may park.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import NotFound, SyncError

@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    permit_only: bool = False


@dataclass(frozen=True)
class Rule:
    """One line of the fee resolution; ``zone`` None applies to the whole facility."""

    zone: str | None = None
    time_limit_minutes: int | None = None
    grace_minutes: int = 0
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)     # Monday = 0, local time
    hours: tuple[int, int] = (0, 24)                  # enforced from, until (local hours)
    hourly_cents: int = 0
    daily_max_cents: int = 0

    def describe(self) -> str:
        where = f"zone {self.zone}" if self.zone else "whole facility"
        parts = [where]
        if self.time_limit_minutes is not None:
            parts.append(f"time limit {self.time_limit_minutes} min")
        parts.append(f"grace {self.grace_minutes} min")
        names = "Mon Tue Wed Thu Fri Sat Sun".split()
        parts.append("days " + ",".join(names[d] for d in self.days))
        parts.append(f"hours {self.hours[0]:02d}:00-{self.hours[1]:02d}:00")
        if self.hourly_cents or self.daily_max_cents:
            parts.append(f"fee ${self.hourly_cents / 100:.2f}/h, max ${self.daily_max_cents / 100:.2f}/day")
        return "; ".join(parts)


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    capacity: int
    entry_cameras: tuple[str, ...]
    exit_cameras: tuple[str, ...]
    patrol_cameras: dict[str, str] = field(default_factory=dict)     # camera -> zone it watches
    zones: tuple[Zone, ...] = ()
    rules: tuple[Rule, ...] = ()
    max_stay_hours: int = 72            # an open stay counts as present this long after entry

    @property
    def gate_cameras(self) -> tuple[str, ...]:
        return self.entry_cameras + self.exit_cameras

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def to_spec(self) -> str:
        """The JSON the city server holds for this facility."""
        return json.dumps({
            "entry_cameras": list(self.entry_cameras), "exit_cameras": list(self.exit_cameras),
            "patrol_cameras": self.patrol_cameras, "max_stay_hours": self.max_stay_hours,
            "zones": [vars(z) for z in self.zones],
            "rules": [{**vars(r), "days": list(r.days), "hours": list(r.hours)} for r in self.rules]},
            sort_keys=True)


def _ints(value, what: str, low: int, high: int) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) and low <= v <= high for v in value):
        raise ValueError(f"{what} must be a list of whole numbers from {low} to {high}")
    return tuple(value)


def _rule(raw: dict, zones: set[str]) -> Rule:
    unknown = set(raw) - set(Rule.__dataclass_fields__)
    if unknown:
        raise ValueError(f"a rule has unknown keys {sorted(unknown)}")
    rule = Rule(**{**raw, "days": _ints(raw.get("days", list(range(7))), "days", 0, 6),
                   "hours": _ints(raw.get("hours", [0, 24]), "hours", 0, 24)})
    if rule.zone is not None and rule.zone not in zones:
        raise ValueError(f"a rule names zone {rule.zone!r}, which the facility does not have")
    if len(rule.hours) != 2 or rule.hours[0] >= rule.hours[1]:
        raise ValueError("a rule's hours must be [from, until] with from before until")
    for name in ("grace_minutes", "hourly_cents", "daily_max_cents"):
        if not isinstance(getattr(rule, name), int) or getattr(rule, name) < 0:
            raise ValueError(f"a rule's {name} must be a whole number, 0 or more")
    if rule.time_limit_minutes is not None and (not isinstance(rule.time_limit_minutes, int)
                                                or rule.time_limit_minutes <= 0):
        raise ValueError("a rule's time_limit_minutes must be a whole number above 0")
    return rule


def parse(fid: str, name: str, capacity: int, spec: str) -> Facility:
    """A facility from its server row; a bad spec raises ValueError naming what is wrong."""
    raw = json.loads(spec)
    if not isinstance(raw, dict):
        raise ValueError("the spec is not a JSON object")
    if not isinstance(capacity, int) or capacity <= 0:
        raise ValueError("the capacity must be a whole number above 0")
    zones = tuple(Zone(str(z["id"]), str(z["name"]), bool(z.get("permit_only", False)))
                  for z in raw.get("zones", []))
    ids = {z.id for z in zones}
    entry, exit_ = tuple(raw.get("entry_cameras", [])), tuple(raw.get("exit_cameras", []))
    if not entry or not exit_ or not all(isinstance(c, str) for c in entry + exit_):
        raise ValueError("a facility needs at least one entry camera and one exit camera")
    patrol = raw.get("patrol_cameras", {})
    if not isinstance(patrol, dict) or any(z not in ids for z in patrol.values()):
        raise ValueError("each patrol camera must watch one of the facility's zones")
    max_stay = raw.get("max_stay_hours", 72)
    if not isinstance(max_stay, int) or not 1 <= max_stay <= 24 * 31:
        raise ValueError("max_stay_hours must be a whole number from 1 to 744")
    rules = tuple(_rule(r, ids) for r in raw.get("rules", []))
    return Facility(fid, name, capacity, entry, exit_, dict(patrol), zones, rules, max_stay)


def apply_rows(conn, rows: list[tuple]) -> None:
    """Keep the facilities a sync brought (rows in the server's FACILITY_COLUMNS order), each checked first."""
    for r in rows:
        try:
            parse(r[0], r[1], r[2], r[3])
        except (ValueError, TypeError, KeyError) as exc:
            raise SyncError(f"The city server sent a malformed parking facility {r[0]!r} ({exc}); "
                            "the batch was not applied.") from None
    conn.executemany("INSERT INTO parking_facilities(id, name, capacity, spec) VALUES (?,?,?,?) "
                     "ON CONFLICT(id) DO UPDATE SET name = excluded.name, capacity = "
                     "excluded.capacity, spec = excluded.spec", [r[:4] for r in rows])
    conn.executemany("DELETE FROM parking_builds WHERE facility_id = ?", [(r[0],) for r in rows])


def load(conn, fid: str) -> Facility:
    row = conn.execute("SELECT id, name, capacity, spec FROM parking_facilities WHERE id = ?",
                       (fid,)).fetchone()
    if row is None:
        raise NotFound(f"No parking facility {fid!r} on this workstation; sync with the city "
                       "server first.")
    return parse(*row)


def load_all(conn) -> list[Facility]:
    return [parse(*r) for r in conn.execute(
        "SELECT id, name, capacity, spec FROM parking_facilities ORDER BY name")]

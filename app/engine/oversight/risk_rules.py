"""The risk rules of an audit review: each a small function from the period's facts to flags.

The State Auditor's report 2019-118 found that none of the agencies it audited checked how
their staff searched. Each rule here names one pattern worth a person's look, and each flag
says in one sentence what was seen and lists the log entries behind it, so the reviewer can
open them and record a finding. A flag is not an accusation: most have an innocent
explanation, which the reviewer writes down. Thresholds come from the profile's ``[audit]``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from .. import timefmt
from ..policy import AuditRules
from .period_log import Entry


@dataclass(frozen=True)
class Flag:
    rule: str
    sentence: str
    seqs: tuple[int, ...]
    users: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """What the rules read: the period's entries and what the store says around them."""

    entries: list[Entry]
    rules: AuditRules
    tz: ZoneInfo
    baseline: dict[str, list[int]]                 # searches per local hour, before the period
    trained: dict[str, list[tuple[str, str]]]      # (completed_on, expires_on) per user
    data_roles: frozenset[str]                     # roles whose work needs training
    plates_with_hits: Callable[[set[str]], set[str]]
    cases_with_activity: Callable[[set[str]], set[str]]


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _names(values: Iterable[str], limit: int = 6) -> str:
    values = sorted(set(values))
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _by_user(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        out[e.username].append(e)
    return out


def _searches(f: Facts) -> list[Entry]:
    return [e for e in f.entries if e.action == "search"]


def _plate(e: Entry) -> str | None:
    """The plate a search was for (exact or similar), not a fragment or a pattern."""
    plate = e.query.get("plate")
    return plate if plate and e.query.get("mode", "exact") in ("exact", "similar") else None


def _flag(rule: str, sentence: str, rows: list[Entry]) -> Flag:
    return Flag(rule, sentence, tuple(e.seq for e in rows), tuple(sorted({e.username for e in rows})))


# -- the rules ---------------------------------------------------------------------------------
def unusual_hours(f: Facts) -> list[Flag]:
    out = []
    zone = timefmt.zone_name(f.tz)
    for user, rows in _by_user(_searches(f)).items():
        base = f.baseline.get(user, [0] * 24)
        total = sum(base)
        if total < f.rules.baseline_min_searches:
            continue                                # no usual hours to compare with yet
        # an hour and the hours either side: a 9-to-5 worker's 17:30 search is not unusual
        rare = {h for h in range(24)
                if base[h - 1] + base[h] + base[(h + 1) % 24] < f.rules.unusual_hour_share * total}
        odd = [e for e in rows if datetime.fromtimestamp(e.at, f.tz).hour in rare]
        if odd:
            hours = _names(f"{h:02d}:00" for h in {datetime.fromtimestamp(e.at, f.tz).hour for e in odd})
            out.append(_flag("unusual_hours", (
                f"{odd[0].who} made {_n(len(odd), 'search', 'searches')} at {hours} {zone} time, hours "
                f"that (with the hour either side) held under {f.rules.unusual_hour_share:.0%} of their {total} searches in the "
                f"{f.rules.baseline_days} days before the period."), odd))
    return out


def bursts(f: Facts) -> list[Flag]:
    window, need = f.rules.burst_minutes * 60, f.rules.burst_searches
    out = []
    for user_rows in _by_user(_searches(f)).values():
        rows = sorted(user_rows, key=lambda e: (e.at, e.seq))    # times as they happened
        spans: list[list[int]] = []
        first = 0
        for last in range(len(rows)):
            while rows[last].at - rows[first].at > window:
                first += 1
            if last - first + 1 >= need:
                if spans and spans[-1][1] >= first:
                    spans[-1][1] = last
                else:
                    spans.append([first, last])
        for a, b in spans:
            burst = rows[a:b + 1]
            minutes = max(1, round((burst[-1].at - burst[0].at) / 60))
            out.append(_flag("burst", (
                f"{burst[0].who} made {len(burst)} searches within {_n(minutes, 'minute')}, from "
                f"{timefmt.fmt(burst[0].at, f.tz, seconds=False)}."), burst))
    return out


def plate_by_many_users(f: Facts) -> list[Flag]:
    by_plate: dict[str, list[Entry]] = defaultdict(list)
    for e in _searches(f):
        if (plate := _plate(e)) is not None:
            by_plate[plate].append(e)
    out = []
    for plate, rows in sorted(by_plate.items()):
        users = {e.username for e in rows}
        if len(users) >= f.rules.plate_users:
            out.append(_flag("plate_users", (
                f"Plate {plate} was searched by {len(users)} different users ({_names(users)}), "
                f"{_n(len(rows), 'search', 'searches')} in all."), rows))
    return out


def plate_searched_again(f: Facts) -> list[Flag]:
    pairs: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in _searches(f):
        if (plate := _plate(e)) is not None:
            pairs[(e.username, plate)].append(e)
    often = {k: v for k, v in pairs.items() if len(v) >= f.rules.repeat_searches}
    if not often:
        return []
    hit = f.plates_with_hits({p for _u, p in often})
    active = f.cases_with_activity({e.case_number for v in often.values() for e in v if e.case_number})
    out = []
    for (_user, plate), rows in sorted(often.items()):
        cases = {e.case_number for e in rows if e.case_number}
        if plate in hit or cases & active:
            continue
        out.append(_flag("plate_repeat", (
            f"{rows[0].who} searched plate {plate} {len(rows)} times under case {_names(cases) or 'none'}, "
            "with no hot-list hit on it and no hold or export under that case."), rows))
    return out


def case_under_several_purposes(f: Facts) -> list[Flag]:
    by_case: dict[str, list[Entry]] = defaultdict(list)
    for e in f.entries:
        if e.action == "purpose_set" and e.case_number and e.purpose:
            by_case[e.case_number].append(e)
    out = []
    for case, rows in sorted(by_case.items()):
        purposes = {e.purpose for e in rows if e.purpose}
        if len(purposes) > 1:
            out.append(_flag("case_purposes", (
                f"Case {case} was declared under {len(purposes)} different purposes "
                f"({_names(purposes)}) by {_names(e.username for e in rows)}."), rows))
    return out


def plateless_searches(f: Facts) -> list[Flag]:
    out = []
    for rows in _by_user(e for e in _searches(f) if not e.query.get("plate")).values():
        places = {str(x) for e in rows for x in (e.query.get("cameras") or []) + (e.query.get("sites") or [])}
        out.append(_flag("plateless", (
            f"{rows[0].who} ran {_n(len(rows), 'search', 'searches')} by camera or site alone, with no "
            f"plate ({_names(places) or 'every camera'})."), rows))
    return out


_OUT = {"export": "evidence package", "print": "printed report", "audit_export": "access-log export"}


def data_taken_out(f: Facts) -> list[Flag]:
    out = []
    for rows in _by_user(e for e in f.entries if e.action in _OUT).values():
        kinds: dict[str, int] = defaultdict(int)
        for e in rows:
            kinds[e.action] += 1
        what = ", ".join(_n(n, _OUT[a]) for a, n in sorted(kinds.items()))
        out.append(_flag("exports", f"{rows[0].who} took data out of the workstation: {what}.", rows))
    return out


def releases(f: Facts) -> list[Flag]:
    out = []
    for e in f.entries:
        if e.action == "release_aggregate" or (e.action == "export" and e.detail.get("release_request")):
            out.append(_flag("release", f"{e.who} released data to another agency under release "
                                        f"request #{e.detail.get('release_request', '?')}.", [e]))
        elif e.action in ("release_approve", "release_deny"):
            verb = "approved" if e.action == "release_approve" else "denied"
            out.append(_flag("release", f"{e.who} {verb} a release request of another agency.", [e]))
    return out


def refusals(f: Facts) -> list[Flag]:
    out = []
    for rows in _by_user(e for e in f.entries if e.action == "denied").values():
        what = _names(str(e.detail.get("action", "?")).replace("_", " ") for e in rows)
        out.append(_flag("denied", f"{rows[0].who} was refused {_n(len(rows), 'time')} ({what}).", rows))
    return out


def _training_refusal(e: Entry) -> bool:
    reason = str(e.detail.get("reason", "")).lower()
    return e.action in ("denied", "login_failed", "login_refused", "logout") and "training" in reason


def _untrained(f: Facts, e: Entry) -> bool:
    if e.role not in f.data_roles or e.action in ("denied", "login_failed", "login_refused", "logout"):
        return False
    day = datetime.fromtimestamp(e.at, timezone.utc).date().isoformat()
    return not any(done <= day <= until for done, until in f.trained.get(e.username, []))


def lapsed_training(f: Facts) -> list[Flag]:
    out = []
    rows_of = _by_user(e for e in f.entries if _training_refusal(e) or _untrained(f, e))
    for user, rows in rows_of.items():
        refused = sum(1 for e in rows if _training_refusal(e))
        worked = len(rows) - refused
        parts = ([f"{_n(worked, 'entry', 'entries')} made without current training"] if worked else []) + \
                ([f"{_n(refused, 'refusal')} for lapsed or missing training"] if refused else [])
        out.append(_flag("training", f"{rows[0].who if rows else user}: {' and '.join(parts)}.", rows))
    return out


RULES: dict[str, tuple[str, Callable[[Facts], list[Flag]]]] = {
    "unusual_hours": ("Searches at unusual hours", unusual_hours),
    "burst": ("Bursts of searches", bursts),
    "plate_users": ("One plate, many users", plate_by_many_users),
    "plate_repeat": ("One plate again and again", plate_searched_again),
    "case_purposes": ("One case, several purposes", case_under_several_purposes),
    "plateless": ("Searches without a plate", plateless_searches),
    "exports": ("Exports and prints", data_taken_out),
    "release": ("Releases", releases),
    "denied": ("Refused attempts", refusals),
    "training": ("Lapsed training", lapsed_training),
}
TITLES = {name: title for name, (title, _f) in RULES.items()} | {
    "chain": "Log chain", "sample": "Random sample"}


def run_all(f: Facts) -> list[Flag]:
    return [flag for _title, rule in RULES.values() for flag in rule(f)]

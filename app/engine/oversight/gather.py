"""Everything a review reads, gathered in one read of the store: the facts and the flags.

Kept apart from the service so that the work of a run (the period's entries, the baselines,
training, hits and holds, the chain) is one function of a connection and a scope, which the
bench and the tests call the same way the service does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import timefmt
from ..permissions import DATA_ACTIONS
from ..policy import PolicyProfile
from . import chain, period_log
from .periods import Period
from .risk_rules import Facts, Flag, run_all
from .scope import Scope


@dataclass(frozen=True)
class Findings:
    entries: list[period_log.Entry]
    flags: list[Flag]


def _facts(conn, profile: PolicyProfile, scope: Scope, period: Period,
           entries: list[period_log.Entry]) -> Facts:
    rules, tz = profile.audit, timefmt.zone(profile.time_zone)
    out_cases = {e.case_number for e in entries if e.action in ("export", "print") and e.case_number}

    def plates_with_hits(plates: set[str]) -> set[str]:
        return {r[0] for r in conn.execute(
            "SELECT DISTINCT r.plate FROM hits h JOIN reads r ON r.id = h.read_id "
            "WHERE r.plate IN (SELECT value FROM json_each(?))", (json.dumps(sorted(plates)),))}

    def cases_with_activity(cases: set[str]) -> set[str]:
        held = {r[0] for r in conn.execute(
            "SELECT case_number FROM holds WHERE case_number IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(cases)),))}
        return held | (cases & out_cases)

    return Facts(entries, rules, tz,
                 period_log.baseline_hours(conn, period.start, rules.baseline_days, scope, tz),
                 period_log.trained_days(conn, {e.username for e in entries}),
                 frozenset(r for r, role in profile.roles.items() if role.grants & DATA_ACTIONS),
                 plates_with_hits, cases_with_activity)


def review(conn, profile: PolicyProfile, scope: Scope, period: Period, through_seq: int, *,
           receipt: tuple[int, str] | None = None,
           alerts: list[tuple[int, str, str]] | None = None) -> Findings:
    """The period's entries in the scope and every flag raised on them; for everyone's entries
    the log-chain rule too (a supervisor's review is about their staff's conduct)."""
    entries = period_log.load(conn, period.start, period.end, through_seq, scope)
    flags = run_all(_facts(conn, profile, scope, period, entries))
    if scope.users is None:
        flags += (chain.walk(conn, period.start, period.end, through_seq)
                  + chain.head_and_receipt(conn, receipt) + chain.earlier_anchors(conn)
                  + chain.reported(entries) + chain.server_alerts(alerts or [], period.start, period.end))
    return Findings(entries, flags)

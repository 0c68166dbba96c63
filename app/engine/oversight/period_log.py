"""One period of the access log, read once for every risk rule.

A month of a busy log is a hundred thousand entries or more, so entries are read with the
index on ``ts`` and only the JSON the rules look at is decoded (the query of searches, the
detail of refusals, failures and checks); the rest stays text until a sentence needs it. The
baseline of a user's usual hours is counted in SQL by UTC hour and turned into local hours
here, so months of history cost one grouped query, not a row each.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ..accesslog import LogEntry, utc_now_iso
from .scope import Scope

_QUERY_ACTIONS = frozenset({"search"})
_DETAIL_ACTIONS = frozenset({"denied", "login_failed", "login_refused", "logout", "audit_verify",
                             "sync", "export"})
ROW_COLUMNS = ("seq, ts, username, agency, role, action, query, purpose, case_number, result_ids, "
            "detail, prev_hash, hash, mac")


@dataclass(frozen=True)
class Entry:
    """An entry as the rules read it: its time as a number, the JSON they need decoded."""

    seq: int
    at: float
    username: str
    role: str
    action: str
    purpose: str | None
    case_number: str | None
    query: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)

    @property
    def who(self) -> str:
        return f"{self.username} ({self.role})"


def parse_ts(ts: str) -> float:
    return datetime.fromisoformat(ts).timestamp()


def load(conn, start: int, end: int, through_seq: int, scope: Scope) -> list[Entry]:
    """The scope's entries with ``start <= time < end``, up to ``through_seq``, oldest first."""
    cond, params = scope.sql()
    rows = conn.execute(
        "SELECT seq, ts, username, role, action, purpose, case_number, query, detail FROM access_log "
        f"WHERE ts >= ? AND ts < ? AND seq <= ? AND {cond} ORDER BY seq",
        (utc_now_iso(start), utc_now_iso(end), through_seq, *params))
    out = []
    for seq, ts, user, role, action, purpose, case, query, detail in rows:
        out.append(Entry(seq, parse_ts(ts), user, role, action, purpose, case,
                         json.loads(query) if action in _QUERY_ACTIONS else {},
                         json.loads(detail) if action in _DETAIL_ACTIONS else {}))
    return out


def baseline_hours(conn, start: int, days: int, scope: Scope, tz: ZoneInfo) -> dict[str, list[int]]:
    """Searches per local hour of the day (24 counts) of each user in the ``days`` before ``start``."""
    cond, params = scope.sql()
    out: dict[str, list[int]] = {}
    for user, hour, n in conn.execute(
            "SELECT username, substr(ts, 1, 13), count(*) FROM access_log WHERE action = 'search' "
            f"AND ts >= ? AND ts < ? AND {cond} GROUP BY username, substr(ts, 1, 13)",
            (utc_now_iso(start - days * 86400), utc_now_iso(start), *params)):
        local = datetime.fromisoformat(hour + ":00:00+00:00").astimezone(tz).hour
        out.setdefault(user, [0] * 24)[local] += n
    return out


def entries(conn, seqs: list[int], scope: Scope) -> list[LogEntry]:
    """Whole entries by number, only those of the scope (what a review shows and prints)."""
    if not seqs:
        return []
    cond, params = scope.sql()
    wanted = json.dumps(sorted(set(seqs)))
    rows = conn.execute(f"SELECT {ROW_COLUMNS} FROM access_log WHERE seq IN (SELECT value FROM "
                        f"json_each(?)) AND {cond} ORDER BY seq", (wanted, *params))
    return [LogEntry.from_row(r) for r in rows]


def trained_days(conn, users: set[str]) -> dict[str, list[tuple[str, str]]]:
    """(completed_on, expires_on) of every training record of these users."""
    out: dict[str, list[tuple[str, str]]] = {u: [] for u in users}
    for user, done, until in conn.execute(
            "SELECT u.username, t.completed_on, t.expires_on FROM training t "
            "JOIN users u ON u.id = t.user_id"):
        if user in out:
            out[user].append((done, until))
    return out

"""Standing alerts in the store: plain functions on a connection, run inside the caller's
transaction (the facade's, or a sync batch's) together with the log entries they owe.

An alert fires only for reads taken after it was set ("read again"), only while it is live
(not ended, not past its expiry, its case not closed), and at most once per read. Each firing
and each end is an access-log entry under the alert's own purpose and case, written in the
same transaction as the change, so the log and the queue never disagree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import accesslog
from ..accesslog import SYSTEM, Actor
from ..search import ROW_SQL, ReadRow, row_from

_CLOSED_CASE = "EXISTS (SELECT 1 FROM cases c WHERE c.number = a.case_number AND c.status = 'closed')"
_LIVE = f"a.ended_at IS NULL AND a.expires_at > ? AND NOT {_CLOSED_CASE}"


@dataclass(frozen=True)
class StandingAlert:
    id: int
    owner: str
    purpose: str
    case_number: str
    pattern: str
    plate_state: str | None            # None: any state
    note: str
    created_at: int
    expires_at: int
    ended_at: int | None
    end_reason: str | None             # expired | cancelled | case_closed
    ended_by: str | None
    matches: int

    @property
    def live(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class AlertMatch:
    """A read a sync brought in that an alert was waiting for."""

    id: int
    alert_id: int
    pattern: str
    case_number: str
    purpose: str
    found_at: int
    read: ReadRow


_ALERT_SQL = ("SELECT a.id, a.owner, a.purpose, a.case_number, a.pattern, a.plate_state, a.note, "
              "a.created_at, a.expires_at, a.ended_at, a.end_reason, a.ended_by, "
              "(SELECT count(*) FROM alert_matches m WHERE m.alert_id = a.id) FROM standing_alerts a")


def insert(conn, owner: str, purpose: str, case_number: str, pattern: str, glob: str,
           state: str | None, note: str, now: int, expires_at: int) -> StandingAlert:
    new_id = conn.execute(
        "INSERT INTO standing_alerts(owner, purpose, case_number, pattern, glob, plate_state, note, "
        "created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (owner, purpose, case_number, pattern, glob, state, note, now, expires_at)).lastrowid
    return get(conn, new_id)  # type: ignore[return-value]  # inserted just above


def get(conn, alert_id: int) -> StandingAlert | None:
    row = conn.execute(f"{_ALERT_SQL} WHERE a.id = ?", (alert_id,)).fetchone()
    return StandingAlert(*row) if row else None


def of_owner(conn, owner: str, include_ended: bool) -> list[StandingAlert]:
    """The owner's alerts, live ones first, newest first."""
    where = "a.owner = ?" + ("" if include_ended else " AND a.ended_at IS NULL")
    return [StandingAlert(*r) for r in conn.execute(
        f"{_ALERT_SQL} WHERE {where} ORDER BY a.ended_at IS NOT NULL, a.created_at DESC, a.id DESC",
        (owner,))]


def end(conn, alert: StandingAlert, now: float, actor: Actor, reason: str) -> None:
    """End one alert and log it under its purpose and case."""
    conn.execute("UPDATE standing_alerts SET ended_at = ?, end_reason = ?, ended_by = ? WHERE id = ?",
                 (int(now), reason, actor.username, alert.id))
    accesslog.append(conn, now, actor, "alert_end", purpose=alert.purpose,
                     case_number=alert.case_number,
                     query={"alert_id": alert.id, "pattern": alert.pattern},
                     detail={"reason": reason, "owner": alert.owner, "matches": alert.matches})


def sweep(conn, now: float) -> list[StandingAlert]:
    """End every alert past its expiry or whose case was closed (logged as the system)."""
    ended: list[StandingAlert] = []
    for (alert_id,) in conn.execute(
            "SELECT a.id FROM standing_alerts a WHERE a.ended_at IS NULL AND "
            f"(a.expires_at <= ? OR {_CLOSED_CASE})", (int(now),)).fetchall():
        alert = get(conn, alert_id)
        if alert is not None:
            end(conn, alert, now, SYSTEM, "expired" if alert.expires_at <= now else "case_closed")
            ended.append(alert)
    return ended


def end_case(conn, case_number: str, now: float, actor: Actor) -> int:
    """A case was closed: its live alerts end with it, in the closing's transaction."""
    ids = [r[0] for r in conn.execute("SELECT id FROM standing_alerts WHERE case_number = ? "
                                      "AND ended_at IS NULL", (case_number,))]
    for i in ids:
        end(conn, get(conn, i), now, actor, "case_closed")  # type: ignore[arg-type]  # listed above
    return len(ids)


def on_new_reads(conn, read_ids: list[int], now: float) -> int:
    """A sync batch brought these reads: end what is due, then fire the live alerts they match
    (one log entry per alert, naming its new reads). Returns the number of new matches."""
    sweep(conn, now)
    if not read_ids:
        return 0
    before = conn.execute("SELECT coalesce(max(id), 0) FROM alert_matches").fetchone()[0]
    conn.execute(
        "INSERT OR IGNORE INTO alert_matches(alert_id, read_id, found_at) "
        "SELECT a.id, r.id, ? FROM reads r JOIN standing_alerts a ON r.plate GLOB a.glob "
        "AND (a.plate_state IS NULL OR r.plate_state IS NULL OR r.plate_state = a.plate_state) "
        f"WHERE r.id IN (SELECT value FROM json_each(?)) AND r.read_at >= a.created_at AND {_LIVE}",
        (int(now), json.dumps(list(read_ids)), int(now)))
    fired: dict[int, list[int]] = {}
    for alert_id, read_id in conn.execute("SELECT alert_id, read_id FROM alert_matches WHERE id > ? "
                                          "ORDER BY id", (before,)):
        fired.setdefault(alert_id, []).append(read_id)
    for alert_id, reads in fired.items():
        a = get(conn, alert_id)
        if a is None:
            continue
        accesslog.append(conn, now, SYSTEM, "alert_fire", purpose=a.purpose, case_number=a.case_number,
                         query={"alert_id": a.id, "pattern": a.pattern}, result_ids=reads,
                         detail={"owner": a.owner, "new_reads": len(reads)})
    return sum(len(r) for r in fired.values())


def matches(conn, owner: str, limit: int) -> list[AlertMatch]:
    """The owner's queue, newest first; matches under a closed case are no longer shown."""
    rows = conn.execute(
        "SELECT m.id, m.alert_id, a.pattern, a.case_number, a.purpose, m.found_at, m.read_id "
        f"FROM alert_matches m JOIN standing_alerts a ON a.id = m.alert_id WHERE a.owner = ? "
        f"AND NOT {_CLOSED_CASE} ORDER BY m.id DESC LIMIT ?", (owner, limit)).fetchall()
    reads = {t[0]: row_from(t) for t in conn.execute(
        f"{ROW_SQL} WHERE r.id IN (SELECT value FROM json_each(?))", (json.dumps([r[6] for r in rows]),))}
    return [AlertMatch(r[0], r[1], r[2], r[3], r[4], r[5], reads[r[6]]) for r in rows
            if r[6] in reads]     # purged reads drop out


def newest_match(conn, owner: str) -> tuple[int, int]:
    """(matches in the owner's queue, the newest match id): counts only, for the GUI's poll."""
    return conn.execute(
        "SELECT count(*), coalesce(max(m.id), 0) FROM alert_matches m JOIN standing_alerts a "
        f"ON a.id = m.alert_id WHERE a.owner = ? AND NOT {_CLOSED_CASE}", (owner,)).fetchone()

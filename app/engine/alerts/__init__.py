"""Standing alerts and hit notifications (``ws.alerts``).

A standing alert is a search that waits: "tell me when this plate (or pattern) is read again".
It is set under the session's declared purpose and case (the guard checks both, as for a
search), lasts at most the profile's ``alert_max_days``, and fires when a sync brings a read
taken after it was set (``store.on_new_reads``, called from the sync's batch transaction).
It ends at its expiry, when its owner cancels it, or when its case is closed; setting, every
firing and the end are each an access-log entry under the alert's purpose and case. What it
found waits in its owner's queue, shown as a logged view.

Hit notifications (``notices``) tell a person about new hits after a sync, unless they chose
to hear only the most urgent hotlists.
"""
from __future__ import annotations

from .. import accesslog, plates, states
from ..auth import Session
from ..errors import NotFound, PermissionDenied, ValidationError
from . import notices, store
from .notices import HitNotice, NoticeBatch
from .store import AlertMatch, StandingAlert

__all__ = ["AlertMatch", "AlertService", "HitNotice", "NoticeBatch", "StandingAlert"]

MAX_NOTE = 500
QUEUE_LIMIT = 500


def _pattern(text: str) -> tuple[str, str]:
    """(pattern as shown, SQLite GLOB): a plate, or a ?/* pattern with 3 known characters."""
    pattern = plates.normalize(text)
    if not pattern:
        raise ValidationError("Give the plate (or a pattern such as 7AB?123) to be alerted about.")
    if any(ch in pattern for ch in "?*"):
        return pattern, plates.wildcard_to_glob(pattern)
    plate = plates.validate_plate(pattern)
    return plate, plate


class AlertService:
    """Set, list and cancel standing alerts; the owner's queue; hit notifications."""

    def __init__(self, ws) -> None:
        self.ws = ws

    # -- standing alerts -----------------------------------------------------------------------
    def set(self, session: Session, pattern: str, days: int, state: str | None = None,
            note: str = "") -> StandingAlert:
        """Alert the session's user when ``pattern`` is read again, for ``days`` days, under the
        declared purpose and case. Longer than the profile allows is refused (and logged)."""
        self.ws.guard(session, "search")
        limit = self.ws.profile.alert_max_days
        if not 1 <= int(days) <= limit:
            raise self.ws._deny(session, "search", ValidationError(
                f"A standing alert lasts 1 to {limit} days under the {self.ws.profile.name}; "
                f"{days} days is refused."))
        shown, glob = _pattern(pattern)
        code = states.code(state)
        note = (note or "").strip()[:MAX_NOTE]
        now = int(self.ws.clock())
        expires = now + int(days) * 86400
        return self.ws.logged(
            session, "alert_set",
            lambda conn: store.insert(conn, session.user.username, session.purpose or "",
                                      session.case_number or "", shown, glob, code, note, now, expires),
            query={"pattern": shown, "state": code, "days": int(days)},
            detail=lambda a: {"alert_id": a.id, "expires_at": a.expires_at, "note": note})

    def mine(self, session: Session, include_ended: bool = False) -> list[StandingAlert]:
        """The user's alerts (their own patterns, no reads: not logged). Ends what is due first,
        so an expired alert never shows as live."""
        self.ws.auth.touch(session)
        with self.ws.store.transaction() as conn:
            store.sweep(conn, self.ws.clock())
            return store.of_owner(conn, session.user.username, include_ended)

    def cancel(self, session: Session, alert_id: int) -> StandingAlert:
        """The owner ends an alert now (logged under its purpose and case)."""
        self.ws.guard(session, "search", need_purpose=False)
        with self.ws.store.transaction() as conn:
            store.sweep(conn, self.ws.clock())
            alert = store.get(conn, int(alert_id))
            if alert is None:
                raise NotFound(f"There is no standing alert {alert_id}.")
            if alert.owner != session.user.username:
                raise PermissionDenied(f"Standing alert {alert_id} is {alert.owner}'s; only its "
                                       "owner can cancel it.")
            if not alert.live:
                raise ValidationError(f"Standing alert {alert_id} already ended ({alert.end_reason}).")
            store.end(conn, alert, self.ws.clock(), session.actor, "cancelled")
            return store.get(conn, alert.id)  # type: ignore[return-value]  # it exists

    def queue(self, session: Session, limit: int = QUEUE_LIMIT) -> list[AlertMatch]:
        """The reads the user's alerts found, newest first: a logged view, one entry per case
        (each under that alert's purpose and case number), in one transaction."""
        self.ws.guard(session, "view", need_purpose=False)
        with self.ws.store.transaction() as conn:
            store.sweep(conn, self.ws.clock())
            found = store.matches(conn, session.user.username, int(limit))
            by_case: dict[tuple[str, str], list[int]] = {}
            for m in found:
                by_case.setdefault((m.purpose, m.case_number), []).append(m.read.id)
            for (purpose, case), ids in by_case.items():
                accesslog.append(conn, self.ws.clock(), session.actor, "alert_view", purpose=purpose,
                                 case_number=case, query={"view": "alert_queue"}, result_ids=ids,
                                 detail={"matches": len(ids)})
        return found

    def pending(self, session: Session) -> tuple[int, int]:
        """(matches in the queue, newest match id): counts only, for the GUI's poll; not logged
        and not activity for the idle lock."""
        if session.locked or session.ended:
            return 0, 0
        with self.ws.store.reading() as conn:
            return store.newest_match(conn, session.user.username)

    # -- hit notifications -------------------------------------------------------------------------
    def only_highest(self, session: Session) -> bool:
        with self.ws.store.reading() as conn:
            return notices.only_highest(conn, session.user.username)

    def set_only_highest(self, session: Session, on: bool) -> None:
        """Mute (or hear again) every hit notification but the most urgent hotlists'."""
        self.ws.guard(session, "hotlist_view")
        with self.ws.store.transaction() as conn:
            notices.set_only_highest(conn, session.user.username, bool(on))
            accesslog.append(conn, self.ws.clock(), session.actor, "user_setting",
                             detail={"setting": notices.ONLY_HIGHEST, "value": bool(on)})

    def hit_notices(self, session: Session, since: int | None) -> NoticeBatch:
        """New hits after the mark ``since`` that this user hears. ``None``: the first poll of a
        session, which only sets the mark (hits already there are not news). Only a poll that
        finds something to show reads data, and that is logged as a view of the hits."""
        grants = self.ws.profile.role(session.user.role).grants
        if "hotlist_view" not in grants or session.locked or session.ended:
            return NoticeBatch([], 0, since or 0)
        with self.ws.store.reading() as conn:
            newest = notices.newest_hit(conn)
            worst = notices.HIGHEST if notices.only_highest(conn, session.user.username) else 5
            heard, muted = notices.muted_count(conn, since or 0, worst) if since is not None else (0, 0)
        if since is None or not heard:
            return NoticeBatch([], muted, newest)
        self.ws.guard(session, "hotlist_view")
        shown = self.ws.logged(
            session, "hotlist_view", lambda conn: notices.new_notices(conn, since, worst),
            query={"view": "notification", "since_hit": since, "max_priority": worst},
            result_ids=lambda rows: [n.read_id for n in rows],
            detail=lambda rows: {"hits": len(rows), "muted": muted}, purpose=False)
        return NoticeBatch(shown, muted, max([newest, *(n.hit_id for n in shown)]))

"""``ws.reviews``: the audit cycle of the access log, from the schedule to the approval.

A review reads one period of the log, runs the risk rules (risk_rules.py, chain.py), draws a
random sample of entries to be checked against the case files (its seed is kept, so anyone
can draw the same sample again), and puts both before the reviewer, who records a finding on
each item and signs off; another person then approves. Every step is guarded by the role's
grant and written to the access log in the same transaction as the record, so the review is
part of the chain it reviews and ``alpr audit verify`` covers it. What a supervisor sees is
narrowed here, in the engine, to their own staff (scope.py).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from .. import accesslog, timefmt
from ..accesslog import LogEntry
from ..audit import describe
from ..auth import Session
from ..errors import EngineError, PermissionDenied, ValidationError
from . import gather, period_log, periods, records, review_report, signoff
from . import scope as scopes
from .periods import Period
from .records import Item, Review
from .scope import EVERYONE, Scope


@dataclass(frozen=True)
class DuePeriod:
    """A period of the schedule and how far its review has come."""

    period: Period
    status: str                     # "due", "open", "signed" or "approved"
    review_id: int | None

    def sentence(self) -> str:
        p = self.period.label
        return {"due": f"A review of {p} is due.",
                "open": f"The review of {p} (#{self.review_id}) is open: findings to record.",
                "signed": f"The review of {p} (#{self.review_id}) is signed off and awaits approval.",
                }.get(self.status, f"The review of {p} (#{self.review_id}) is approved.")


@dataclass(frozen=True)
class ReviewDetail:
    """A review as its reader may see it: the record, its items, and their entries in the scope."""

    review: Review
    items: list[Item]
    entries: dict[int, LogEntry]

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.outcome is None]

    def sentence(self, seq: int) -> str:
        e = self.entries.get(seq)
        return describe(e) if e is not None else f"Entry {seq} is not one of your staff's."


class ReviewService:
    def __init__(self, ws) -> None:
        self.ws = ws

    # -- who sees what ------------------------------------------------------------------------
    def _scope(self, session: Session, grant: str = "audit_review") -> Scope:
        self.ws.guard(session, grant, need_purpose=False)
        if "audit_view" in self.ws.profile.role(session.user.role).grants:
            return EVERYONE
        self.ws.guard(session, "audit_team", need_purpose=False)
        with self.ws.store.reading() as conn:
            return Scope(session.user.username, scopes.staff_of(conn, session.user.username))

    def _refuse(self, session: Session, what: str, reason: str) -> PermissionDenied:
        self.ws.log(session.actor, "denied", detail={"action": what, "reason": reason})
        return PermissionDenied(reason)

    def _visible(self, session: Session, scope: Scope, review: Review, what: str) -> None:
        if scope.users is not None and review.scope_owner != scope.owner:
            raise self._refuse(session, what, f"Review #{review.id} is not a review of your staff; "
                                              "a supervisor sees only their own staff's reviews.")

    def _narrow(self, scope: Scope, review: Review) -> Scope:
        """A team review shows its staff as they were, less anyone no longer one's staff."""
        if review.scope_owner is None:
            return scope
        users = frozenset(review.scope_users)
        return Scope(review.scope_owner, users if scope.users is None else users & scope.users)

    def staff(self, session: Session) -> list[str]:
        """The users whose entries this session's reviews cover (everyone: an empty list)."""
        s = self._scope(session)
        return sorted(s.users) if s.users is not None else []

    def set_supervisor(self, session: Session, username: str, supervisor: str | None) -> None:
        """Name who supervises ``username`` (None: nobody); an administrator's work, logged."""
        self.ws.guard(session, "user_admin", need_purpose=False)
        roles = self.ws.profile.roles

        def may_supervise(role: str) -> bool:
            return role in roles and bool({"audit_team", "audit_view"} & roles[role].grants)
        self.ws.logged(session, "user_supervisor",
                       lambda conn: scopes.set_supervisor(conn, username, supervisor, may_supervise),
                       detail=lambda r: {"user": r[0], "supervisor": r[1]}, purpose=False)

    # -- the schedule ---------------------------------------------------------------------------
    def due(self, session: Session) -> list[DuePeriod]:
        """The schedule's ended periods (newest first) and their reviews' state. Not logged: it
        names periods and review numbers, no entry and no person."""
        scope = self._scope(session)
        tz, months = timefmt.zone(self.ws.profile.time_zone), self.ws.profile.audit.review_interval_months
        with self.ws.store.reading() as conn:
            first = conn.execute("SELECT min(ts) FROM access_log").fetchone()
            done = [r for r in records.all_reviews(conn) if r.scope_owner == scope.owner]
        if first is None or first[0] is None:
            return []
        rank = {"open": 1, "signed": 2, "approved": 3}
        out = []
        for p in periods.ended_periods(period_log.parse_ts(first[0]), self.ws.clock(), months, tz):
            mine = [r for r in done if (r.period_start, r.period_end) == (p.start, p.end)]
            best = max(mine, key=lambda r: (rank[r.status], r.id), default=None)
            out.append(DuePeriod(p, best.status if best else "due", best.id if best else None))
        return out

    def period(self, month: str | None = None, start: int | None = None, end: int | None = None) -> Period:
        """The scheduled period holding ``month`` ('2026-10'), or any span ``start``-``end``."""
        tz = timefmt.zone(self.ws.profile.time_zone)
        if month:
            return periods.parse_month(month, self.ws.profile.audit.review_interval_months, tz)
        if start is None or end is None:
            raise ValidationError("Name the month to review (YYYY-MM) or give both the start and the end.")
        return periods.on_demand(int(start), int(end), tz)

    # -- running a review -----------------------------------------------------------------------
    def run(self, session: Session, period: Period) -> ReviewDetail:
        """Review ``period``: the rules and the sample, recorded with its audit_review_start entry."""
        scope = self._scope(session)
        if period.end > self.ws.clock():
            raise ValidationError(f"{period.label} has not ended yet; review it once it is over.")
        notes, alerts = self._alerts(session, scope)
        with self.ws.store.reading() as conn:
            through = accesslog.head(conn)
            found = gather.review(conn, self.ws.profile, scope, period, through[0],
                                  receipt=self.ws.log_receipt(), alerts=alerts)
            seed = secrets.token_hex(8)
            drawn = records.draw_sample([e.seq for e in found.entries if e.case_number], seed,
                                        self.ws.profile.audit.sample_size)
            sample = [(e.seq, e.username, describe(e)) for e in period_log.entries(conn, drawn, scope)]
        now = int(self.ws.clock())
        with self.ws.store.transaction() as conn:
            start_seq = accesslog.head(conn)[0] + 1
            rid = records.insert(conn, period=period, scope=scope, reviewer=session.user.username, now=now,
                                 start_seq=start_seq, through=through, seed=seed, notes=notes,
                                 flags=found.flags, sample=sample)
            accesslog.append(conn, self.ws.clock(), session.actor, "audit_review_start",
                             query={"review": rid, "period": period.label, "start": period.start,
                                    "end": period.end},
                             detail={"scope": scope.describe(), "entries": len(found.entries),
                                     "flags": len(found.flags), "sample": len(sample), "seed": seed,
                                     "through_seq": through[0], "through_hash": through[1]})
        return self.open(session, rid, logged=False)

    def _alerts(self, session: Session, scope: Scope) -> tuple[list[str], list[tuple[int, str, str]]]:
        """The city server's alerts for a review of everyone, or why they could not be read."""
        if scope.users is not None:
            return [], []
        if not self.ws.store.query_one("SELECT 1 FROM settings WHERE key = 'sync.server'"):
            return ["The city server's alerts were not read: no city server is configured."], []
        try:
            return [], self.ws.sync.alerts(session)
        except EngineError as exc:
            return [f"The city server's alerts could not be read: {exc}"], []

    # -- reading reviews ------------------------------------------------------------------------
    def reviews(self, session: Session) -> list[Review]:
        """The reviews this session may see, newest period first (logged)."""
        scope = self._scope(session)
        with self.ws.store.reading() as conn:
            found = [r for r in records.all_reviews(conn)
                     if scope.users is None or r.scope_owner == scope.owner]
        self.ws.log(session.actor, "audit_view", query={"reviews": "list"}, detail={"reviews": len(found)})
        return found

    def open(self, session: Session, review_id: int, *, logged: bool = True) -> ReviewDetail:
        """One review with its items and the entries behind them that this session may see."""
        scope = self._scope(session)
        with self.ws.store.reading() as conn:
            review = records.get(conn, review_id)
        self._visible(session, scope, review, "audit_review")
        with self.ws.store.reading() as conn:
            found = records.items(conn, review.id)
            shown = period_log.entries(conn, [s for i in found for s in i.seqs], self._narrow(scope, review))
        if logged:
            self.ws.log(session.actor, "audit_view", query={"review": review.id},
                        detail={"items": len(found), "entries": len(shown)})
        return ReviewDetail(review, found, {e.seq: e for e in shown})

    # -- findings, sign-off, approval, check, report: signoff.py --------------------------------
    def record_finding(self, session: Session, review_id: int, item: int, outcome: str, note: str) -> Item:
        return signoff.record_finding(self, session, review_id, item, outcome, note)

    def sign_off(self, session: Session, review_id: int, note: str = "") -> Review:
        return signoff.sign_off(self, session, review_id, note)

    def approve(self, session: Session, review_id: int, note: str = "") -> Review:
        return signoff.approve(self, session, review_id, note)

    def check(self, session: Session, review_id: int) -> list[str]:
        return signoff.check(self, session, review_id)

    def report(self, session: Session, review_id: int, path: Path) -> Path:
        return review_report.write(self, session, review_id, Path(path))

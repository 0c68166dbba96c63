"""The reviewer's findings and sign-off, the approver's sign-off, and checking them later.

Each is an access-log entry written in the same transaction as the record. The sign-off entry
carries a SHA-256 of every item and its finding and the approval names the sign-off entry's
hash, so :func:`check` finds a record changed after the fact (a finding softened, a reviewer
or approver replaced, a sample redrawn) by holding it against its entries; an entry changed
instead breaks the chain that ``alpr audit verify`` walks.
"""
from __future__ import annotations

import hmac

from .. import accesslog
from ..accesslog import LogEntry
from ..auth import Session
from ..errors import ValidationError
from . import period_log, records
from .records import Item, Review
from .scope import EVERYONE, Scope


def _reviewer_only(svc, session: Session, review: Review, what: str) -> None:
    if review.reviewer != session.user.username:
        raise svc._refuse(session, what, f"Only the reviewer who ran review #{review.id} "
                                         f"({review.reviewer}) records its findings and signs it off.")


def _open(svc, session: Session, review_id: int, grant: str) -> Review:
    scope = svc._scope(session, grant)
    with svc.ws.store.reading() as conn:
        review = records.get(conn, review_id)
    svc._visible(session, scope, review, grant)
    return review


def record_finding(svc, session: Session, review_id: int, item: int, outcome: str, note: str) -> Item:
    review = _open(svc, session, review_id, "audit_review")
    _reviewer_only(svc, session, review, "audit_review")
    if review.status != "open":
        raise ValidationError(f"Review #{review.id} is {review.status}; its findings can no longer change.")
    note = (note or "").strip()
    now = int(svc.ws.clock())
    with svc.ws.store.transaction() as conn:
        target = records.check_finding(records.items(conn, review.id), int(item), outcome, note)
        seq = accesslog.append(conn, svc.ws.clock(), session.actor, "audit_finding",
                               query={"review": review.id, "item": target.item},
                               detail={"rule": target.rule, "outcome": outcome, "note": note,
                                       "entries": list(target.seqs)})
        records.set_finding(conn, review.id, target.item, outcome, note, now, seq)
        return next(i for i in records.items(conn, review.id) if i.item == target.item)


def sign_off(svc, session: Session, review_id: int, note: str) -> Review:
    review = _open(svc, session, review_id, "audit_review")
    _reviewer_only(svc, session, review, "audit_review")
    if review.status != "open":
        raise ValidationError(f"Review #{review.id} is already {review.status}.")
    now = int(svc.ws.clock())
    with svc.ws.store.transaction() as conn:
        found = records.items(conn, review.id)
        missing = [i.item for i in found if i.outcome is None]
        if missing:
            raise ValidationError(f"Record a finding on every item before signing off; items "
                                  f"{', '.join(map(str, missing[:10]))}{' ...' if len(missing) > 10 else ''} "
                                  "have none.")
        outcomes: dict[str, int] = {}
        for i in found:
            outcomes[i.outcome or ""] = outcomes.get(i.outcome or "", 0) + 1
        seq = accesslog.append(conn, svc.ws.clock(), session.actor, "audit_signoff",
                               query={"review": review.id, "period": review.label},
                               detail={"items": len(found), "outcomes": outcomes, "note": note.strip(),
                                       "findings_sha256": records.findings_digest(found),
                                       "start_seq": review.start_seq})
        records.mark(conn, review.id, "signed", {"signed_at": now, "signoff_seq": seq,
                                                 "signoff_note": note.strip()})
        return records.get(conn, review.id)


def approve(svc, session: Session, review_id: int, note: str) -> Review:
    review = _open(svc, session, review_id, "audit_approve")
    if review.reviewer == session.user.username:
        raise svc._refuse(session, "audit_approve", f"The approver must be someone other than the "
                                                     f"reviewer ({review.reviewer}).")
    if review.status != "signed":
        raise ValidationError(f"Review #{review.id} is {review.status}: only a signed-off review can "
                              "be approved.")
    now = int(svc.ws.clock())
    with svc.ws.store.transaction() as conn:
        signed = conn.execute("SELECT hash FROM access_log WHERE seq = ?", (review.signoff_seq,)).fetchone()
        seq = accesslog.append(conn, svc.ws.clock(), session.actor, "audit_approve",
                               query={"review": review.id, "period": review.label},
                               detail={"reviewer": review.reviewer, "note": note.strip(),
                                       "signoff_seq": review.signoff_seq,
                                       "signoff_hash": signed[0] if signed else None})
        records.mark(conn, review.id, "approved", {"approver": session.user.username, "approved_at": now,
                                                   "approve_seq": seq, "approve_note": note.strip()})
        return records.get(conn, review.id)


# -- checking a record against its entries ----------------------------------------------------
def _entry(conn, seq: int | None) -> LogEntry | None:
    """Entry ``seq`` if it is there and unchanged (its hash still holds)."""
    row = None if seq is None else conn.execute(
        f"SELECT {period_log.ROW_COLUMNS} FROM access_log WHERE seq = ?", (seq,)).fetchone()
    if row is None or not hmac.compare_digest(accesslog.entry_hash(*row[:12]), row[12]):
        return None
    return LogEntry.from_row(row)


def _problems(conn, review: Review, found: list[Item]) -> list[str]:
    out = []
    start = _entry(conn, review.start_seq)
    if (start is None or start.action != "audit_review_start" or start.query.get("review") != review.id
            or start.username != review.reviewer or start.detail.get("seed") != review.sample_seed
            or start.detail.get("through_hash") != review.through_hash):
        out.append(f"The review's record does not match its start entry {review.start_seq}.")
    scope = EVERYONE if review.scope_owner is None else Scope(review.scope_owner, frozenset(review.scope_users))
    population = [e.seq for e in period_log.load(conn, review.period_start, review.period_end,
                                                 review.through_seq, scope) if e.case_number]
    drawn = records.draw_sample(population, review.sample_seed, len([i for i in found if i.rule == "sample"]))
    if drawn != sorted(s for i in found if i.rule == "sample" for s in i.seqs):
        out.append("The sample on record is not the one its seed draws from the log.")
    for i in found:
        e = _entry(conn, i.found_seq)
        if i.outcome is not None and (e is None or e.action != "audit_finding" or e.query.get("item") != i.item
                                      or e.detail.get("outcome") != i.outcome or e.detail.get("note") != i.note):
            out.append(f"The finding on item {i.item} does not match its entry {i.found_seq}.")
    if review.status in ("signed", "approved"):
        e = _entry(conn, review.signoff_seq)
        if (e is None or e.action != "audit_signoff" or e.username != review.reviewer
                or e.detail.get("findings_sha256") != records.findings_digest(found)):
            out.append(f"The findings or the reviewer differ from what sign-off entry {review.signoff_seq} "
                       "vouches for.")
    if review.status == "approved":
        e = _entry(conn, review.approve_seq)
        signed = _entry(conn, review.signoff_seq)
        if (e is None or e.action != "audit_approve" or e.username != review.approver
                or e.username == review.reviewer or signed is None
                or e.detail.get("signoff_hash") != signed.hash):
            out.append(f"The approval does not match its entry {review.approve_seq}.")
    return out


def check(svc, session: Session, review_id: int) -> list[str]:
    """What in the review's record no longer matches its chain entries ([] when all holds); logged."""
    review = _open(svc, session, review_id, "audit_review")
    with svc.ws.store.reading() as conn:
        problems = _problems(conn, review, records.items(conn, review.id))
    svc.ws.log(session.actor, "audit_verify", query={"review": review.id},
               detail={"ok": not problems, "problems": problems[:20]})
    return problems


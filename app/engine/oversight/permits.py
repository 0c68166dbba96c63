"""Written permission for a role the policy bars without one (Coachella Resolution 2023-56 §3).

"The independent contractor shall not access footage without explicit, written permission
from the City to help collect evidence in the event of a crime." A role marked
``barred_without_permission`` keeps its grants only while a permission recorded here covers
the person: one case, one set of data (cameras and a period, or read ids), a validity window,
and the signed document's reference. The facade's guard asks :meth:`PermitService.admit` at
every call (the workstation clock decides expiry, so a permission ends by itself), and
``Workstation.logged`` asks :meth:`PermitService.confine` before any read leaves: a search or
view returning a read outside the scope is refused and nothing is returned.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import timefmt
from ..auth import Session
from ..errors import NotFound, PermissionDenied, ValidationError

SECTION_3 = ("Coachella Resolution 2023-56, Section 3: the independent contractor \u201cshall not "
             "access footage without explicit, written permission from the City\u201d")


class OutsidePermission(PermissionDenied):
    """Data outside the written permission's scope: the whole call is refused."""


@dataclass(frozen=True)
class PermitForm:
    """What the written permission says, as the City Manager records it."""

    username: str
    case_number: str
    valid_from: int                   # Unix seconds UTC
    valid_until: int
    document_ref: str                 # the signed document's reference
    cameras: tuple[str, ...] = ()     # the data: these cameras (empty: any) in this period ...
    start: int | None = None
    end: int | None = None
    read_ids: tuple[int, ...] = ()    # ... and/or these reads


@dataclass(frozen=True)
class Permit:
    id: int
    username: str
    case_number: str
    cameras: tuple[str, ...]
    start: int | None
    end: int | None
    read_ids: tuple[int, ...]
    valid_from: int
    valid_until: int
    document_ref: str
    granted_by: str
    granted_at: int
    revoked_at: int | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    def valid_at(self, now: float) -> bool:
        return self.revoked_at is None and self.valid_from <= now < self.valid_until

    def covers(self, read_id: int, read_at: int, camera_id: str) -> bool:
        if read_id in self.read_ids:
            return True
        if self.start is None or self.end is None:
            return False
        return self.start <= read_at < self.end and (not self.cameras or camera_id in self.cameras)

    def summary(self) -> str:
        state = f"; revoked ({self.revoke_reason})" if self.revoked_at is not None else ""
        return (f"Permission #{self.id} for {self.username}, case {self.case_number}: "
                f"{scope_text(self.cameras, self.start, self.end, self.read_ids)}; valid "
                f"{_utc(self.valid_from)} to {_utc(self.valid_until)}; document "
                f"{self.document_ref}; granted by {self.granted_by}{state}")


def _utc(ts: int) -> str:
    return timefmt.fmt_utc(ts, seconds=False)


def scope_text(cameras: tuple[str, ...], start: int | None, end: int | None,
               read_ids: tuple[int, ...]) -> str:
    """The data a permission covers, in one line."""
    parts = []
    if start is not None and end is not None:
        where = "cameras " + ", ".join(cameras) if cameras else "any camera"
        parts.append(f"reads from {_utc(start)} to {_utc(end)} at {where}")
    if read_ids:
        shown = ", ".join(f"#{i}" for i in read_ids[:10])
        parts.append(f"reads {shown}" + (f" and {len(read_ids) - 10} more" if len(read_ids) > 10 else ""))
    return " and ".join(parts)


_COLS = ("id, username, case_number, scope_cameras, scope_start, scope_end, scope_read_ids, "
         "valid_from, valid_until, document_ref, granted_by, granted_at, revoked_at, revoked_by, "
         "revoke_reason")


def _permit(row: tuple) -> Permit:
    return Permit(row[0], row[1], row[2], tuple(json.loads(row[3])), row[4], row[5],
                  tuple(json.loads(row[6])), *row[7:])


def get(conn, permit_id: int) -> Permit:
    row = conn.execute(f"SELECT {_COLS} FROM written_permissions WHERE id = ?", (permit_id,)).fetchone()
    if row is None:
        raise NotFound(f"No written permission #{permit_id} on file.")
    return _permit(row)


def for_user(conn, username: str) -> list[Permit]:
    return [_permit(r) for r in conn.execute(
        f"SELECT {_COLS} FROM written_permissions WHERE username = ? ORDER BY id", (username,))]


def active_in(conn, start: int, end: int) -> list[Permit]:
    """Permissions in force at any moment of [start, end): valid then and not revoked before."""
    return [_permit(r) for r in conn.execute(
        f"SELECT {_COLS} FROM written_permissions WHERE valid_from < ? AND valid_until > ? "
        "AND (revoked_at IS NULL OR revoked_at > ?) ORDER BY valid_from, id", (end, start, start))]


def list_all(conn) -> list[Permit]:
    return [_permit(r) for r in conn.execute(f"SELECT {_COLS} FROM written_permissions ORDER BY id")]


def insert(conn, f: PermitForm, granted_by: str, now: int) -> int:
    return conn.execute(
        "INSERT INTO written_permissions(username, case_number, scope_cameras, scope_start, scope_end, "
        "scope_read_ids, valid_from, valid_until, document_ref, granted_by, granted_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (f.username, f.case_number, json.dumps(list(f.cameras)), f.start, f.end,
         json.dumps(list(f.read_ids)), f.valid_from, f.valid_until, f.document_ref.strip(),
         granted_by, now)).lastrowid


def revoke(conn, permit_id: int, reason: str, by: str, now: int) -> Permit:
    p = get(conn, permit_id)
    if p.revoked_at is not None:
        raise ValidationError(f"Written permission #{permit_id} was already revoked.")
    if now >= p.valid_until:
        raise ValidationError(f"Written permission #{permit_id} has already expired; nothing to revoke.")
    if not reason.strip():
        raise ValidationError("Record why the permission is revoked.")
    conn.execute("UPDATE written_permissions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? "
                 "WHERE id = ?", (now, by, reason.strip(), permit_id))
    return get(conn, permit_id)


def admit(conn, session: Session, now: float) -> Permit | None:
    """The permission under which this session works now, or None. With a case declared, only
    a permission for that case counts."""
    valid = [p for p in for_user(conn, session.user.username) if p.valid_at(now)]
    if session.case_number:
        valid = [p for p in valid if p.case_number == session.case_number]
    return valid[0] if valid else None


def refusal(conn, session: Session, now: float) -> str:
    """Why no permission covers this session now, in one sentence."""
    mine = for_user(conn, session.user.username)
    if any(p.valid_at(now) for p in mine) and session.case_number:
        cases = ", ".join(sorted({p.case_number for p in mine if p.valid_at(now)}))
        return (f"Your written permission covers case {cases}, not {session.case_number}; "
                f"{SECTION_3}.")
    ended = [p for p in mine if p.revoked_at is None and p.valid_until <= now]
    revoked = [p for p in mine if p.revoked_at is not None and p.revoked_at <= now]
    if ended:
        why = f"your written permission #{ended[-1].id} expired at {_utc(ended[-1].valid_until)}"
    elif revoked:
        why = f"your written permission #{revoked[-1].id} was revoked ({revoked[-1].revoke_reason})"
    else:
        why = "no written permission of the City covers you now"
    return f"ALPR data is closed to your role: {why}. {SECTION_3}."


def confine(conn, permit: Permit, read_ids: list[int]) -> None:
    """Refuse if any of these reads lies outside the permission's scope."""
    rows = conn.execute("SELECT id, read_at, camera_id FROM reads WHERE id IN "
                        "(SELECT value FROM json_each(?))", (json.dumps(sorted(set(read_ids))),))
    found = {r[0]: r for r in rows}
    for rid in sorted(set(read_ids)):
        row = found.get(rid)
        if row is None or not permit.covers(*row):
            raise OutsidePermission(
                f"Read #{rid} is outside written permission #{permit.id} "
                f"({scope_text(permit.cameras, permit.start, permit.end, permit.read_ids)}); nothing "
                f"was shown. {SECTION_3}.")


def check_form(conn, form: PermitForm, ws) -> PermitForm:
    """A permission names a person of a barred role, a case, the data, a validity window and
    the document; returns it normalised."""
    user = ws.auth.get_user((form.username or "").strip())
    if user is None:
        raise NotFound(f"No user {form.username!r}; add the person first.")
    role = ws.profile.role(user.role)
    if not role.barred_without_permission:
        raise ValidationError(f"{user.username} is {role.title}, a role not barred without written "
                              "permission under the policy; no permission is needed or recorded.")
    case = ws.profile.check_case_number(form.case_number)
    if not (form.document_ref or "").strip():
        raise ValidationError("Give the reference of the signed written permission (the document).")
    try:
        valid_from, valid_until = int(form.valid_from), int(form.valid_until)
        start = None if form.start is None else int(form.start)
        end = None if form.end is None else int(form.end)
        ids = tuple(sorted({int(i) for i in form.read_ids or ()}))
    except (TypeError, ValueError):
        raise ValidationError("Times and read ids of a permission are numbers.") from None
    if valid_until <= valid_from:
        raise ValidationError("A permission must end after it starts.")
    if valid_until <= ws.clock():
        raise ValidationError("That permission would already have expired; give a later end.")
    if (start is None) != (end is None) or (start is not None and end <= start):  # type: ignore[operator]
        raise ValidationError("The period of data a permission covers needs a start and a later end.")
    if start is None and not ids:
        raise ValidationError("A permission must name the data it covers: a period (with cameras, "
                              "or any camera) or read ids.")
    cams = tuple(sorted({(c or "").strip() for c in form.cameras or ()}))
    known = {r[0] for r in conn.execute("SELECT id FROM cameras")}
    unknown = [c for c in cams if c not in known]
    if unknown:
        raise ValidationError(f"No camera {', '.join(unknown)} on this workstation.")
    return PermitForm(user.username, case, valid_from, valid_until, form.document_ref.strip(),
                      cams, start, end, ids)


class PermitService:
    """``ws.permits``: the City Manager's written permissions, and their check at every call."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def grant(self, session: Session, form: PermitForm) -> Permit:
        ws = self.ws
        ws.guard(session, "permission_grant", need_purpose=False)

        def work(conn) -> Permit:
            f = check_form(conn, form, ws)
            return get(conn, insert(conn, f, session.user.username, int(ws.clock())))
        return ws.logged(session, "permission_grant", work,
                         query={"user": (form.username or "").strip().lower(),
                                "case_number": form.case_number},
                         result_ids=lambda p: list(p.read_ids),
                         detail=lambda p: {"permission_id": p.id, "document": p.document_ref,
                                           "scope": scope_text(p.cameras, p.start, p.end, p.read_ids),
                                           "valid_from": _utc(p.valid_from),
                                           "valid_until": _utc(p.valid_until)},
                         purpose=False)

    def revoke(self, session: Session, permit_id: int, reason: str) -> Permit:
        ws = self.ws
        ws.guard(session, "permission_grant", need_purpose=False)
        return ws.logged(session, "permission_revoke",
                         lambda conn: revoke(conn, permit_id, reason, session.user.username,
                                             int(ws.clock())),
                         query={"permission_id": permit_id},
                         detail=lambda p: {"user": p.username, "case": p.case_number,
                                           "reason": p.revoke_reason}, purpose=False)

    def on_file(self, session: Session) -> list[Permit]:
        self.ws.guard(session, "permission_grant", need_purpose=False)
        with self.ws.store.reading() as conn:
            return list_all(conn)

    def active_in(self, session: Session, start: int, end: int) -> list[Permit]:
        """Every permission in force at some moment of [start, end): for the audit cycle."""
        grants = self.ws.profile.role(session.user.role).grants
        self.ws.guard(session, "permission_grant" if "permission_grant" in grants else "audit_view",
                      need_purpose=False)
        if end <= start:
            raise ValidationError("The period must end after it starts.")
        with self.ws.store.reading() as conn:
            return active_in(conn, int(start), int(end))

    # -- the checks of the facade ------------------------------------------------------------
    def admit(self, session: Session) -> None:
        """For the guard: refuse (PermissionDenied) unless a permission covers the session now."""
        with self.ws.store.reading() as conn:
            if admit(conn, session, self.ws.clock()) is None:
                raise PermissionDenied(refusal(conn, session, self.ws.clock()))

    def confine(self, conn, session: Session, read_ids: list[int]) -> None:
        """For ``logged``, inside its transaction: every read returned is inside the permission."""
        permit = admit(conn, session, self.ws.clock())
        if permit is None:
            raise OutsidePermission(refusal(conn, session, self.ws.clock()))
        confine(conn, permit, read_ids)

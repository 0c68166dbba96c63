"""Cases: the work an investigator does under one case number, gathered and shown to its members.

A case has a number in the profile's format, the purpose it serves, a title, an owner and
members. Declaring it in the purpose bar binds the session's searches to it; the guard refuses
data access under a case that is closed or that the user is not a member of, so closing a case
ends its searches at once. Every operation here is guarded and logged, with the case's number
in the entry's query, so the case's own history is part of its work.
"""
from __future__ import annotations

from pathlib import Path

from ..alerts.store import end_case as end_alerts
from ..auth import Session
from ..errors import NotFound, PermissionDenied, PurposeRequired, ValidationError
from ..outfile import write_logged
from . import store
from .store import Case, CaseView

MAX_TITLE, MAX_NOTE = 200, 4000

__all__ = ["Case", "CaseService", "CaseView"]


def _text(value: str, what: str, limit: int) -> str:
    text = " ".join((value or "").split()) if what == "title" else (value or "").strip()
    if not text:
        raise ValidationError(f"Give the case's {what}.")
    if len(text) > limit:
        raise ValidationError(f"A case's {what} is at most {limit} characters.")
    return text


class CaseService:
    """Cases for the GUI and the command line (``ws.cases``)."""

    def __init__(self, ws) -> None:
        self.ws = ws

    # -- the guard's questions ------------------------------------------------------------------
    def check_declare(self, session: Session, purpose: str, number: str) -> None:
        """Before a purpose and case are declared: a registered case must be open, the user
        one of its members, and the purpose the case's own. Unregistered numbers stay allowed."""
        case = self._lookup(number)
        if case is None:
            return
        self._check_member(session, case, "purpose_set")
        if not case.is_open:
            raise self.ws._deny(session, "purpose_set", PurposeRequired(
                f"Case {case.number} is closed, so nothing more can be searched under it; "
                "declare an open case."))
        if purpose != case.purpose:
            raise self.ws._deny(session, "purpose_set", ValidationError(
                f"Case {case.number} was opened for purpose {case.purpose}; declare it with "
                "that purpose."))

    def check_use(self, session: Session, action: str) -> None:
        """At every data access: the declared case is still open and the user still a member."""
        case = self._lookup(session.case_number or "")
        if case is None:
            return
        self._check_member(session, case, action)
        if not case.is_open:
            raise self.ws._deny(session, action, PurposeRequired(
                f"Case {case.number} was closed, so it can no longer be used to search or view "
                "ALPR data; declare an open case."))

    def _lookup(self, number: str) -> Case | None:
        with self.ws.store.reading() as conn:
            return store.by_number(conn, number)

    def _check_member(self, session: Session, case: Case, action: str) -> None:
        if session.user.username not in case.members:
            raise self.ws._deny(session, action, PermissionDenied(
                f"You are not a member of case {case.number}; ask its owner to add you."))

    # -- what members do ------------------------------------------------------------------------
    def open(self, session: Session, number: str, purpose: str, title: str,
             members: tuple[str, ...] = ()) -> Case:
        """A new case owned by the session's user, who is its first member."""
        self.ws.guard(session, "search", need_purpose=False)
        number = self.ws.profile.check_case_number(number)
        code = self.ws.profile.purpose(purpose).code
        title = _text(title, "title", MAX_TITLE)
        names = [self._user(m) for m in members]
        now = int(self.ws.clock())

        def work(conn) -> Case:
            if store.by_number(conn, number) is not None:
                raise ValidationError(f"Case {number} already exists.")
            store.insert(conn, number, code, title, session.user.username, names, now)
            return store.by_number(conn, number)  # type: ignore[return-value]  # inserted just above
        return self.ws.logged(session, "case_open", work, purpose=False,
                              query={"case_number": number},
                              detail=lambda c: {"purpose": code, "title": title,
                                                "members": list(c.members)})

    def mine(self, session: Session, include_closed: bool = False) -> list[Case]:
        """The user's cases (numbers and titles, no ALPR data: not logged, and asked by the
        purpose bar at every change, so a role without searches simply has none)."""
        self.ws.auth.touch(session)
        if "search" not in self.ws.profile.role(session.user.role).grants:
            return []
        with self.ws.store.reading() as conn:
            return store.of_member(conn, session.user.username, include_closed)

    def show(self, session: Session, number: str) -> CaseView:
        """A case and its work, for a member (a logged view naming the bookmarked reads)."""
        case = self._member_case(session, number, "search")
        return self.ws.logged(session, "case_view", lambda conn: store.load_view(conn, case),
                              purpose=False, query={"case_number": case.number},
                              result_ids=lambda v: v.read_ids,
                              detail=lambda v: {"notes": len(v.notes), "bookmarks": len(v.bookmarks),
                                                "entries": len(v.work)})

    def close(self, session: Session, number: str, reason: str) -> Case:
        """Only the owner closes a case; from then on the guard refuses searches under it."""
        case = self._member_case(session, number, "search", open_only=True)
        if case.owner != session.user.username:
            raise self.ws._deny(session, "search", PermissionDenied(
                f"Only the owner of case {case.number} ({case.owner}) can close it."))
        reason = _text(reason, "closing reason", MAX_NOTE)
        now = int(self.ws.clock())

        def work(conn) -> Case:
            conn.execute("UPDATE cases SET status = 'closed', closed_at = ?, closed_by = ?, "
                         "close_reason = ? WHERE id = ?", (now, session.user.username, reason, case.id))
            end_alerts(conn, case.number, now, session.actor)      # its standing alerts end too
            return store.by_number(conn, case.number)  # type: ignore[return-value]  # it exists
        return self.ws.logged(session, "case_close", work, purpose=False,
                              query={"case_number": case.number}, detail=lambda _c: {"reason": reason})

    def add_member(self, session: Session, number: str, username: str) -> Case:
        """The owner adds a colleague, who then sees the case and may work under it."""
        case = self._member_case(session, number, "search", open_only=True)
        if case.owner != session.user.username:
            raise self.ws._deny(session, "search", PermissionDenied(
                f"Only the owner of case {case.number} ({case.owner}) can add members."))
        name = self._user(username)
        now = int(self.ws.clock())

        def work(conn) -> Case:
            conn.execute("INSERT OR IGNORE INTO case_members(case_id, username, added_by, added_at) "
                         "VALUES (?,?,?,?)", (case.id, name, session.user.username, now))
            return store.by_number(conn, case.number)  # type: ignore[return-value]  # it exists
        return self.ws.logged(session, "case_member_add", work, purpose=False,
                              query={"case_number": case.number}, detail=lambda _c: {"member": name})

    def note(self, session: Session, number: str, text: str) -> int:
        """A note in the case's record (what was learnt, what was done off the system)."""
        case = self._member_case(session, number, "search", open_only=True)
        text = _text(text, "note", MAX_NOTE)
        now = int(self.ws.clock())
        return self.ws.logged(
            session, "case_note",
            lambda conn: conn.execute("INSERT INTO case_notes(case_id, author, text, created_at) "
                                      "VALUES (?,?,?,?)", (case.id, session.user.username, text, now)
                                      ).lastrowid,
            purpose=False, query={"case_number": case.number}, detail=lambda n: {"note_id": n})

    def bookmark(self, session: Session, number: str, read_id: int, note: str = "") -> None:
        """Keep a read with the case (a read found in a search, to come back to)."""
        case = self._member_case(session, number, "view", open_only=True)
        note = (note or "").strip()[:MAX_NOTE]
        now = int(self.ws.clock())

        def work(conn) -> None:
            if conn.execute("SELECT 1 FROM reads WHERE id = ?", (read_id,)).fetchone() is None:
                raise NotFound(f"Read {read_id} is not held on this workstation (purged or never synced).")
            conn.execute("INSERT INTO case_bookmarks(case_id, read_id, note, added_by, added_at) "
                         "VALUES (?,?,?,?,?) ON CONFLICT(case_id, read_id) DO UPDATE SET "
                         "note = excluded.note", (case.id, read_id, note, session.user.username, now))
        self.ws.logged(session, "case_bookmark", work, purpose=False,
                       query={"case_number": case.number, "read_id": read_id},
                       result_ids=lambda _r: [read_id], detail=lambda _r: {"note": note})

    def summary_pdf(self, session: Session, number: str, path: Path) -> Path:
        """Print the case's summary; the print's entry is committed before the file exists."""
        from .summary_pdf import render
        case = self._member_case(session, number, "print")
        with self.ws.store.reading() as conn:
            view = store.load_view(conn, case)
        data = render(view, profile=self.ws.profile, user=session.user, now=self.ws.clock(),
                      store_id=self.ws.store.store_id, log_anchor=self.ws.log_anchor())
        path = Path(path)
        write_logged(self.ws, session.actor, "print", path, lambda part: part.write_bytes(data),
                     query={"case_number": case.number, "report": "case_summary"},
                     purpose=case.purpose, case_number=case.number, result_ids=view.read_ids,
                     detail={"notes": len(view.notes), "bookmarks": len(view.bookmarks),
                             "entries": len(view.work)})
        return path

    # -- helpers --------------------------------------------------------------------------------
    def _member_case(self, session: Session, number: str, grant: str, *, open_only: bool = False) -> Case:
        self.ws.guard(session, grant, need_purpose=False)
        case = self._lookup(self.ws.profile.check_case_number(number))
        if case is None:
            raise NotFound(f"There is no case {number.strip().upper()} on this workstation.")
        self._check_member(session, case, grant)
        if open_only and not case.is_open:
            raise ValidationError(f"Case {case.number} is closed; its record can no longer change.")
        return case

    def _user(self, username: str) -> str:
        user = self.ws.auth.get_user(username)
        if user is None:
            raise NotFound(f"No user {username!r}.")
        return user.username

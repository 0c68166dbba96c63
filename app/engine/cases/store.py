"""Cases in the store: plain functions on a connection, run inside the facade's transactions.

A case row holds what the case *is* (number, purpose, title, owner, members, open or closed);
what was *done* under it is not copied here but found where it already lives: the access-log
entries carrying its number (searches, views, exports, prints, its own notes and bookmarks) and
the holds placed for it. Only notes and bookmarked reads are stored for the case itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..accesslog import LogEntry, iter_entries
from ..search import ROW_SQL, ReadRow, row_from

WORK_LIMIT = 500                     # newest log entries a case view lists


@dataclass(frozen=True)
class Case:
    id: int
    number: str
    purpose: str
    title: str
    owner: str
    status: str                      # open | closed
    opened_at: int
    closed_at: int | None
    closed_by: str | None
    close_reason: str | None
    members: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class CaseNote:
    id: int
    author: str
    text: str
    created_at: int


@dataclass(frozen=True)
class Bookmark:
    read_id: int
    note: str
    added_by: str
    added_at: int
    read: ReadRow | None             # None: the read was purged since it was bookmarked


@dataclass(frozen=True)
class CaseHold:
    id: int
    kind: str
    reason: str
    placed_by: str
    placed_at: int
    released_at: int | None
    reads: int


@dataclass(frozen=True)
class CaseView:
    """A case and its work, newest first."""

    case: Case
    notes: list[CaseNote]
    bookmarks: list[Bookmark]
    holds: list[CaseHold]
    work: list[LogEntry]             # access-log entries under the case's number

    @property
    def read_ids(self) -> list[int]:
        return [b.read_id for b in self.bookmarks if b.read is not None]


_CASE_SQL = ("SELECT id, number, purpose, title, owner, status, opened_at, closed_at, closed_by, "
             "close_reason FROM cases")


def _members(conn, case_id: int) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.execute(
        "SELECT username FROM case_members WHERE case_id = ? ORDER BY username", (case_id,)))


def _case(conn, r: tuple) -> Case:
    return Case(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], _members(conn, r[0]))


def by_number(conn, number: str) -> Case | None:
    row = conn.execute(f"{_CASE_SQL} WHERE number = ?", (number,)).fetchone()
    return _case(conn, row) if row else None


def of_member(conn, username: str, include_closed: bool) -> list[Case]:
    """The cases ``username`` belongs to, open ones first, newest first."""
    rows = conn.execute(
        f"{_CASE_SQL} WHERE id IN (SELECT case_id FROM case_members WHERE username = ?)"
        f"{'' if include_closed else ' AND status = ' + repr('open')} "
        "ORDER BY status = 'closed', opened_at DESC, id DESC", (username,)).fetchall()
    return [_case(conn, r) for r in rows]


def insert(conn, number: str, purpose: str, title: str, owner: str, members: list[str],
           now: int) -> int:
    case_id = conn.execute("INSERT INTO cases(number, purpose, title, owner, opened_at) "
                           "VALUES (?,?,?,?,?)", (number, purpose, title, owner, now)).lastrowid
    conn.executemany("INSERT OR IGNORE INTO case_members(case_id, username, added_by, added_at) "
                     "VALUES (?,?,?,?)", [(case_id, m, owner, now) for m in [owner, *members]])
    return case_id


def load_view(conn, case: Case) -> CaseView:
    notes = [CaseNote(*r) for r in conn.execute(
        "SELECT id, author, text, created_at FROM case_notes WHERE case_id = ? "
        "ORDER BY created_at DESC, id DESC", (case.id,))]
    marks = conn.execute("SELECT read_id, note, added_by, added_at FROM case_bookmarks "
                         "WHERE case_id = ? ORDER BY added_at DESC, read_id", (case.id,)).fetchall()
    reads = {t[0]: row_from(t) for t in conn.execute(
        f"{ROW_SQL} WHERE r.id IN (SELECT read_id FROM case_bookmarks WHERE case_id = ?)", (case.id,))}
    holds = [CaseHold(*r) for r in conn.execute(
        "SELECT h.id, h.kind, h.reason, h.placed_by, h.placed_at, h.released_at, "
        "(SELECT count(*) FROM hold_reads WHERE hold_id = h.id) FROM holds h "
        "WHERE h.case_number = ? ORDER BY h.placed_at DESC", (case.number,))]
    under = "(case_number = ? OR json_extract(query, '$.case_number') = ?)"
    newest = conn.execute(f"SELECT seq FROM access_log WHERE {under} ORDER BY seq DESC LIMIT 1 "
                          "OFFSET ?", (case.number, case.number, WORK_LIMIT - 1)).fetchone()
    work = list(iter_entries(conn, f"WHERE {under} AND seq >= ?",
                             (case.number, case.number, newest[0] if newest else 0)))
    return CaseView(case, notes, [Bookmark(m[0], m[1], m[2], m[3], reads.get(m[0])) for m in marks], holds,
                    work[::-1])

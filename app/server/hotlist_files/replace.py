"""Replacing one hotlist on the city server with what a file holds, in one transaction.

Workstations pull entries by change number and never see a deletion, so a replacement does
not delete: an entry the file still holds is kept as it is, a new one is added, and one the
file no longer holds is expired now (a change workstations pull, so its hits stop). Either
all of that is committed or none of it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from app.server.base import CityServer
from app.server.model import HotlistEntry

from .formats import Parsed


@dataclass
class ImportReport:
    list_id: str
    file_name: str
    added: int = 0
    kept: int = 0
    expired: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.list_id}: {self.added + self.kept} entries ({self.added} new, {self.kept} unchanged), "
                f"{self.expired} expired, {len(self.rejects)} lines rejected.")


def replace_list(server: CityServer, parsed: Parsed, file_name: str, data: bytes, now: int) -> ImportReport:
    h = parsed.hotlist
    report = ImportReport(h.id, file_name, rejects=parsed.rejects)
    wanted: dict[tuple, HotlistEntry] = {}
    for e in parsed.entries:
        wanted.setdefault((e.plate, e.plate_state, e.reason, e.priority, e.expires_at), e)
    s = server
    with s.writing() as conn:
        seq = s._alloc(conn, "change", 1)
        s._run(conn, "INSERT INTO hotlists(id, name, source, kind, seq) VALUES (?,?,?,?,?) "
               "ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source, "
               "kind = excluded.kind, seq = excluded.seq", (h.id, h.name, h.source, h.kind, seq))
        held = s._run(conn, "SELECT id, plate, plate_state, reason, priority, expires_at FROM hotlist_entries "
                      "WHERE hotlist_id = ? AND (expires_at IS NULL OR expires_at > ?)", (h.id, now))
        gone = []
        for row in held:
            key = (row[1], row[2], row[3], int(row[4]), None if row[5] is None else int(row[5]))
            if wanted.pop(key, None) is not None:
                report.kept += 1
            else:
                gone.append(int(row[0]))
        new = list(wanted.values())
        if new:
            first_id = s._alloc(conn, "entry", len(new))
            first = s._alloc(conn, "change", len(new))
            s._many(conn, "INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, expires_at, "
                    "added_by, added_at, seq, plate_state) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(first_id + i, h.id, e.plate, e.reason, e.priority, e.expires_at, e.added_by,
                      e.added_at, first + i, e.plate_state) for i, e in enumerate(new)])
        if gone:
            first = s._alloc(conn, "change", len(gone))
            s._many(conn, "UPDATE hotlist_entries SET expires_at = ?, seq = ? WHERE id = ?",
                    [(now, first + i, eid) for i, eid in enumerate(gone)])
        s._run(conn, "INSERT INTO hotlist_imports(list_id, file_name, sha256, at, entries, rejected) "
               "VALUES (?,?,?,?,?,?) RETURNING id", (h.id, file_name[:255], hashlib.sha256(data).hexdigest(),
                                                     now, len(parsed.entries), len(parsed.rejects)))
    report.added, report.expired = len(new), len(gone)
    return report


def imported(server: CityServer, list_id: str, sha256: str) -> bool:
    """Whether this very file was imported into this list before (the watched folder skips it)."""
    with server._reading() as conn:
        return bool(server._run(conn, "SELECT 1 FROM hotlist_imports WHERE list_id = ? AND sha256 = ?",
                                (list_id, sha256)))

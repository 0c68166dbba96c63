"""Printing a read or a search's results as PDF (``ws.printing``).

A printout takes ALPR data out of the audited system, so it is a ``print`` under the declared
purpose and case: the entry naming the file, the report and every read on it is committed
before the file is written (``outfile.write_logged``); if it cannot be, nothing is written.
"""
from __future__ import annotations

from pathlib import Path

from . import search
from .auth import Session
from .digests import packed, unpacked
from .errors import NotFound
from .outfile import write_logged
from .read_report import PrintContext, render_read, render_search
from .reads import load_detail

MAX_PRINTED = 2000           # reads on one printed search; more are named as left out


class PrintService:
    def __init__(self, ws) -> None:
        self.ws = ws

    def _context(self, session: Session) -> PrintContext:
        return PrintContext(self.ws.profile, session.user, session.purpose or "",
                            session.case_number or "", self.ws.clock(), self.ws.store.store_id,
                            self.ws.log_anchor())

    def read(self, session: Session, read_id: int, path: Path) -> Path:
        """One read with both its photos and its facts."""
        self.ws.guard(session, "print")
        with self.ws.store.reading() as conn:
            detail = load_detail(conn, int(read_id))
            if detail is None:
                raise NotFound(f"Read {read_id} is not held on this workstation (purged or never synced).")
            photos = {unpacked(sha): bytes(data) for sha, data in conn.execute(
                "SELECT sha256, data FROM images WHERE sha256 IN (?, ?)",
                (packed(detail.plate_image_sha256), packed(detail.scene_image_sha256)))}
        data = render_read(detail, photos.get(detail.plate_image_sha256 or ""),
                           photos.get(detail.scene_image_sha256 or ""), self._context(session))
        return self._write(session, path, data, {"report": "read", "read_id": detail.read.id},
                           [detail.read.id], {"photos": len(photos)})

    def search(self, session: Session, query: search.SearchQuery, path: Path,
               limit: int = MAX_PRINTED) -> Path:
        """A search's results (up to ``limit`` reads), with the search as asked."""
        self.ws.guard(session, "search")
        self.ws.guard(session, "print")
        q = search.check(query, self.ws.profile.plateless_search_max_hours)
        with self.ws.store.reading() as conn:
            rows, more = search.run_page(conn, q, 0, min(int(limit), search.MAX_PAGE))
        data = render_search(rows, q.to_log(), more, self._context(session))
        return self._write(session, path, data, {"report": "search", **q.to_log()},
                           [r.id for r in rows], {"reads": len(rows), "more": more})

    def _write(self, session: Session, path: Path, data: bytes, query: dict, ids: list[int],
               detail: dict) -> Path:
        path = Path(path)
        write_logged(self.ws, session.actor, "print", path, lambda part: part.write_bytes(data),
                     query=query, purpose=session.purpose, case_number=session.case_number,
                     result_ids=ids, detail={**detail, "bytes": len(data)})
        return path

"""``ws.breach``: the designee's breach steps through the facade, each guarded and logged.

Recording an incident, assessing it from the log, writing each notice (the entry naming the
file is committed before the file is written: ``outfile.write_logged``), and recording a
notice as sent, posted or taken down are each one access-log entry, so the audit shows the
whole response and its dates.
"""
from __future__ import annotations

from pathlib import Path

from .. import timefmt
from ..auth import Session
from ..outfile import write_logged
from . import breach, notices_pdf
from .breach import Assessment, Incident, IncidentForm, Notice


class BreachService:
    def __init__(self, ws) -> None:
        self.ws = ws

    def _guard(self, session: Session) -> None:
        self.ws.guard(session, "breach_record", need_purpose=False)

    def record(self, session: Session, form: IncidentForm) -> Incident:
        ws, rules = self.ws, self.ws.profile.breach
        self._guard(session)
        now = int(ws.clock())

        def work(conn) -> Incident:
            f = breach.check_form(conn, form, ws.store.store_id, now)
            return breach.incident(conn, breach.record(conn, f, rules.notices, rules.notice_within_days,
                                                       session.user.username, now))
        return ws.logged(session, "breach_record", work,
                         query={"medium_kind": form.medium_kind, "medium": form.medium},
                         detail=lambda i: {"incident_id": i.id, "what": i.what,
                                           "found": timestamp(i.found_at),
                                           "window": f"{timestamp(i.window_start)} to "
                                                     f"{timestamp(i.window_end)}",
                                           "notices": list(rules.notices),
                                           "due_days": rules.notice_within_days},
                         purpose=False)

    def incidents(self, session: Session) -> list[Incident]:
        self._guard(session)
        with self.ws.store.reading() as conn:
            return breach.incidents(conn)

    def notices(self, session: Session, incident_id: int) -> list[Notice]:
        self._guard(session)
        with self.ws.store.reading() as conn:
            breach.incident(conn, incident_id)
            return breach.notices(conn, incident_id)

    def assess(self, session: Session, incident_id: int) -> Assessment:
        """What the medium held and who accessed what in the window (a logged look at the log)."""
        self._guard(session)
        retention = self.ws.profile.retention_days

        def work(conn) -> Assessment:
            inc = breach.incident(conn, incident_id)
            return Assessment(inc, breach.held(conn, inc, retention), breach.accesses(conn, inc))
        return self.ws.logged(session, "breach_assess", work, query={"incident_id": incident_id},
                              detail=lambda a: {"reads": a.held.reads, "cameras": len(a.held.cameras),
                                                "export_entries": list(a.held.export_entries),
                                                "people": len({x.username for x in a.accesses})},
                              purpose=False)

    def produce(self, session: Session, incident_id: int, folder: Path) -> list[Path]:
        """Write every notice of the incident as a PDF into ``folder``; returns the files."""
        ws = self.ws
        assessment = self.assess(session, incident_id)
        folder = Path(folder)
        written = []
        for n in self.notices(session, incident_id):
            path = folder / f"breach-{incident_id}-{n.kind.replace('_', '-')}.pdf"
            pdf = notices_pdf.render(ws.profile, n, assessment, ws.clock())
            write_logged(ws, session.actor, "breach_notice", path, _writer(pdf),
                         query={"incident_id": incident_id, "notice_id": n.id},
                         detail={"kind": n.kind, "due": timestamp(n.due_at)})
            with ws.store.transaction() as conn:
                breach.produced(conn, n.id, str(path), session.user.username, int(ws.clock()))
            written.append(path)
        return written

    def complete(self, session: Session, notice_id: int, done_on: str) -> Notice:
        """The notice was sent (or, for the website, posted) on ``done_on``."""
        self._guard(session)
        days = self.ws.profile.breach.website_min_days
        return self.ws.logged(
            session, "breach_notice_done",
            lambda conn: breach.complete(conn, notice_id, done_on, session.user.username, days),
            query={"notice_id": notice_id},
            detail=lambda n: {"incident_id": n.incident_id, "kind": n.kind, "done_on": n.done_on,
                              "keep_until": n.keep_until, "due": timestamp(n.due_at)},
            purpose=False)

    def take_down(self, session: Session, notice_id: int, removed_on: str) -> Notice:
        """The website notice came down on ``removed_on`` (not before its minimum days)."""
        self._guard(session)
        days = self.ws.profile.breach.website_min_days
        return self.ws.logged(
            session, "breach_notice_removed",
            lambda conn: breach.removed(conn, notice_id, removed_on, days),
            query={"notice_id": notice_id},
            detail=lambda n: {"incident_id": n.incident_id, "posted_on": n.done_on,
                              "removed_on": n.removed_on}, purpose=False)


def _writer(data: bytes):
    """The file-writing step ``write_logged`` runs once its entry is committed."""
    return lambda part: Path(part).write_bytes(data)


def timestamp(ts: int) -> str:
    return timefmt.fmt_utc(ts, seconds=False)

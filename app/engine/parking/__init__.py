"""LA Metro parking: occupancy, ordinance enforcement, revenue reconciliation, appeal packets.

``ParkingService`` is reached as ``ws.parking``. Each function is one of the policy's four
purposes (section 4), so each call is guarded twice: the role's grant (``parking_*`` in the
profile) and the declared purpose, which must be the one the profile's ``[parking]`` table
names for that function; a refusal is logged. Each view, import, citation, report and packet
is logged with the reads it touched, in the transaction that does the work (files: the entry
first, ``outfile.write_logged``; packets: the evidence journal).
"""
from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .. import accesslog, retention, timefmt
from ..errors import NotFound, PermissionDenied, PurposeRequired, ValidationError
from ..progress import CancelToken, Progress
from . import appeal, facilities, imports, occupancy, reconcile, rules, stays
from .appeal import CITATION_COLS, Citation
from .facilities import Facility
from .imports import ImportReport
from .occupancy import DayOccupancy, Trend
from .reconcile import Reconciliation
from .rules import Finding

if TYPE_CHECKING:
    from ..evidence import ExportResult

FUNCTIONS = {"parking_revenue": "revenue", "parking_enforce": "enforcement",
             "parking_occupancy": "occupancy", "parking_court": "court"}
__all__ = ["ParkingService", "Facility", "Finding", "Citation", "ImportReport", "StayList"]


@dataclass(frozen=True)
class StayList:
    stays: list[stays.Stay]
    unpaired: list[tuple[int, str, int, str]]        # read id, plate, time, reason


class ParkingService:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.tz = timefmt.zone(ws.profile.time_zone)

    # -- the guard -------------------------------------------------------------------------
    def _check(self, session, action: str) -> None:
        """The role's grant and current training (the facade's guard), then the purpose."""
        self.ws.guard(session, action)
        wanted = dict(self.ws.profile.parking_purposes).get(FUNCTIONS[action])
        exc: Exception | None = None
        if wanted is None:
            exc = PermissionDenied(f"The {self.ws.profile.name} defines no parking functions.")
        elif session.purpose != wanted:
            label = self.ws.profile.purpose(wanted).label
            exc = PurposeRequired(f"This is allowed only under purpose {wanted} ({label}); the "
                                  f"session's purpose is {session.purpose}.")
        if exc is not None:
            self.ws.log(session.actor, "denied", purpose=session.purpose,
                        case_number=session.case_number, detail={"action": action, "reason": str(exc)})
            raise exc

    def may(self, session, action: str) -> bool:
        """Whether the role has this parking function at all (for showing screens)."""
        return (action in self.ws.profile.role(session.user.role).grants
                and FUNCTIONS[action] in dict(self.ws.profile.parking_purposes))

    def _facility(self, conn, fid: str) -> Facility:
        fac = facilities.load(conn, fid)
        stays.expire(conn, fid, int(self.ws.clock()) - self.ws.profile.retention_days * 86400)
        stays.refresh(conn, fac)
        return fac

    def facilities(self, session) -> list[Facility]:
        """Every facility held: set-up data (names, capacity, rules), not ALPR data."""
        self.ws.auth.touch(session)
        with self.ws.store.reading() as conn:
            return facilities.load_all(conn)

    # -- occupancy (counts only) -----------------------------------------------------------
    def occupancy(self, session, fid: str, day: date) -> tuple[DayOccupancy, int]:
        """A day's occupancy by hour and the number present now."""
        self._check(session, "parking_occupancy")
        now = self.ws.clock()
        return self.ws.logged(
            session, "parking_occupancy",
            lambda conn: (occupancy.day(conn, self._facility(conn, fid), day, self.tz),
                          occupancy.live(conn, facilities.load(conn, fid), now)),
            query={"facility": fid, "day": day.isoformat()},
            detail=lambda r: {"peak": r[0].peak, "live": r[1], "counts_only": True})

    def trend(self, session, fid: str, last: date, days: int = 28) -> Trend:
        self._check(session, "parking_occupancy")
        if not 1 <= days <= 366:
            raise ValidationError("A trend covers 1 to 366 days.")
        return self.ws.logged(
            session, "parking_occupancy",
            lambda conn: occupancy.trend(conn, self._facility(conn, fid), last, days, self.tz),
            query={"facility": fid, "trend_until": last.isoformat(), "days": days},
            detail=lambda _t: {"counts_only": True})

    def occupancy_pdf(self, session, fid: str, day: date, path: Path, days: int = 28) -> Path:
        """The printable occupancy report: the day by hour, the trend by hour and weekday."""
        from . import report_pdf                         # (reportlab: loaded when printing)
        d, live = self.occupancy(session, fid, day)
        t = self.trend(session, fid, day, days)
        fac = next(f for f in self.facilities(session) if f.id == fid)
        rep = self._report(session, f"Occupancy: {fac.name}, {day.isoformat()}",
                           [("Facility", f"{fac.name} ({fac.id})"), ("Capacity", str(fac.capacity)),
                            ("Present now", str(live)), ("Peak on the day", str(d.peak)),
                            ("Entries / exits", f"{d.entries} / {d.exits}")])
        hours = [f"{h:02d}" for h in range(24)]
        rep.charts = [report_pdf.Chart(f"{day.isoformat()}: most vehicles present, by hour", hours,
                                       list(d.by_hour), fac.capacity),
                      report_pdf.Chart(f"Trend over {days} days: mean by hour", hours, list(t.by_hour),
                                       fac.capacity),
                      report_pdf.Chart(f"Trend over {days} days: mean daily peak by weekday",
                                       list(occupancy.WEEKDAYS), list(t.by_weekday), fac.capacity)]
        self._write(session, "parking_report", path, lambda part: part.write_bytes(report_pdf.render(rep)),
                    {"facility": fid, "day": day.isoformat(), "report": "occupancy"}, [])
        return Path(path)

    # -- stays and enforcement -------------------------------------------------------------
    def stays(self, session, fid: str, day: date) -> StayList:
        """Stays that entered on a day, the open ones, and the reads that could not be paired."""
        self._check(session, "parking_enforce")
        start, end = rules.local_day(day, self.tz)

        def work(conn) -> StayList:
            self._facility(conn, fid)
            return StayList(stays.load(conn, "facility_id = ? AND entry_at >= ? AND entry_at < ? "
                                       "ORDER BY entry_at, id", (fid, start, end)),
                            stays.unpaired(conn, fid, start, end))
        return self.ws.logged(session, "parking_stays", work,
                              query={"facility": fid, "day": day.isoformat()},
                              result_ids=lambda r: sorted({i for s in r.stays for i in s.read_ids}
                                                          | {u[0] for u in r.unpaired}),
                              detail=lambda r: {"stays": len(r.stays), "unpaired": len(r.unpaired)})

    def violations(self, session, fid: str, day: date) -> list[Finding]:
        """Stays that entered on a day and broke a rule, each with its reads."""
        self._check(session, "parking_enforce")
        start, end = rules.local_day(day, self.tz)
        now = self.ws.clock()

        def work(conn) -> list[Finding]:
            fac = self._facility(conn, fid)
            found, _orphans = rules.findings(conn, fac, stays.load(
                conn, "facility_id = ? AND entry_at >= ? AND entry_at < ? ORDER BY entry_at, id",
                (fid, start, end)), now, self.tz)
            return [f for f in found if f.violations]
        return self.ws.logged(session, "parking_violations", work,
                              query={"facility": fid, "day": day.isoformat()},
                              result_ids=lambda fs: sorted({i for f in fs for i in f.stay.read_ids}),
                              detail=lambda fs: {"violations": sum(len(f.violations) for f in fs)})

    def issue_citation(self, session, fid: str, entry_read_id: int, kind: str,
                       citation_no: str) -> Citation:
        """Record a citation for a violation found now, and hold its reads as evidence."""
        self._check(session, "parking_enforce")
        number = self.ws.profile.check_case_number(citation_no)
        if not number.startswith("CIT-"):
            raise ValidationError(f"{number} is not a citation number; use CIT- and 8 digits.")
        now = self.ws.clock()

        def work(conn) -> Citation:
            fac = self._facility(conn, fid)
            found = stays.load(conn, "facility_id = ? AND entry_read_id = ?", (fid, entry_read_id))
            if not found:
                raise NotFound(f"No stay at {fid} begins with read {entry_read_id}.")
            if conn.execute("SELECT 1 FROM parking_citations WHERE citation_no = ?", (number,)).fetchone():
                raise ValidationError(f"Citation {number} was already issued.")
            finding = rules.findings(conn, fac, found, now, self.tz)[0][0]
            v = next((v for v in finding.violations if v.kind == kind), None)
            if v is None:
                raise ValidationError(f"The stay beginning with read {entry_read_id} shows no {kind} "
                                      "violation now; no citation was recorded.")
            s = finding.stay
            hold = retention.place_hold(conn, number, "evidence", f"Parking citation {number}: {v.reason}",
                                        s.read_ids, session.user.username, int(now))
            accesslog.append(conn, now, session.actor, "hold_place", purpose=session.purpose,
                             case_number=number, query={"case_number": number, "kind": "evidence"},
                             result_ids=s.read_ids, detail={"hold_id": hold, "citation": number})
            detail = json.dumps({"reason": v.reason, "rule": v.rule.describe()})
            cur = conn.execute(
                f"INSERT INTO parking_citations({CITATION_COLS.replace('id, ', '', 1)}) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (number, fid, kind, s.plate, s.entry_read_id, s.exit_read_id, s.entry_at, s.exit_at,
                 detail, hold, session.user.username, int(now)))
            return Citation(cur.lastrowid, number, fid, kind, s.plate, s.entry_read_id, s.exit_read_id,
                            s.entry_at, s.exit_at, detail, hold, session.user.username, int(now))
        return self.ws.logged(session, "parking_citation", work,
                              query={"facility": fid, "entry_read_id": entry_read_id, "kind": kind},
                              result_ids=lambda c: c.read_ids,
                              detail=lambda c: {"citation": c.citation_no, "hold_id": c.hold_id})

    def citations(self, session) -> list[Citation]:
        """Citations on record (numbers, plates and reads: a logged view)."""
        grants = self.ws.profile.role(session.user.role).grants
        self._check(session, "parking_court" if "parking_court" in grants else "parking_enforce")
        return self.ws.logged(
            session, "parking_citations",
            lambda conn: [Citation(*r) for r in conn.execute(
                f"SELECT {CITATION_COLS} FROM parking_citations ORDER BY issued_at DESC")],
            result_ids=lambda cs: sorted({i for c in cs for i in c.read_ids}),
            detail=lambda cs: {"citations": len(cs)})

    # -- imports and reconciliation ----------------------------------------------------------
    def import_payments(self, session, fid: str, path: Path) -> ImportReport:
        """Pay-by-plate sessions or a day's transactions; bad lines come back with reasons."""
        self._check(session, "parking_revenue")
        rep = imports.payments(Path(path), self.tz)
        return self._store(session, fid, rep, path, "INSERT INTO parking_payments(facility_id, "
                           "plate, plate_skel, start_at, end_at, amount_cents, method, line, batch) "
                           "VALUES (?,?,?,?,?,?,?,?,?)")

    def import_permits(self, session, fid: str, path: Path) -> ImportReport:
        self._check(session, "parking_enforce")
        with self.ws.store.reading() as conn:
            zones = {z.id for z in facilities.load(conn, fid).zones}
        rep = imports.permits(Path(path), self.tz, zones)
        return self._store(session, fid, rep, path, "INSERT INTO parking_permits(facility_id, plate, "
                           "plate_skel, zone, valid_from, valid_until, permit_no, batch) "
                           "VALUES (?,?,?,?,?,?,?,?)")

    def _store(self, session, fid: str, rep: ImportReport, path: Path, sql: str) -> ImportReport:
        if not rep.rows:
            raise ValidationError(f"No line of {Path(path).name} could be imported; the first "
                                  f"problem: line {rep.rejected[0][0]}: {rep.rejected[0][1]}")
        table = f"parking_{rep.kind}"

        def work(conn) -> ImportReport:
            facilities.load(conn, fid)
            batch = conn.execute(f"SELECT coalesce(max(batch), 0) + 1 FROM {table}").fetchone()[0]
            rows = rep.rows if rep.kind == "payments" else [r[:6] for r in rep.rows]
            conn.executemany(sql, [(fid, *r, batch) for r in rows])
            return rep
        return self.ws.logged(session, "parking_import", work,
                              query={"facility": fid, "kind": rep.kind, "file": Path(path).name},
                              detail=lambda r: {"accepted": r.accepted, "rejected": len(r.rejected),
                                                "first_rejects": r.rejected[:20]})

    def reconcile(self, session, fid: str, day: date) -> Reconciliation:
        self._check(session, "parking_revenue")
        now = self.ws.clock()
        return self.ws.logged(
            session, "parking_reconcile",
            lambda conn: reconcile.reconcile(conn, self._facility(conn, fid), day, self.tz, now),
            query={"facility": fid, "day": day.isoformat()}, result_ids=lambda r: r.read_ids,
            detail=lambda r: {"stays": r.totals.stays, "payments_without_stay": len(r.orphans),
                              "due_cents": r.totals.due_cents,
                              "collected_cents": r.totals.collected_cents})

    def write_reconciliation(self, session, rec: Reconciliation, path: Path) -> Path:
        """The reconciliation as PDF (``.pdf``) or CSV (any other name); logged before writing."""
        from . import report_pdf
        self._check(session, "parking_revenue")
        path = Path(path)
        if path.suffix.lower() == ".pdf":
            rep = self._report(session, f"Revenue reconciliation: {rec.facility.name}, "
                               f"{rec.day.isoformat()}", [("Facility", f"{rec.facility.name} "
                                                           f"({rec.facility.id})"),
                                                          ("Day", rec.day.isoformat())]
                               + reconcile.totals_rows(rec.totals))
            rep.wide = True
            rep.sections = [("Stays and payments", reconcile.HEADER,
                             reconcile.table_rows(rec, self.tz))]

            def write(part: Path) -> None:
                part.write_bytes(report_pdf.render(rep))
        else:
            def write(part: Path) -> None:
                reconcile.write_csv(rec, part, self.tz)
        self._write(session, "parking_report", path, write,
                    {"facility": rec.facility.id, "day": rec.day.isoformat(), "report": "reconciliation"},
                    rec.read_ids)
        return path

    # -- the appeal packet -------------------------------------------------------------------
    def appeal_packet(self, session, citation_no: str, target: Path,
                      token: CancelToken | None = None) -> Generator[Progress, None, ExportResult]:
        """The Transit Court packet of a citation, on the evidence machinery (logged, held)."""
        from ..evidence import ExportRequest
        from ..evidence.package import PackageFile
        from . import report_pdf
        self._check(session, "parking_court")
        number = self.ws.profile.check_case_number(citation_no)
        if session.case_number != number:
            raise PurposeRequired(f"Declare case {number} (the citation) before building its packet.")
        now = self.ws.clock()

        def work(conn) -> tuple[Citation, Facility, Finding | None, appeal.Agreement]:
            row = conn.execute(f"SELECT {CITATION_COLS} FROM parking_citations WHERE citation_no = ?",
                               (number,)).fetchone()
            if row is None:
                raise NotFound(f"No citation {number} on this workstation.")
            cit = Citation(*row)
            fac = self._facility(conn, cit.facility_id)
            found = stays.load(conn, "facility_id = ? AND entry_read_id = ?", (fac.id, cit.entry_read_id))
            finding = rules.findings(conn, fac, found, now, self.tz)[0][0] if found else None
            return cit, fac, finding, appeal.agreement(conn, fac, cit.exit_at or cit.issued_at)
        cit, fac, finding, acc = self.ws.logged(
            session, "parking_appeal", work, query={"citation": number},
            result_ids=lambda r: r[0].read_ids, detail=lambda r: {"agreement": r[3].rate})
        doc = appeal.facts(cit, fac, finding, acc, self.ws.profile.vendor_perfect_read_rate, self.tz)
        table, paragraphs, sections = appeal.statement_sections(doc)
        rep = self._report(session, f"Transit Court appeal: citation {number}", table)
        rep.paragraphs, rep.sections = paragraphs, sections
        pdf = report_pdf.render(rep)
        data = json.dumps(doc, indent=1).encode("utf-8")
        req = ExportRequest(cit.read_ids, Path(target), f"Transit Court appeal packet for parking "
                            f"citation {number} ({cit.kind}, {fac.name})",
                            extra_files=(PackageFile("appeal/statement.pdf", len(pdf), lambda _r: pdf),
                                         PackageFile("appeal/appeal.json", len(data), lambda _r: data)),
                            title="Transit Court Appeal Packet")
        return (yield from self.ws.evidence.export(session, req, token))

    # -- shared ------------------------------------------------------------------------------
    def _report(self, session, title: str, facts: list[tuple[str, str]]):
        """The heading every parking PDF starts with: who made it, for what, when."""
        from . import report_pdf
        p, (seq, digest) = self.ws.profile, self.ws.log_anchor()
        banner = f"{p.agency} | Purpose {session.purpose} | Case {session.case_number}"
        return report_pdf.Report(title, banner, [
            ("Agency", p.agency), ("Purpose", f"{session.purpose}: {p.purpose(session.purpose).label}"),
            ("Case", session.case_number or ""),
            ("Made by", f"{session.user.full_name} ({session.user.username})"),
            ("Made at", timefmt.fmt(self.ws.clock(), self.tz)),
            ("Access-log anchor", f"entry {seq}, hash {digest}")] + facts,
            author=session.user.full_name, keywords=f"alpr-log-anchor:{seq}:{digest}")

    def _write(self, session, action: str, path: Path, write, query: dict, ids: list[int]) -> None:
        from ..outfile import write_logged
        write_logged(self.ws, session.actor, action, Path(path), write, query=query,
                     purpose=session.purpose, case_number=session.case_number, result_ids=ids)

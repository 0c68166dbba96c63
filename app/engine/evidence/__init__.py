"""Evidence export to portable media, package verification and releases to other agencies.

``EvidenceService`` is reached as ``ws.evidence``. Every method goes through the facade's
guard, and every export, failed export, verification, hold and release decision leaves an
access-log entry. Exports and aggregate releases are generators of :class:`Progress` so the
GUI can run them in a worker and cancel them; ``run`` drives one to its result.

Log before data leaves: an export commits its ``export_started`` entry (and a journal row)
before the first byte reaches the medium; see ``journal.py``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .. import accesslog, retention
from ..accesslog import SYSTEM, Actor
from ..auth import Session
from ..errors import ExportError, ImageMismatch, ImageOffline, ReleaseRefused, ValidationError
from ..progress import CancelToken, Progress
from . import journal, release
from .aggregate import (AggregateQuery, AggregateRow, aggregate, aggregate_csv, aggregate_json,
                        shown_total)
from .content import collect
from .drives import Drive, DriveList, drive_list, media_label, removable_drives, start_folder
from .journal import Recovered
from .media import PackageWriter
from .package import PackageFile, Written, package_name, space_needed, write_package
from .release import ReleaseRequest, ReleaseRequestForm
from .verify import VerifyResult, verify_package

__all__ = ["EvidenceService", "ExportRequest", "ExportResult", "AggregateQuery", "AggregateRow",
           "Recovered", "ReleaseRequest", "ReleaseRequestForm", "VerifyResult", "Drive", "DriveList",
           "start_folder", "verify_package", "run"]
T = TypeVar("T")


@dataclass(frozen=True)
class ExportRequest:
    read_ids: list[int]
    target: Path                        # a removable drive's mount point or any folder
    description: str                    # what the package is, in the exporter's words
    release_request_id: int | None = None
    recipient: str | None = None        # another agency: needs an approved release request
    include_derived: bool = False       # add plate-box-outlined copies of the scenes
    extra_files: tuple[PackageFile, ...] = ()   # more files a caller adds (the parking appeal)
    title: str = "ALPR Evidence Package"        # the custody form's title


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest_sha256: str
    pdf_sha256: str
    files: int
    bytes: int
    read_ids: list[int]
    hold_id: int | None                 # the hold placed now, or the one that already held them
    warnings: list[str] = field(default_factory=list)
    holds_reused: list[int] = field(default_factory=list)   # earlier evidence holds of the case kept


def run(gen: Generator[Progress, None, T], on_progress: Callable[[Progress], None] | None = None) -> T:
    """Drive a progress generator to its return value (the command line and tests)."""
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            return stop.value
        if on_progress:
            on_progress(p)


class EvidenceService:
    def __init__(self, ws) -> None:
        self.ws = ws

    # -- export ------------------------------------------------------------------------------
    def export(self, session: Session, req: ExportRequest,
               token: CancelToken | None = None) -> Generator[Progress, None, ExportResult]:
        """Write a verified package for the session's case, then hold its reads."""
        from . import custody_pdf                       # (imaging and PDF: loaded on first export,
        from .plan import ExportContext, evidence_files, summary   # not at every start-up)
        ws, token = self.ws, token or CancelToken()
        ws.guard(session, "export")
        if not req.description.strip():
            raise ValidationError("Describe the package (what it holds and why) for the custody form.")
        recipient, on_file = self._recipient(session, req.release_request_id, req.recipient,
                                             release.FULL, req.read_ids)
        case = session.case_number or ""        # (the guard has checked that a case is declared)
        self._fetch_images(req.read_ids)
        with ws.store.reading() as conn:
            data = collect(conn, req.read_ids, case)
            held = evidence_holds(conn, case, data.read_ids)
        ctx = ExportContext.of(ws, session, package_name("ALPR", case, ws.clock()),
                               req.description.strip(), recipient, on_file, media_label(req.target))
        files = evidence_files(data, ctx, req.include_derived) + list(req.extra_files)
        hold_note = _hold_note(len(data.reads), held, case, ws.profile.custodian_title)
        ids = data.read_ids

        def custody(msha, entries):
            return custody_pdf.render(ctx.custody(req.title, msha,
                                                  summary(data, entries), hold_note), entries)

        def record(conn, w: Written) -> tuple[int, dict]:
            """Hold the reads for the case: an evidence hold of the case that already holds a
            read is kept (a second export of the same reads places no second hold)."""
            now = int(ws.clock())
            self._consume(conn, session, req.release_request_id, ctx.name, now)
            already = evidence_holds(conn, case, ids)
            reused = sorted(set(already.values()))
            missing = [i for i in ids if i not in already]
            if not missing:
                return reused[-1], {"hold_reused": True, "holds_reused": reused}
            reason = f"Evidence export {ctx.name}: {ctx.description}"[:500]
            hold = retention.place_hold(conn, case, "evidence", reason, missing,
                                        session.user.username, now)
            accesslog.append(conn, ws.clock(), session.actor, "hold_place",
                             query={"case_number": case, "kind": "evidence"}, result_ids=missing,
                             detail={"hold_id": hold, "reason": reason, "reads": len(missing)})
            return hold, {"hold_reused": False, "holds_reused": reused}

        return (yield from self._write(session, "export", req.target, ctx.name, files, custody,
                                       record, ids, token, {"release_request": req.release_request_id,
                                                            "recipient": recipient}))

    def _fetch_images(self, read_ids: list[int]) -> None:
        """Bring every image of the package the cache lacks from the city server, each checked
        against its ingest SHA-256, before anything is written (the loaders read the cache)."""
        try:
            self.ws.images.ensure(read_ids)
        except (ImageOffline, ImageMismatch) as exc:
            text = str(exc)
            raise ExportError("The export stopped before writing anything: "
                              f"{text[0].lower()}{text[1:]}") from None

    def _recipient(self, session: Session, request_id: int | None, recipient: str | None,
                   scope: str, read_ids: list[int] | None = None) -> tuple[str, str]:
        """Who gets the package and the request on file; every read must be inside the request's
        scope. Refusals are logged as denials."""
        own = self.ws.profile.agency
        try:
            if request_id is None:
                if recipient and recipient.strip().lower() not in {own.lower(), session.user.agency.lower()}:
                    raise ReleaseRefused(
                        f"An export for {recipient} needs the agency's written release request, "
                        f"approved by the {self.ws.profile.designee_title}, on file first.")
                return f"{own} (internal: property room / case file)", "none (internal export)"
            with self.ws.store.reading() as conn:
                req = release.approved(conn, self.ws.profile, request_id, scope)
                release.check_reads(conn, req, list(read_ids or []))
            return req.agency, req.summary()
        except ReleaseRefused as exc:
            self._refused(session, "export", request_id, exc)
            raise

    def _refused(self, session: Session, action: str, request_id: int | None, exc: ReleaseRefused) -> None:
        self.ws.log(session.actor, "denied", purpose=session.purpose, case_number=session.case_number,
                    detail={"action": action, "release_request": request_id, "reason": str(exc)})

    def _consume(self, conn, session: Session, request_id: int | None, package: str, now: int) -> None:
        """A release uses up its request, in the transaction that logs the release."""
        if request_id is not None:
            release.consume(conn, request_id, session.user.username, package, now)

    def _write(self, session, action, target, name, files: list[PackageFile], custody, record,
               ids: list[int], token, detail: dict) -> Generator[Progress, None, ExportResult]:
        """The shared tail: log the start, write, rename and read back, then log (and hold).

        Nothing reaches the medium before the ``export_started`` entry and the journal row are
        committed; a failure here removes the partial package and logs ``<action>_failed``; a
        crash is cleaned up and logged by :meth:`recover_interrupted` at the next start.
        """
        ws = self.ws
        writer = PackageWriter(Path(target), name)
        try:
            writer.check(space_needed(files))
        except ExportError as exc:                      # refused before anything was written
            ws.log(session.actor, f"{action}_failed", purpose=session.purpose,
                   case_number=session.case_number, result_ids=ids,
                   detail={"package": name, "target": str(target), "written": False,
                           "error": type(exc).__name__, "reason": str(exc)})
            raise
        flight = journal.start(ws, session, action, writer, ids, detail)
        try:
            written = yield from write_package(writer, files, custody, token, ws.store.reader)

            def work(conn):
                held = record(conn, written)
                journal.recorded(conn, flight)
                return held
            hold, hold_detail = ws.logged(
                session, action, work, query={"read_ids": len(ids), "target": str(target)},
                result_ids=lambda _h: ids,
                detail=lambda h: {**detail, "package": name, "hold_id": h[0], **h[1],
                                               "export_started_seq": flight.started_seq,
                                               "manifest_sha256": written.manifest_sha256,
                                               "pdf_sha256": written.pdf_sha256,
                                               "files": len(written.entries), "bytes": written.bytes,
                                               "warnings": written.writer.warnings})
            final = writer.final_dir
        except BaseException as exc:
            journal.fail(ws, session, flight, exc)
            raise
        journal.done(ws, flight)
        yield Progress("done", len(files), len(files), bytes_done=written.bytes, message=str(final))
        return ExportResult(final, written.manifest_sha256, written.pdf_sha256,
                            len(written.writer.entries), written.bytes, ids, hold,
                            written.writer.warnings, hold_detail.get("holds_reused", []))

    def recover_interrupted(self, actor: Actor = SYSTEM) -> list[Recovered]:
        """At start-up: clean up after exports that a crash, kill or power cut interrupted.

        For each export still open in the journal whose process is gone, remove what it left on
        the medium and log ``export_failed`` (naming the ``export_started`` entry and the
        leftovers), or, with the medium absent, log them as unremoved and try again at the next
        start. Returns what was done, one item per export.
        """
        return journal.recover(self.ws, actor)

    # -- verify and drives ---------------------------------------------------------------------
    def verify(self, session: Session, path: Path) -> VerifyResult:
        """Check a package folder; the check and its verdict are logged."""
        self.ws.auth.touch(session)
        result = verify_package(Path(path))
        self.ws.log(session.actor, "evidence_verify", query={"path": str(path)}, detail=result.to_log())
        return result

    @staticmethod
    def drives() -> list[Drive]:
        return removable_drives()

    @staticmethod
    def drive_list() -> DriveList:
        """The drives to offer, or why there are none (for the export dialog)."""
        return drive_list()

    # -- releases ------------------------------------------------------------------------------
    def request_release(self, session: Session, form: ReleaseRequestForm) -> ReleaseRequest:
        """Put another agency's written request on file (before anything can be released)."""
        self.ws.guard(session, "release_request", need_purpose=False)
        now = int(self.ws.clock())
        try:
            return self.ws.logged(
                session, "release_request",
                lambda conn: release.get(conn, release.enter(conn, form, self.ws.profile,
                                                             session.user.username, now)),
                query={"agency_id": form.agency_id},
                detail=lambda r: {"request_id": r.id, "agency": r.agency, "agency_type": r.agency_type,
                                  "agency_version": r.agency_version, "requester": r.requester,
                                  "purpose": r.purpose, "description": r.description,
                                  "their_case": r.case_number, "scope": r.scope_text()},
                purpose=False)
        except ReleaseRefused as exc:
            self._refused(session, "release_request", None, exc)
            raise

    def decide_release(self, session: Session, request_id: int, approve: bool, note: str) -> ReleaseRequest:
        """The designee approves or denies a request on file; an unlawful approval, and the
        approval of a request one entered oneself, are refused (and logged as denials)."""
        self.ws.guard(session, "release_approve", need_purpose=False)
        now = int(self.ws.clock())
        try:
            return self.ws.logged(
                session, "release_approve" if approve else "release_deny",
                lambda conn: release.decide(conn, self.ws.profile, request_id, approve,
                                            session.user.username, note, now),
                query={"request_id": request_id},
                detail=lambda r: {"status": r.status, "agency": r.agency, "note": r.decision_note,
                                  "entered_by": r.entered_by, "scope": r.scope_text()},
                purpose=False)
        except ReleaseRefused as exc:
            self.ws.log(session.actor, "denied", detail={"action": "release_approve",
                                                          "request_id": request_id, "reason": str(exc)})
            raise

    def list_releases(self, session: Session, status: str | None = None) -> list[ReleaseRequest]:
        grants = self.ws.profile.role(session.user.role).grants
        self.ws.guard(session, "release_approve" if "release_request" not in grants else "release_request",
                      need_purpose=False)
        with self.ws.store.reading() as conn:
            return release.list_requests(conn, status)

    def approved_requests(self, session: Session) -> list[ReleaseRequest]:
        """Approved requests a full export may be made under, for whoever exports (the export
        dialog picks one; the export checks it again, with its reads)."""
        self.ws.guard(session, "export", need_purpose=False)
        with self.ws.store.reading() as conn:
            return [r for r in release.list_requests(conn, "approved")
                    if r.has_scope and r.agency_type in self.ws.profile.release.full_data_to]

    def export_aggregate(self, session: Session, request_id: int, query: AggregateQuery, target: Path,
                         description: str, token: CancelToken | None = None
                         ) -> Generator[Progress, None, ExportResult]:
        """Counts only (no plates, no images) for an approved request of a non-police agency,
        inside the request's period and place; the request is used up by it."""
        from . import custody_pdf
        from .plan import ExportContext
        ws, token = self.ws, token or CancelToken()
        ws.guard(session, "export")
        try:
            with ws.store.reading() as conn:
                req = release.approved(conn, ws.profile, request_id, release.AGGREGATE)
                query = release.check_aggregate(req, query.check())
                rows = aggregate(conn, query)
                release.check_rows_cameras(req, [r.camera_id for r in rows])
        except ReleaseRefused as exc:
            self._refused(session, "release_aggregate", request_id, exc)
            raise
        recipient, on_file = req.agency, req.summary()
        ctx = ExportContext.of(ws, session, package_name("ALPR-AGGREGATE", session.case_number, ws.clock()),  # type: ignore[arg-type]  # the purpose and case are checked by the guard before this
                               description.strip() or "Aggregate counts", recipient, on_file,
                               media_label(target))
        least = ws.profile.aggregate_min_count
        files = [PackageFile("aggregate.csv", 0, lambda _read: aggregate_csv(rows, query, least)),
                 PackageFile("aggregate.json", 0, lambda _read: aggregate_json(ctx.header(), rows, query, least))]

        def custody(msha, entries):
            text = (f"{len(rows)} locations, {shown_total([r.reads for r in rows], least)} reads "
                    f"counted; counts only, no plate numbers and no images; counts under {least} "
                    f"shown as \"fewer than {least}\"")
            return custody_pdf.render(ctx.custody("ALPR Aggregate Release", msha, text,
                                                  "No reads are released, so no hold is placed."), entries)

        def record(conn, w: Written) -> tuple[None, dict]:
            self._consume(conn, session, request_id, ctx.name, int(ws.clock()))
            return None, {}

        return (yield from self._write(session, "release_aggregate", target, ctx.name, files, custody,
                                       record, [], token, {"release_request": request_id}))


def evidence_holds(conn, case_number: str | None, read_ids: list[int]) -> dict[int, int]:
    """Read id -> the newest active evidence hold of this case that holds it."""
    if not case_number or not read_ids:
        return {}
    return dict(conn.execute(
        "SELECT hr.read_id, max(h.id) FROM hold_reads hr JOIN holds h ON h.id = hr.hold_id "
        "WHERE h.released_at IS NULL AND h.kind = 'evidence' AND h.case_number = ? "
        "AND hr.read_id IN (SELECT value FROM json_each(?)) GROUP BY hr.read_id",
        (case_number, json.dumps(sorted(read_ids)))).fetchall())


def _hold_note(n: int, held: dict[int, int], case: str | None, custodian: str) -> str:
    """What the custody form says about the hold, as planned (the export's transaction decides)."""
    holds = ", ".join(f"#{h}" for h in sorted(set(held.values())))
    plural = "s" if len(set(held.values())) > 1 else ""
    if held and len(held) >= n:
        return (f"The {n} reads are already on evidence hold{plural} {holds} for case {case}; this "
                f"export keeps them there and places no second hold. Only the {custodian} may "
                "release it.")
    if held:
        return (f"{len(held)} of the {n} reads are already on evidence hold{plural} {holds} for case "
                f"{case}; on export the other {n - len(held)} are placed on a new evidence hold for the "
                f"case. Only the {custodian} may release them.")
    return (f"On export the {n} reads are placed on an evidence hold for case {case}; only the "
            f"{custodian} may release it.")

"""``ws.custody``: the records custodian's work and the oversight reports, behind the guard.

The purge preview changes nothing but is logged (it shows counts by day and the holds' cases);
the purge returns its certificate; certificates are listed and printed by whoever may purge or
audit; the transparency report is written by a role granted ``transparency_report`` and checked
by an auditor (``audit_verify``). Every file is named in the log before its first byte.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import timefmt
from ..auth import Session
from ..errors import NotFound
from ..outfile import write_logged
from ..retention import HELD, buckets
from . import certificate_pdf, transparency_html, transparency_pdf
from .certificates import Certificate, HoldKept, by_day, holds_keeping, load, newest
from .transparency import Period, PolicyText, Report, figures
from .transparency_verify import Verification, verify


@dataclass(frozen=True)
class PurgePreview:
    """What a purge now would remove and keep, and why."""

    cutoff: int
    retention_days: int
    reads: int
    hits: int
    by_day: tuple[tuple[str, int], ...]
    kept_by_hold: int
    holds_kept: tuple[HoldKept, ...]
    oldest_left: int | None          # the oldest read the purge would leave


@dataclass(frozen=True)
class ReportWritten:
    path: Path
    seq: int                         # the log entry naming the file
    through_seq: int                 # the head its figures were counted up to
    digest: str


class CustodyService:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.tz = timefmt.zone(ws.profile.time_zone)

    # -- purge -------------------------------------------------------------------------------
    def preview(self, session: Session) -> PurgePreview:
        self.ws.guard(session, "purge")
        cutoff = int(self.ws.clock()) - self.ws.profile.retention_days * 86400
        due = f"read_at < ? AND id NOT IN ({HELD})"
        with self.ws.store.reading() as conn:
            days = by_day(buckets(conn, due, (cutoff,)), self.tz)
            hits = conn.execute(f"SELECT count(*) FROM hits WHERE read_id IN (SELECT id FROM reads "
                                f"WHERE {due})", (cutoff,)).fetchone()[0]
            kept = conn.execute(f"SELECT count(*) FROM reads WHERE read_at < ? AND id IN ({HELD})",
                                (cutoff,)).fetchone()[0]
            holds = holds_keeping(conn, "r.read_at < ?", (cutoff,))
            left = [v for (v,) in conn.execute(
                f"SELECT min(read_at) FROM reads WHERE read_at >= ? UNION ALL SELECT min(read_at) "
                f"FROM reads WHERE id IN ({HELD})", (cutoff,)) if v is not None]
        preview = PurgePreview(cutoff, self.ws.profile.retention_days, sum(n for _d, n in days), hits,
                               days, kept, holds, min(left) if left else None)
        self.ws.log(session.actor, "purge_preview",
                    detail={"cutoff": timefmt.fmt_utc(cutoff), "reads": preview.reads, "hits": hits,
                            "days": len(days), "kept_by_hold": kept, "holds": [h.hold_id for h in holds]})
        return preview

    def purge(self, session: Session) -> Certificate:
        """Purge now (``Workstation.purge``) and return the certificate it wrote."""
        report = self.ws.purge(session)
        with self.ws.store.reading() as conn:
            return load(conn, report.certificate)  # type: ignore[return-value]  # a session's purge always writes one

    # -- certificates --------------------------------------------------------------------------
    def _guard_records(self, session: Session) -> None:
        grants = self.ws.profile.role(session.user.role).grants
        self.ws.guard(session, "purge" if "purge" in grants else "audit_view", need_purpose=False)

    def certificates(self, session: Session, limit: int = 500) -> list[Certificate]:
        self._guard_records(session)
        with self.ws.store.reading() as conn:
            found = newest(conn, limit)
        self.ws.log(session.actor, "retention_certificate_view", detail={"certificates": len(found)})
        return found

    def certificate(self, session: Session, certificate_id: int) -> Certificate:
        self._guard_records(session)
        with self.ws.store.reading() as conn:
            cert = load(conn, certificate_id)
        if cert is None:
            raise NotFound(f"No retention certificate {certificate_id} on this workstation.")
        self.ws.log(session.actor, "retention_certificate_view", query={"certificate_id": certificate_id})
        return cert

    def certificate_pdf(self, session: Session, certificate_id: int, path: Path) -> Path:
        cert = self.certificate(session, certificate_id)
        with self.ws.store.reading() as conn:
            head = conn.execute("SELECT hash FROM access_log WHERE seq = ?", (cert.seq,)).fetchone()
        pdf = certificate_pdf.render(cert, self.ws.profile, (cert.seq, head[0] if head else ""), self.tz)
        write_logged(self.ws, session.actor, "retention_certificate_print", Path(path),
                     lambda part: part.write_bytes(pdf), query={"certificate_id": certificate_id})
        return Path(path)

    # -- transparency ---------------------------------------------------------------------------
    def transparency_report(self, session: Session, period: Period, path: Path) -> ReportWritten:
        """The period's report as HTML (``.html``) or PDF (any other name), logged first."""
        self.ws.guard(session, "transparency_report", need_purpose=False)
        with self.ws.store.reading() as conn:
            figs = figures(conn, period, self.tz)
        role = self.ws.profile.role(session.user.role)
        report = Report(PolicyText.of(self.ws.profile), period.label,
                        timefmt.fmt(self.ws.clock(), self.tz), f"{role.title}, {session.user.agency}",
                        self.ws.store.store_id, figs)
        html = Path(path).suffix.lower() in (".html", ".htm")
        data = transparency_html.render(report) if html else transparency_pdf.render(report)
        digest = figs.digest()
        seq = write_logged(self.ws, session.actor, "transparency_report", Path(path),
                           lambda part: part.write_bytes(data),
                           detail={"format": "html" if html else "pdf", "period": period.label,
                                   "figures_sha256": digest, "figures": figs.to_json()})
        return ReportWritten(Path(path), seq, figs.through_seq, digest)

    def verify_transparency(self, session: Session, path: Path) -> Verification:
        """Check a report against this store's log (logged with its verdict)."""
        grants = self.ws.profile.role(session.user.role).grants
        self.ws.guard(session, "audit_verify" if "audit_verify" in grants else "transparency_report",
                      need_purpose=False)
        with self.ws.store.reading() as conn:
            result = verify(conn, Path(path))
        self.ws.log(session.actor, "transparency_verify",
                    detail={"file": Path(path).name, "ok": result.ok, "through_seq": result.through_seq,
                            "problems": list(result.problems[:10])})
        return result

"""The review's report: a PDF to sign and file, and a CSV of its items for a spreadsheet.

Both name the access log's head when they were made (``alpr-log-anchor:SEQ:HASH``: the PDF in
its keywords, the CSV in every row), so ``alpr audit verify --against`` can later show that the
log still holds everything the report was made from. Writing either is data leaving the
workstation: the ``audit_review_report`` entry naming the file is committed first
(outfile.py). The PDF embeds its DejaVu fonts and is tagged for screen readers (pdf.py).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .. import timefmt
from ..auth import Session
from ..errors import ValidationError
from ..outfile import write_logged
from ..pdf import BOLD, CREATOR, FONT, LANG, Tag, TaggedCanvas, register_fonts, table_tagger
from .records import OUTCOMES
from .risk_rules import TITLES

MAX_ENTRIES = 600                   # entries printed in the appendix; the CSV and the log hold all
_GRID, _SHADE = colors.HexColor("#555555"), colors.HexColor("#e8e8e8")
CSV_FIELDS = ["review", "period", "status", "item", "rule", "rule_title", "sentence", "entries",
              "users", "outcome", "note", "finding_entry", "log_anchor"]


def anchor_text(anchor: tuple[int, str]) -> str:
    return f"alpr-log-anchor:{anchor[0]}:{anchor[1]}"


def write(svc, session: Session, review_id: int, path: Path) -> Path:
    """Write the review's PDF or CSV (by the file's suffix), logged before the first byte."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("pdf", "csv"):
        raise ValidationError(f"{path.name}: a review report is a .pdf or a .csv file.")
    detail = svc.open(session, review_id, logged=False)
    anchor = svc.ws.log_anchor()
    data = render_pdf(detail, svc.ws.profile, anchor) if kind == "pdf" else render_csv(detail, anchor)
    write_logged(svc.ws, session.actor, "audit_review_report", path, lambda part: part.write_bytes(data),
                 query={"review": detail.review.id, "format": kind},
                 detail={"items": len(detail.items), "anchor": f"{anchor[0]}:{anchor[1]}"})
    return path


def render_csv(detail, anchor: tuple[int, str]) -> bytes:
    r = detail.review
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS)
    for i in detail.items:
        w.writerow([r.id, r.label, r.status, i.item, i.rule, TITLES.get(i.rule, i.rule), i.sentence,
                    " ".join(map(str, i.seqs)), " ".join(i.users), i.outcome or "", i.note or "",
                    i.found_seq or "", anchor_text(anchor)])
    return buf.getvalue().encode("utf-8")


# -- the PDF --------------------------------------------------------------------------------------
class _Canvas(TaggedCanvas):
    def __init__(self, *args, banner: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._banner = banner

    def decorate(self, page: int, total: int) -> None:
        width, height = LETTER
        self.setFont(BOLD, 8)
        self.drawString(0.6 * inch, height - 0.45 * inch, self._banner)
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        self.setFont(FONT, 7)
        self.drawString(0.6 * inch, 0.4 * inch, "Access-log review: confidential. It names users and "
                        "the log entries behind each finding.")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {"title": ParagraphStyle("t", fontName=BOLD, fontSize=14, leading=18, alignment=1),
            "sub": ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12, alignment=1, spaceAfter=6),
            "h": ParagraphStyle("h", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
            "cell": ParagraphStyle("c", fontName=FONT, fontSize=7.5, leading=9.5),
            "head": ParagraphStyle("b", fontName=BOLD, fontSize=7.5, leading=9.5)}


def _table(rows: list[list[str]], widths: list[float], st: dict, header: bool = True) -> Tag:
    data = [[Paragraph(escape(str(v)), st["head"] if (header and n == 0) or (not header and c == 0)
                       else st["cell"]) for c, v in enumerate(row)] for n, row in enumerate(rows)]
    t = Table(data, colWidths=[w * inch for w in widths], repeatRows=1 if header else 0,
              renderCB=table_tagger(header_rows=1 if header else 0, header_cols=0 if header else 1))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, _GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                           ("BACKGROUND", (0, 0), (-1, 0) if header else (0, -1), _SHADE)]))
    return Tag("Table", t)


def _facts(detail, profile, anchor: tuple[int, str]) -> list[list[str]]:
    r, tz = detail.review, timefmt.zone(profile.time_zone)

    def when(ts) -> str:
        return timefmt.fmt(ts, tz) if ts else "-"
    scope = "every user" if r.scope_owner is None else \
        f"the staff of {r.scope_owner}: {', '.join(r.scope_users) or 'nobody'}"
    rows = [["Agency", profile.agency], ["Policy", f"{profile.policy_reference}; {profile.statute}"],
            ["Period", f"{r.label}: {when(r.period_start)} to {when(r.period_end)}"
                       + (" (the profile's schedule)" if r.scheduled else " (on demand)")],
            ["Entries of", scope], ["Reviewer", f"{r.reviewer}, started {when(r.started_at)}"],
            ["Log read up to", f"entry {r.through_seq}, hash {r.through_hash}"],
            ["Sample seed", f"{r.sample_seed} (the same seed draws the same sample again)"],
            ["Status", r.status],
            ["Signed off", f"{when(r.signed_at)} (entry {r.signoff_seq}) {r.signoff_note or ''}"
                           if r.signed_at else "not yet"],
            ["Approved", f"by {r.approver}, {when(r.approved_at)} (entry {r.approve_seq}) "
                         f"{r.approve_note or ''}" if r.approved_at else "not yet"],
            ["Access-log anchor", f"{anchor_text(anchor)} (the log's head when this was printed)"]]
    return rows + [["Not checked", n] for n in r.notes]


def render_pdf(detail, profile, anchor: tuple[int, str]) -> bytes:
    st, r = _styles(), detail.review
    tz = timefmt.zone(profile.time_zone)
    buf = io.BytesIO()
    meta = dict(title=f"Audit review #{r.id}: {r.label}", author=r.reviewer,
                subject=f"Access-log review of {profile.agency}", keywords=anchor_text(anchor))
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.7 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    counts: dict[str, int] = {}
    for i in detail.items:
        counts[i.rule] = counts.get(i.rule, 0) + 1
    found = [[str(i.item), TITLES.get(i.rule, i.rule), i.sentence, " ".join(map(str, i.seqs[:12]))
              + (f" (+{len(i.seqs) - 12})" if len(i.seqs) > 12 else ""), i.outcome or "none yet", i.note or ""]
             for i in detail.items]
    seqs = sorted(detail.entries)
    shown = [[str(s), timefmt.fmt_iso_utc(detail.entries[s].ts, tz), detail.sentence(s)] for s in seqs[:MAX_ENTRIES]]
    story = [Tag("H1", Paragraph(escape(f"{profile.agency}: review of the ALPR access log"), st["title"])),
             Tag("P", Paragraph(escape(f"{r.label}, review #{r.id}"), st["sub"])),
             Tag("H2", Paragraph("1. The review", st["h"])),
             _table(_facts(detail, profile, anchor), [1.5, 5.8], st, header=False),
             Tag("H2", Paragraph("2. What the rules flagged, and the sample", st["h"])),
             _table([["Rule", "Items"]] + ([[TITLES.get(k, k), str(v)] for k, v in counts.items()]
                                          or [["none", "0"]]), [3.0, 1.0], st),
             Spacer(1, 6),
             Tag("P", Paragraph(escape("Findings: " + "; ".join(f"{k}: {v}" for k, v in OUTCOMES.items())),
                                st["cell"])),
             Spacer(1, 4),
             _table([["#", "Rule", "What was seen", "Entries", "Finding", "Note"]] + found,
                    [0.3, 1.0, 2.8, 0.9, 0.7, 1.6], st),
             Tag("H2", Paragraph("3. The entries behind them", st["h"])),
             _table([["Entry", "Time", "What happened"]] + shown, [0.6, 1.5, 5.2], st)]
    if len(seqs) > MAX_ENTRIES:
        story.append(Tag("P", Paragraph(f"{len(seqs) - MAX_ENTRIES} more entries are not printed; the "
                                        "CSV report and the access log hold them.", st["cell"])))
    story += [Spacer(1, 18),
              Tag("P", Paragraph("Reviewer: ______________________ Date: ________ &nbsp;&nbsp; "
                                 "Approver: ______________________ Date: ________", st["cell"]))]
    doc.build(story, canvasmaker=lambda *a, **k: _Canvas(
        *a, banner=f"{profile.agency} \u2014 audit review #{r.id}, {r.label}", **meta, **k))
    return buf.getvalue()

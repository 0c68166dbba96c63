"""The printed summary of a case: what the case is, and the work done under it.

A printout leaves the audited system, so like every report it names the agency, case and
purpose on each page with "page x of y" and a handling notice, and its first table names who
printed it, on which workstation, and the access-log entry it follows (the anchor), so the
paper can be matched to the log. Fonts are embedded (DejaVu) and the document is tagged for
screen readers (``app/engine/pdf.py``).
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .. import states, timefmt
from ..audit import describe
from ..pdf import BOLD, CREATOR, FONT, LANG, Tag, TaggedCanvas, register_fonts, table_tagger
from .store import CaseView

MAX_ROWS = 1000                      # rows per table on paper; the rest are counted
_GRID = colors.HexColor("#777777")
_SHADE = colors.HexColor("#e4e8ee")


class _Canvas(TaggedCanvas):
    def __init__(self, *args, banner: str, notice: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._banner, self._notice = banner, notice

    def decorate(self, page: int, total: int) -> None:
        width, height = LETTER
        self.setFont(BOLD, 8)
        self.drawString(0.6 * inch, height - 0.45 * inch, self._banner)
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        self.setFont(FONT, 7)
        self.drawString(0.6 * inch, 0.45 * inch, "ALPR information: law-enforcement sensitive.")
        self.drawString(0.6 * inch, 0.32 * inch, self._notice)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {"title": ParagraphStyle("t", parent=base["Title"], fontName=BOLD, fontSize=15),
            "h": ParagraphStyle("h", parent=base["Heading3"], fontName=BOLD, spaceBefore=8),
            "cell": ParagraphStyle("c", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10),
            "label": ParagraphStyle("l", parent=base["BodyText"], fontName=BOLD, fontSize=8, leading=10)}


def _table(head: list[str], rows: list[list[str]], st: dict, widths: list[float] | None = None) -> Tag:
    cells = [[Paragraph(escape(h), st["label"]) for h in head]]
    cells += [[Paragraph(escape(v), st["cell"]) for v in row] for row in rows[:MAX_ROWS]]
    t = Table(cells, colWidths=widths, repeatRows=1, renderCB=table_tagger(header_rows=1))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
                           ("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return Tag("Table", t)


def _section(story: list, title: str, head: list[str], rows: list[list[str]], st: dict,
             widths: list[float] | None = None) -> None:
    story += [Tag("H2", Paragraph(escape(f"{title} ({len(rows)})"), st["h"]))]
    if not rows:
        story.append(Tag("P", Paragraph("None.", st["cell"])))
        return
    story.append(_table(head, rows, st, widths))
    if len(rows) > MAX_ROWS:
        story.append(Tag("P", Paragraph(f"{len(rows) - MAX_ROWS} more rows are not printed.", st["cell"])))


def render(view: CaseView, *, profile, user, now: float, store_id: str,
           log_anchor: tuple[int, str]) -> bytes:
    """The PDF bytes of one case's summary."""
    register_fonts()
    st, tz, case = _styles(), timefmt.zone(profile.time_zone), view.case
    purpose = profile.purpose(case.purpose)
    role = profile.role(user.role).title

    def t(ts: int | None) -> str:
        return timefmt.fmt(ts, tz)
    facts = [("Agency", profile.agency), ("Case number", case.number),
             ("Purpose", f"{purpose.code}: {purpose.label}"), ("Title", case.title),
             ("Owner", case.owner), ("Members", ", ".join(case.members)),
             ("Status", "open" if case.is_open else
              f"closed {t(case.closed_at)} by {case.closed_by}: {case.close_reason}"),
             ("Opened", t(case.opened_at)),
             ("Printed by", f"{user.full_name} ({user.username}), {role}"),
             ("Printed at", f"{t(int(now))} ({timefmt.fmt_utc(now)})"), ("Workstation", store_id),
             ("Access-log anchor", f"entry {log_anchor[0]}, hash {log_anchor[1]}")]
    story: list = [Tag("H1", Paragraph(escape(f"Case summary: {case.number}"), st["title"])),
                   _table(["Item", "Value"], [[k, v] for k, v in facts], st, [1.5 * inch, 5.8 * inch])]
    _section(story, "Notes", ["Time", "Author", "Note"],
             [[t(n.created_at), n.author, n.text] for n in view.notes], st,
             [1.5 * inch, 1.0 * inch, 4.8 * inch])
    _section(story, "Bookmarked reads", ["Read", "Plate", "State", "Time", "Camera", "Site", "Note"],
             [[str(b.read_id)] + ([b.read.plate, states.shown(b.read.plate_state), t(b.read.read_at),
                                   b.read.camera_id, b.read.site] if b.read else
                                  ["(purged)", "", "", "", ""]) + [b.note] for b in view.bookmarks], st)
    _section(story, "Holds", ["Hold", "Kind", "Reason", "Placed", "Reads", "Released"],
             [[str(h.id), h.kind, h.reason, f"{t(h.placed_at)} by {h.placed_by}", str(h.reads),
               t(h.released_at) if h.released_at else "active"] for h in view.holds], st)
    _section(story, "Work under this case (access log, newest first)", ["Entry", "Time", "What happened"],
             [[str(e.seq), timefmt.fmt_iso_utc(e.ts, tz), describe(e)] for e in view.work], st,
             [0.6 * inch, 1.5 * inch, 5.2 * inch])
    buf = io.BytesIO()
    meta = dict(title=f"Case summary {case.number}", author=user.full_name, subject=case.title,
                keywords=f"alpr-log-anchor:{log_anchor[0]}:{log_anchor[1]}")
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.75 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    banner = f"{profile.agency}  |  Case {case.number}  |  Purpose {purpose.code}"
    notice = f"Use and release only as allowed by {profile.policy_reference} and {profile.statute}."
    story.insert(1, Spacer(1, 4))
    doc.build(story, canvasmaker=lambda *a, **k: _Canvas(*a, banner=banner, notice=notice, **meta, **k))
    return buf.getvalue()

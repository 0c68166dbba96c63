"""The breach notices as PDFs, with the content Civil Code § 1798.29(d) prescribes.

Every notice carries the statute's headings in its order ("What Happened", "What Information
Was Involved", "What We Are Doing", "What You Can Do", "For More Information"), the date of the
notice and the date range of the breach. The public notices (website, statewide media) give
counts only: no plate, no image, no user name. The letter
to the Office of Information Security adds the assessment from the access log (the export
entries naming a package, and who accessed what in the window, by person and action).
Fonts are DejaVu, embedded; the PDF is tagged for screen readers (``app/engine/pdf.py``).
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .. import timefmt
from ..pdf import BOLD, CREATOR, FONT, LANG, Tag, TaggedCanvas, register_fonts, table_tagger
from ..policy import PolicyProfile
from .breach import Assessment, Notice

_ADDRESSEE = {
    "website": "Posted on the website of the {agency}",
    "statewide_media": "For publication by major statewide media",
    "office_of_information_security": "To: Office of Information Security, California Department "
                                      "of Technology",
}


class _Page(TaggedCanvas):
    """Each page names the agency and says "page x of y", as a pagination artifact."""

    def __init__(self, *args, heading: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._heading = heading

    def decorate(self, page: int, total: int) -> None:
        self.setFont(FONT, 8)
        self.drawString(0.8 * inch, 0.5 * inch, self._heading)
        self.drawRightString(LETTER[0] - 0.8 * inch, 0.5 * inch, f"Page {page} of {total}")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=6)
    return {"title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17, leading=21,
                                    spaceAfter=4),
            "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=12, leading=15,
                                   spaceBefore=8, spaceAfter=3),
            "body": body,
            "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)}


def _day(ts: float, tz) -> str:
    d = timefmt.local(ts, tz)
    return f"{d:%B} {d.day}, {d.year}"


def sections(profile: PolicyProfile, notice: Notice, a: Assessment, now: float) -> list[tuple[str, str]]:
    """(heading, text) of the notice, in the statute's order."""
    tz = timefmt.zone(profile.time_zone)
    inc, held = a.incident, a.held
    period = f"{_day(inc.window_start, tz)} to {_day(inc.window_end, tz)}"
    if held.first_read_at is not None and held.last_read_at is not None:
        taken = f", taken from {_day(held.first_read_at, tz)} to {_day(held.last_read_at, tz)}"
    else:
        taken = ""
    cams = f"{len(held.cameras)} camera{'s' if len(held.cameras) != 1 else ''}"
    what = (f"{inc.what} The breach was discovered on {_day(inc.found_at, tz)}; the information may "
            f"have been exposed from {period}. The affected medium is {inc.medium_text()}.")
    info = (f"Automated license plate reader (ALPR) information: {held.reads} record"
            f"{'s' if held.reads != 1 else ''} of a vehicle's license plate number with the date, time "
            f"and place it was photographed by {cams} of the {profile.agency}{taken}, with the "
            "photographs of the plate and the vehicle. ALPR records hold no names, addresses, Social "
            "Security, driver's license or financial account numbers.")
    doing = (f"The {profile.agency} recorded the incident in its ALPR system's access log, reviewed "
             "from that log what the affected medium held and who used the information in the period, "
             f"is giving the notices its policy requires ({profile.breach.basis}), and is reviewing "
             "its security procedures under Civil Code § 1798.90.51.")
    you = (f"If you think a vehicle you use passed the {profile.agency}'s license plate cameras in "
           "that period, you may ask the contact below what information about that vehicle was involved. "
           "Be alert to messages that refer to this incident and ask for money or personal details: "
           f"the {profile.agency} will not ask for them.")
    more = f"{profile.breach.contact}. Date of this notice: {_day(now, tz)}."
    out = [("What Happened", what), ("What Information Was Involved", info),
           ("What We Are Doing", doing), ("What You Can Do", you), ("For More Information", more)]
    if notice.kind == "website":
        out.append(("How Long This Notice Is Posted",
                    f"This notice stays posted for at least {profile.breach.website_min_days} days "
                    "(Civil Code § 1798.29(i)(3)(B))."))
    return out


def _assessment_table(a: Assessment, st: dict) -> list:
    """For the Office of Information Security: the log's account of the breach."""
    held = a.held
    rows = [["Medium", f"{a.incident.medium_text()} ({a.incident.medium})"], ["Records held", str(held.reads)],
            ["Cameras", ", ".join(held.cameras) or "-"],
            ["Access-log entries naming it", ", ".join(f"#{s}" for s in held.export_entries) or "-"]]
    people = [["Person", "Role", "Action", "Entries", "Records"]] + [
        [x.username, x.role, x.action.replace("_", " "), str(x.entries), str(x.reads or 0)]
        for x in a.accesses]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])
    facts = Table([[Paragraph(escape(k), st["small"]), Paragraph(escape(v), st["small"])] for k, v in rows],
                  colWidths=[1.9 * inch, 5.0 * inch], style=grid, renderCB=table_tagger(header_cols=1))
    use = Table(people, repeatRows=1, style=TableStyle([*grid.getCommands(),
                                                         ("FONT", (0, 0), (-1, 0), BOLD, 8.5)]),
                renderCB=table_tagger(header_rows=1))
    return [Tag("H2", Paragraph("Assessment from the access log", st["head"])), Tag("Table", facts),
            Spacer(1, 6), Tag("P", Paragraph("Use of ALPR information in the period, by person and "
                                             "action:", st["small"])),
            Tag("Table", use) if a.accesses else Tag("P", Paragraph("None recorded.", st["small"]))]


def render(profile: PolicyProfile, notice: Notice, a: Assessment, now: float) -> bytes:
    """The notice's PDF bytes."""
    st = _styles()
    buf = io.BytesIO()
    title = f"Notice of Data Breach \u2014 {profile.agency}"
    meta = dict(title=title, author=profile.agency, subject=notice.title,
                keywords=f"breach-incident:{a.incident.id} notice:{notice.kind}")
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.8 * inch, rightMargin=0.8 * inch,
                            topMargin=0.8 * inch, bottomMargin=0.8 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    story = [Tag("H1", Paragraph(escape(title), st["title"])),
             Tag("P", Paragraph(escape(_ADDRESSEE[notice.kind].format(agency=profile.agency)),
                                st["small"])),
             Spacer(1, 6)]
    for heading, text in sections(profile, notice, a, now):
        story += [Tag("H2", Paragraph(escape(heading), st["head"])), Tag("P", Paragraph(escape(text), st["body"]))]
    if notice.kind == "office_of_information_security":
        story += _assessment_table(a, st)
    heading = f"{profile.agency} \u2014 {notice.title} \u2014 incident {a.incident.id}"
    doc.build(story, canvasmaker=lambda *args, **kw: _Page(*args, heading=heading, **meta, **kw))
    return buf.getvalue()

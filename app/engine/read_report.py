"""Printed reports of one read (both photos and its facts) and of a search's results.

Paper leaves the audited system, so these carry what every printout here carries (the page
furniture of the case summary, ``cases/summary_pdf.py``): agency, case and purpose on every
page, "page x of y", a handling notice, and a first table naming who printed it, for which
purpose and case, on which workstation, and the access-log head it follows (also in the PDF's
keywords, for ``alpr audit verify --against``). DejaVu is embedded and the document is tagged.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from . import states, timefmt
from .cases.summary_pdf import _Canvas, _section, _styles, _table
from .auth import User
from .pdf import CREATOR, FONT, LANG, Tag, register_fonts
from .policy import PolicyProfile
from .reads import ReadDetail
from .search import ReadRow


@dataclass(frozen=True)
class PrintContext:
    """Who prints, for what, and where the log stood: the first table of every printout."""

    profile: PolicyProfile
    user: User
    purpose: str
    case_number: str
    now: float
    store_id: str
    log_anchor: tuple[int, str]

    def facts(self) -> list[tuple[str, str]]:
        p = self.profile.purpose(self.purpose)
        tz = timefmt.zone(self.profile.time_zone)
        role = self.profile.role(self.user.role).title
        return [("Agency", self.profile.agency),
                ("Purpose", f"{p.code}: {p.label}"), ("Case number", self.case_number),
                ("Printed by", f"{self.user.full_name} ({self.user.username}), {role}"),
                ("Printed at", f"{timefmt.fmt(int(self.now), tz)} ({timefmt.fmt_utc(self.now)})"),
                ("Workstation", self.store_id),
                ("Access-log anchor", f"entry {self.log_anchor[0]}, hash {self.log_anchor[1]}")]


def _photo(data: bytes | None, max_w: float, max_h: float, st: dict) -> Tag:
    """A photo scaled to fit, tagged as a figure; a line saying so where there is none."""
    if not data:
        return Tag("P", Paragraph("(no photo held on this workstation)", st["cell"]))
    img = Image(io.BytesIO(data))
    scale = min(max_w / img.imageWidth, max_h / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    img.hAlign = "LEFT"
    return Tag("Figure", img)


def _build(title: str, story: list, ctx: PrintContext, subject: str) -> bytes:
    buf = io.BytesIO()
    meta = dict(title=title, author=ctx.user.full_name, subject=subject,
                keywords=f"alpr-log-anchor:{ctx.log_anchor[0]}:{ctx.log_anchor[1]}")
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.75 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    profile = ctx.profile
    banner = f"{profile.agency}  |  Case {ctx.case_number}  |  Purpose {ctx.purpose}"
    notice = f"Use and release only as allowed by {profile.policy_reference} and {profile.statute}."
    doc.build(story, canvasmaker=lambda *a, **k: _Canvas(*a, banner=banner, notice=notice, **meta, **k))
    return buf.getvalue()


def render_read(detail: ReadDetail, plate_image: bytes | None, scene_image: bytes | None,
                ctx: PrintContext) -> bytes:
    """The PDF bytes of one read: the printout's facts, the read's facts, both photos."""
    register_fonts()
    st, tz, r = _styles(), timefmt.zone(ctx.profile.time_zone), detail.read
    where = (f"{detail.lat:.5f}, {detail.lon:.5f}" if detail.lat is not None and detail.lon is not None
             else "not recorded")
    read_facts = [("Read", str(r.id)), ("Plate", r.plate),
                  ("State", r.plate_state or states.UNKNOWN_TEXT),
                  ("Read at", f"{timefmt.fmt(r.read_at, tz)} ({timefmt.fmt_utc(r.read_at)})"),
                  ("Camera", f"{r.camera_id}: {r.camera_name}"), ("Site", r.site),
                  ("Camera position", where), ("Direction", detail.direction or "not recorded"),
                  ("Confidence", f"{r.confidence:.2f}"), ("Vendor", r.vendor or "not recorded")]
    if r.original_plate:
        read_facts.append(("Vendor's reading", f"{r.original_plate} (corrected)"))
    story: list = [Tag("H1", Paragraph(escape(f"ALPR read {r.id}: {r.plate}"), st["title"])),
                   _table(["Item", "Value"], [list(f) for f in ctx.facts()], st, [1.5 * inch, 5.8 * inch]),
                   Tag("H2", Paragraph("The read", st["h"])),
                   _table(["Item", "Value"], [list(f) for f in read_facts], st, [1.5 * inch, 5.8 * inch]),
                   KeepTogether([Tag("H2", Paragraph("Plate photo", st["h"])),
                                 _photo(plate_image, 2.6 * inch, 1.0 * inch, st)]),
                   KeepTogether([Tag("H2", Paragraph("Scene photo", st["h"])),      # page 1 holds it
                                 _photo(scene_image, 7.3 * inch, 2.6 * inch, st)])]
    _section(story, "Hotlist hits", ["Hotlist", "Reason", "Priority", "Disposition"],
             [[h.hotlist, h.reason, str(h.priority), h.disposition or "open"] for h in detail.hits], st)
    _section(story, "Corrections", ["Time", "From", "To", "By", "Reason"],
             [[timefmt.fmt(c.corrected_at, tz), c.old_plate, c.new_plate, c.username, c.reason]
              for c in detail.corrections], st)
    story.insert(1, Spacer(1, 4))
    return _build(f"ALPR read {r.id}", story, ctx, f"Read {r.id} of plate {r.plate}")


def render_search(rows: list[ReadRow], query: dict, more: bool, ctx: PrintContext) -> bytes:
    """The PDF bytes of a search's results, with the search as it was asked."""
    register_fonts()
    st, tz = _styles(), timefmt.zone(ctx.profile.time_zone)
    asked = [(k.replace("_", " ").capitalize(), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
             for k, v in query.items() if v not in (None, "", [], False)]
    story: list = [Tag("H1", Paragraph(escape("ALPR search results"), st["title"])),
                   _table(["Item", "Value"], [list(f) for f in ctx.facts()], st, [1.5 * inch, 5.8 * inch]),
                   Tag("H2", Paragraph("The search", st["h"])),
                   _table(["Item", "Value"], [list(a) for a in asked], st, [1.5 * inch, 5.8 * inch])]
    _section(story, "Reads", ["Read", "Plate", "State", "Read at", "Camera", "Site", "Conf.", "Hit"],
             [[str(r.id), r.plate, states.shown(r.plate_state), timefmt.fmt(r.read_at, tz), r.camera_id,
               r.site, f"{r.confidence:.2f}", "HIT" if r.has_hit else ""] for r in rows], st,
             [0.6 * inch, 0.8 * inch, 0.45 * inch, 1.55 * inch, 0.85 * inch, 2.0 * inch, 0.5 * inch, 0.55 * inch])
    if more:
        story.append(Tag("P", Paragraph("More reads matched than are printed here; narrow the search "
                                        "to print them all.", st["cell"])))
    story.insert(1, Spacer(1, 4))
    return _build("ALPR search results", story, ctx, f"{len(rows)} reads")

"""The parking PDFs (reconciliation, occupancy, the appeal statement): one tagged layout.

Like every PDF the program writes (``app/engine/pdf.py``): DejaVu fonts embedded, a structure
tree (headings, paragraphs, tables with header cells, charts as figures with their text),
every page with the agency, the purpose and case, and "page x of y"; the access log's anchor
is in the metadata so the paper can be matched to its log entry.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..pdf import BOLD, CREATOR, FONT, LANG, Tag, TaggedCanvas, register_fonts, table_tagger

MAX_ROWS = 3000


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list[str]
    values: list[float]
    capacity: int | None = None        # drawn as a line across the bars


@dataclass
class Report:
    title: str
    banner: str                                  # agency, purpose and case: on every page
    facts: list[tuple[str, str]]
    sections: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)   # (heading, text)
    author: str = ""
    keywords: str = ""
    wide: bool = False                           # landscape, for tables of many columns


class _Canvas(TaggedCanvas):
    def __init__(self, *args, banner: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._banner = banner

    def decorate(self, page: int, total: int) -> None:
        width, height = self._pagesize
        self.setFont(BOLD, 8)
        self.drawString(0.6 * inch, height - 0.45 * inch, self._banner[:120])
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        self.setFont(FONT, 7)
        self.drawString(0.6 * inch, 0.4 * inch, "ALPR information: use and release only as the "
                        "agency's ALPR policy and Civil Code 1798.90.5-.55 allow.")


def _chart(c: Chart) -> Drawing:
    d = Drawing(7.2 * inch, 2.2 * inch, initialFontName=FONT)
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 36, 24, 7.2 * inch - 50, 2.2 * inch - 40
    bc.data = [c.values or [0]]
    top = max([*c.values, c.capacity or 0, 1])
    bc.valueAxis.valueMin, bc.valueAxis.valueMax = 0, top * 1.1
    bc.categoryAxis.categoryNames = c.labels
    for axis in (bc.valueAxis.labels, bc.categoryAxis.labels):
        axis.fontName, axis.fontSize = FONT, 6
    bc.bars[0].fillColor = colors.HexColor("#3b6ea5")
    d.add(bc)
    if c.capacity:
        y = bc.y + bc.height * c.capacity / (top * 1.1)
        d.add(Line(bc.x, y, bc.x + bc.width, y, strokeColor=colors.HexColor("#b22222"),
                   strokeDashArray=[3, 2]))
    return d


def _widths(rows: list[list[str]], total: float = 7.3 * inch) -> list[float]:
    """Each column as wide as its longest word (or short cell), in points; when they do not fit,
    the wide columns give up the difference and wrap."""
    def fit(c: str) -> float:
        word = max(c.split() or [""], key=len)
        return stringWidth(c if len(c) <= 24 else word, FONT, 7) + 14
    need = [max(fit(str(c)) for c in col) for col in zip(*rows)]
    over = sum(need) - total
    wide = sum(n - 50 for n in need if n > 50)
    if over > 0 and wide > 0:
        need = [n - over * (n - 50) / wide if n > 50 else n for n in need]
    return [n * total / sum(need) for n in need]


def render(rep: Report) -> bytes:
    register_fonts()
    page = landscape(LETTER) if rep.wide else LETTER
    st = {"h1": ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=17, spaceAfter=6),
          "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=8,
                               spaceAfter=3),
          "p": ParagraphStyle("p", fontName=FONT, fontSize=8.5, leading=11),
          "cell": ParagraphStyle("c", fontName=FONT, fontSize=7, leading=8.5)}
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                       ("FONTNAME", (0, 0), (-1, 0), BOLD), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    kv = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONTNAME", (0, 0), (-1, -1), FONT),
                     ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
                     ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def cell(text: str) -> Paragraph:
        return Paragraph(escape(text), st["cell"])
    story: list = [Tag("H1", Paragraph(escape(rep.title), st["h1"])),
                   Tag("Table", Table([[cell(a), cell(b)] for a, b in rep.facts],
                                      colWidths=[1.9 * inch, 5.4 * inch], style=kv,
                                      renderCB=table_tagger(header_cols=1)))]
    for heading, text in rep.paragraphs:
        story += [Tag("H2", Paragraph(escape(heading), st["h2"])), Tag("P", Paragraph(escape(text), st["p"]))]
    for c in rep.charts:
        story += [Tag("H2", Paragraph(escape(c.title), st["h2"])), Tag("Figure", _chart(c)),
                  Tag("P", Paragraph(escape("Values: " + ", ".join(
                      f"{lab} {v:.0f}" for lab, v in zip(c.labels, c.values))
                      + (f"; capacity {c.capacity}" if c.capacity else "")), st["cell"]))]
    for heading, head, rows in rep.sections:
        story.append(Tag("H2", Paragraph(escape(heading), st["h2"])))
        if not rows:
            story.append(Tag("P", Paragraph("None.", st["p"])))
            continue
        shown = rows[:MAX_ROWS]
        story.append(Tag("Table", Table([[cell(h) for h in head]] + [[cell(v) for v in r] for r in shown],
                                        colWidths=_widths([head] + shown, page[0] - 1.2 * inch),
                                        repeatRows=1, style=grid,
                                        renderCB=table_tagger(header_rows=1))))
        if len(rows) > len(shown):
            story.append(Tag("P", Paragraph(f"{len(rows) - len(shown)} more rows are in the CSV.", st["p"])))
        story.append(Spacer(1, 4))
    buf = io.BytesIO()
    meta = dict(title=rep.title, author=rep.author, subject=rep.title, keywords=rep.keywords)
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.7 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    doc.build(story, canvasmaker=lambda *a, **k: _Canvas(*a, banner=rep.banner, **meta, **k))
    return buf.getvalue()

"""What the oversight PDFs share: a heading and "page x of y" on every page, one style of
paragraphs, and grid tables of text cells (tagged, fonts embedded: ``app/engine/pdf.py``)."""
from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from ..pdf import BOLD, CREATOR, FONT, LANG, MONO, Tag, TaggedCanvas, register_fonts, table_tagger

_GRID, _SHADE = colors.HexColor("#777777"), colors.HexColor("#e8e8e8")


class HeadedCanvas(TaggedCanvas):
    """Every page: the document's heading and "Page x of y" on top, ``footer`` below."""

    def __init__(self, *args, heading: str, footer: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._heading, self._footer = heading, footer

    def decorate(self, page: int, total: int) -> None:
        width, height = LETTER
        self.setFont(BOLD, 8)
        self.drawString(0.6 * inch, height - 0.45 * inch, self._heading)
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        if self._footer:
            self.setFont(FONT, 7)
            self.drawString(0.6 * inch, 0.4 * inch, self._footer)


def build(story: list, *, heading: str, footer: str = "", **meta: str) -> bytes:
    """The PDF of ``story`` on Letter pages; ``meta``: title, author, subject, keywords."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.75 * inch, bottomMargin=0.7 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)
    doc.build(story, canvasmaker=lambda *a, **k: HeadedCanvas(*a, heading=heading, footer=footer, **meta, **k))
    return buf.getvalue()


WIDTH = LETTER[0] - 1.2 * inch       # between the margins


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {"h1": ParagraphStyle("h1", fontName=BOLD, fontSize=15, leading=19, spaceAfter=6),
            "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, spaceBefore=10,
                                 spaceAfter=3),
            "p": ParagraphStyle("p", fontName=FONT, fontSize=8.5, leading=11, spaceAfter=3),
            "cell": ParagraphStyle("c", fontName=FONT, fontSize=8, leading=10),
            "mono": ParagraphStyle("m", fontName=MONO, fontSize=7, leading=9)}


def para(tag: str, text: str, style: ParagraphStyle) -> Tag:
    return Tag(tag, Paragraph(escape(text), style))


def grid(rows: Sequence[Sequence[str]], st: dict[str, ParagraphStyle], *, header_row: bool = True,
         widths: list[float] | None = None) -> Tag:
    """A table of text: the first row as column headings, or (``header_row`` False) the first
    column as row headings; a long unbroken value (a hash) in the monospaced font."""
    data = [[Paragraph(escape(v), st["mono"] if len(v) > 60 and " " not in v else st["cell"])
             for v in row] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1 if header_row else 0,
              renderCB=table_tagger(header_rows=1 if header_row else 0, header_cols=0 if header_row else 1))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, _GRID), ("FONT", (0, 0), (-1, -1), FONT, 8),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (-1, 0) if header_row else (0, -1), _SHADE)]))
    return Tag("Table", t)

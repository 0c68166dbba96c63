"""The chain-of-custody form that travels with a package into the property room.

It says what the package is (agency, case, purpose, description), who made it where and
when, under which policy and statute, lists every item with its SHA-256, and leaves rows
for each hand-over to be signed. Every page carries the manifest's hash and "page x of y",
so a loose page can be matched to its package and a missing page is noticed.

The form goes into evidence, so it is made to last and to be read by everyone: its fonts
(DejaVu) are embedded, it is tagged for screen readers (headings, paragraphs, tables with
header cells, the item list as a table; page headers and footers as artifacts) and it carries
the PDF/A-2b identification, XMP metadata and an sRGB output intent (``app/engine/pdf.py``).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from ..pdf import BOLD, CREATOR, FONT, LANG, MONO, Tag, TaggedCanvas, register_fonts, table_tagger
from .manifest import ManifestEntry

TRANSFER_ROWS = 6
_GRID = colors.HexColor("#555555")
_SHADE = colors.HexColor("#e8e8e8")


@dataclass(frozen=True)
class CustodyInfo:
    title: str                      # e.g. "ALPR Evidence Package" or "ALPR Aggregate Release"
    agency: str
    case_number: str
    purpose: str                    # code and label
    description: str
    recipient: str                  # who it is for (own agency, or the requesting agency)
    release_request: str            # "none" or a summary of the approved written request
    exported_by: str                # name (user name)
    exported_role: str
    exported_agency: str
    workstation_id: str
    host: str
    created_utc: str
    created_local: str
    policy: str
    statute: str
    custodian_title: str
    package_name: str
    media: str                      # where it was written (drive or folder)
    manifest_sha256: str
    summary: str                    # "12 reads, 24 original images, ..."
    hold_note: str
    log_anchor: str                 # "seq:hash" of the access log's last entry at export time


class _NumberedCanvas(TaggedCanvas):
    """Every page says "page x of y" and carries the manifest hash, in its header and footer."""

    def __init__(self, *args, footer: tuple[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer

    def decorate(self, page: int, total: int) -> None:
        width, height = LETTER
        heading, manifest = self._footer
        self.setFont(BOLD, 9)
        self.drawString(0.6 * inch, height - 0.45 * inch, heading)
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        self.setStrokeColor(_GRID)
        self.line(0.6 * inch, height - 0.52 * inch, width - 0.6 * inch, height - 0.52 * inch)
        self.line(0.6 * inch, 0.62 * inch, width - 0.6 * inch, 0.62 * inch)
        self.setFont(FONT, 7)
        label = "Manifest SHA-256 (manifest.sha256): "
        self.drawString(0.6 * inch, 0.48 * inch, label)
        self.setFont(MONO, 6.6)
        self.drawString(0.6 * inch + self.stringWidth(label, FONT, 7), 0.48 * inch, manifest)
        self.setFont(FONT, 7)
        self.drawRightString(width - 0.6 * inch, 0.48 * inch, f"Page {page} of {total}")
        self.drawString(0.6 * inch, 0.34 * inch,
                        "Verify: sha256sum -c manifest.sha256 (in the package folder), then compare "
                        "sha256sum manifest.sha256 with the hash above.")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=BOLD, fontSize=14, leading=17,
                                spaceAfter=0),
        "sub": ParagraphStyle("s", parent=base["Normal"], fontName=FONT, fontSize=9, alignment=1,
                              spaceBefore=4, spaceAfter=4),
        "h": ParagraphStyle("h", parent=base["Heading2"], fontName=BOLD, fontSize=11, leading=13,
                            spaceBefore=6, spaceAfter=3),
        "label": ParagraphStyle("l", parent=base["Normal"], fontName=BOLD, fontSize=8, leading=10),
        "cell": ParagraphStyle("c", parent=base["Normal"], fontName=FONT, fontSize=8, leading=10),
        "small": ParagraphStyle("m", parent=base["Normal"], fontName=FONT, fontSize=7, leading=8.5),
        "mono": ParagraphStyle("o", parent=base["Normal"], fontName=MONO, fontSize=6.6, leading=8),
    }


def _kv_table(rows: list[tuple[str, str]], st: dict) -> Tag:
    data = [[Paragraph(escape(k), st["label"]), Paragraph(escape(v), st["cell"])] for k, v in rows]
    t = Table(data, colWidths=[1.75 * inch, 5.55 * inch], renderCB=table_tagger(header_cols=1))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                           ("BACKGROUND", (0, 0), (0, -1), _SHADE),
                           ("FONT", (0, 0), (-1, -1), FONT, 8),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return Tag("Table", t)


class _ItemRows(Flowable):
    """The item list drawn as text columns, one text object per column per page.

    A platypus Table costs about a millisecond per row; a package of a thousand reads lists
    two thousand files, so the list is drawn directly and splits itself across pages. It is
    tagged as a list with one item per file, whose four pieces of marked content (number, name,
    bytes, hash) are in that order, so a screen reader reads it item by item although each page
    draws it column by column; the column headings are a caption.
    """

    HEADER = 12.0
    LEADING = 8.6
    HASH_SIZE, NUM_SIZE = 6.2, 6.6
    NUM_W = 0.3 * inch
    BYTES_CHARS = 11
    HEADINGS = ("#", "Item (file in the package)", "Bytes", "SHA-256")

    def __init__(self, entries: list[ManifestEntry], first: int = 1, table: list | None = None) -> None:
        super().__init__()
        self.entries, self.first = entries, first
        self._table = table if table is not None else []          # the one Table element

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.HEADER + self.LEADING * len(self.entries) + 3

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fits = int((avail_height - self.HEADER - 3) // self.LEADING)
        if fits < 3 or fits >= len(self.entries):
            return []
        return [_ItemRows(self.entries[:fits], self.first, self._table),
                _ItemRows(self.entries[fits:], self.first + fits, self._table)]

    def draw(self) -> None:
        c, width = self.canv, self.width
        tagged = isinstance(c, TaggedCanvas)
        height = self.HEADER + self.LEADING * len(self.entries) + 3
        hash_x = width - 3 - stringWidth("0" * 64, MONO, self.HASH_SIZE)
        bytes_right = hash_x - 6
        bytes_x = bytes_right - stringWidth("0" * self.BYTES_CHARS, MONO, self.NUM_SIZE)
        paths = [e.path for e in self.entries]
        # the longest name sets the item column's font size, so it never runs into the bytes
        widest = max(stringWidth(p, FONT, 1) for p in paths)
        path_size = min(self.NUM_SIZE, (bytes_x - self.NUM_W - 6) / widest)
        first_part = tagged and not self._table
        if tagged and not self._table:
            self._table.append(c.element("L"))
        table = self._table[0] if tagged else None
        if tagged:
            c.begin_artifact()
        c.setFillColor(_SHADE)
        c.rect(0, height - self.HEADER, width, self.HEADER, stroke=0, fill=1)
        c.setFillColor(colors.black)
        if tagged:
            c.end()
        base = height - self.HEADER + 3.5
        header = c.element("Caption", table) if first_part else None
        for (x, right), text in zip(((3, False), (self.NUM_W + 3, False), (bytes_right, True),
                                     (hash_x, False)), self.HEADINGS):
            if header is not None:                    # on later pages the header is repeated furniture
                c.begin(header)
            elif tagged:
                c.begin_artifact("Pagination")
            c.setFont(BOLD, 7.5)
            (c.drawRightString if right else c.drawString)(x, base, text)
            if tagged:
                c.end()
        top = height - self.HEADER - self.LEADING + 1.5
        numbers = [str(n) for n in range(self.first, self.first + len(self.entries))]
        sizes = [f"{e.size:>{self.BYTES_CHARS},}" for e in self.entries]
        items = [c.element("LI", table) for _ in self.entries] if tagged else None
        for x, font, size, lines in ((3, FONT, self.NUM_SIZE, numbers),
                                     (self.NUM_W + 3, FONT, path_size, paths),
                                     (bytes_x, MONO, self.NUM_SIZE, sizes),
                                     (hash_x, MONO, self.HASH_SIZE, [e.sha256 for e in self.entries])):
            if items is not None and _column_fast(c, x, top, font, size, self.LEADING, lines, items):
                continue
            t = c.beginText(x, top)
            t.setFont(font, size, self.LEADING)
            if items is None:
                t.textLines(lines)
            else:
                for item, line in zip(items, lines):
                    c.begin(item, t._code)
                    t.textLine(line)
                    c.end(t._code)
            c.drawText(t)
        if tagged:
            c.begin_artifact()
        c.setStrokeColor(_GRID)
        c.setLineWidth(0.25)
        c._code.append(" ".join(f"0 {y:.3f} m {width:.3f} {y:.3f} l" for y in (
            height - self.HEADER - self.LEADING * k for k in range(1, len(self.entries) + 1))) + " S")
        c.setLineWidth(0.5)
        c.rect(0, 0, width, height, stroke=1, fill=0)
        if tagged:
            c.end()


_UNSAFE = re.compile(rb"[()\\\r\n]")


def _column_fast(c: TaggedCanvas, x: float, top: float, font_name: str, size: float, leading: float,
                 lines: list[str], items: list) -> bool:
    """One column of the item list as one text object, each line its item's marked content.

    File names, sizes and hashes are plain ASCII, which the embedded font's first subset holds
    as themselves, so the column is encoded once instead of line by line (a thousand reads
    list two thousand files: eight thousand lines). False where that does not hold; the
    caller then draws the column line by line."""
    font = pdfmetrics.getFont(font_name)
    joined = "".join(lines)
    parts = font.splitString(joined, c._doc)
    if len(parts) != 1 or parts[0][0] != 0 or len(parts[0][1]) != len(joined) or _UNSAFE.search(parts[0][1]):
        return False
    raw = parts[0][1].decode("latin-1")
    code = [f"BT 1 0 0 1 {x:.3f} {top:.3f} Tm {font.getSubsetInternalName(0, c._doc)} "
            f"{size:.3f} Tf {leading:.3f} TL"]
    pos = 0
    for item, line in zip(items, lines):
        c.begin(item, code)
        code.append(f"({raw[pos:pos + len(line)]}) Tj T* EMC")
        pos += len(line)
    code.append("ET")
    c._code.extend(code)
    return True


def _signature_cell(st: dict) -> list[Paragraph]:
    return [Paragraph("Print name: ______________________", st["small"]), Spacer(1, 3),
            Paragraph("Signature: ______________________", st["small"])]


def _transfer_table(st: dict) -> Tag:
    header = [Paragraph(h, st["label"]) for h in
              ("#", "Released by", "Received by", "Date / time", "Purpose of transfer")]
    rows = [[str(n), _signature_cell(st), _signature_cell(st), "", ""]
            for n in range(1, TRANSFER_ROWS + 1)]
    t = Table([header] + rows, colWidths=[0.3 * inch, 2.1 * inch, 2.1 * inch, 1.15 * inch, 1.65 * inch],
              rowHeights=[None] + [0.4 * inch] * TRANSFER_ROWS, repeatRows=1,
              renderCB=table_tagger(header_rows=1))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                           ("BACKGROUND", (0, 0), (-1, 0), _SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("FONT", (0, 0), (-1, -1), FONT, 8)]))
    return Tag("Table", t)


def render(info: CustodyInfo, entries: list[ManifestEntry]) -> bytes:
    """The PDF as bytes (PDF/A-2b, tagged, fonts embedded); the same inputs always give the
    same layout."""
    st = _styles()
    buf = io.BytesIO()
    meta = dict(title=f"Chain of custody {info.case_number}", author=info.exported_by,
                subject=f"{info.title} {info.package_name}",
                keywords=f"manifest-sha256:{info.manifest_sha256} alpr-log-anchor:{info.log_anchor}")
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.75 * inch, bottomMargin=0.8 * inch, lang=LANG,
                            initialFontName=FONT, creator=CREATOR, **meta)

    def p(tag: str, text: str, style: str) -> Tag:
        return Tag(tag, Paragraph(text, st[style]))
    story = [
        p("H1", escape(info.agency), "title"),
        p("H1", f"CHAIN OF CUSTODY &mdash; {escape(info.title.upper())}", "title"),
        p("P", f"Case number <b>{escape(info.case_number)}</b> &middot; package "
               f"{escape(info.package_name)}", "sub"),
        p("H2", "1. Case", "h"),
        _kv_table([("Agency", info.agency), ("Case number", info.case_number),
                   ("Purpose", info.purpose), ("Description", info.description),
                   ("Recipient", info.recipient), ("Release request", info.release_request),
                   ("Written to", info.media),
                   ("Property / booking no.", "")], st),
        p("H2", "2. Export", "h"),
        _kv_table([("Exported by", info.exported_by), ("Role", info.exported_role),
                   ("Agency of exporter", info.exported_agency),
                   ("Workstation", f"{info.workstation_id} (host {info.host})"),
                   ("Date and time", f"{info.created_utc} / {info.created_local}"),
                   ("Policy", info.policy), ("Statute", info.statute), ("Contents", info.summary),
                   ("Manifest SHA-256", info.manifest_sha256), ("Retention hold", info.hold_note),
                   ("Access-log anchor", f"entry {info.log_anchor.replace(':', ', hash ', 1)}")], st),
        Spacer(1, 5),
        p("P", "I certify that I created this package from the workstation named above, that the "
               "original images are the bytes recorded at ingest (SHA-256 checked), and that the "
               "package was read back from the media and verified before it was closed.", "small"),
        Spacer(1, 14),
        p("P", "Signature of exporter: ________________________________ &nbsp;&nbsp; "
               "Date: ________________", "cell"),
        KeepTogether([
            p("H2", "3. Transfer of custody", "h"),
            p("P", "Each hand-over of this package (or of the media holding it) is entered below "
                   "and signed by both persons.", "small"),
            Spacer(1, 3), _transfer_table(st)]),
        p("H2", f"4. Items ({len(entries)} files listed in manifest.sha256)", "h"),
        _ItemRows(entries),
    ]
    footer = (f"{info.agency} \u2014 chain of custody \u2014 case {info.case_number}", info.manifest_sha256)
    created = _timestamp(info.created_utc)
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(
        *a, footer=footer, pdfa=True, created=created, **meta, **k))
    return buf.getvalue()


def _timestamp(utc: str) -> float | None:
    try:
        return datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None

"""The chain-of-custody form that travels with a package into the property room.

It says what the package is (agency, case, purpose, description), who made it where and
when, under which policy and statute, lists every item with its SHA-256, and leaves rows
for each hand-over to be signed. Every page carries the manifest's hash and "page x of y",
so a loose page can be matched to its package and a missing page is noticed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)
from xml.sax.saxutils import escape

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


class _NumberedCanvas(rl_canvas.Canvas):
    """Holds pages until the end so each can say "page x of y"."""

    def __init__(self, *args, footer: tuple[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:             # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for n, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self._decorate(n, total)
            super().showPage()
        super().save()

    def _decorate(self, page: int, total: int) -> None:
        width, height = LETTER
        heading, manifest = self._footer
        self.setFont("Helvetica-Bold", 9)
        self.drawString(0.6 * inch, height - 0.45 * inch, heading)
        self.drawRightString(width - 0.6 * inch, height - 0.45 * inch, f"Page {page} of {total}")
        self.setStrokeColor(_GRID)
        self.line(0.6 * inch, height - 0.52 * inch, width - 0.6 * inch, height - 0.52 * inch)
        self.line(0.6 * inch, 0.62 * inch, width - 0.6 * inch, 0.62 * inch)
        self.setFont("Helvetica", 7)
        label = "Manifest SHA-256 (manifest.sha256): "
        self.drawString(0.6 * inch, 0.48 * inch, label)
        self.setFont("Courier", 7)
        self.drawString(0.6 * inch + self.stringWidth(label, "Helvetica", 7), 0.48 * inch, manifest)
        self.setFont("Helvetica", 7)
        self.drawRightString(width - 0.6 * inch, 0.48 * inch, f"Page {page} of {total}")
        self.drawString(0.6 * inch, 0.34 * inch,
                        "Verify: sha256sum -c manifest.sha256 (in the package folder), then compare "
                        "sha256sum manifest.sha256 with the hash above.")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=14, leading=17, spaceAfter=0),
        "sub": ParagraphStyle("s", parent=base["Normal"], fontSize=9, alignment=1, spaceBefore=4, spaceAfter=4),
        "h": ParagraphStyle("h", parent=base["Heading2"], fontSize=11, leading=13, spaceBefore=6,
                            spaceAfter=3),
        "label": ParagraphStyle("l", parent=base["Normal"], fontName="Helvetica-Bold", fontSize=8, leading=10),
        "cell": ParagraphStyle("c", parent=base["Normal"], fontSize=8, leading=10),
        "small": ParagraphStyle("m", parent=base["Normal"], fontSize=7, leading=8.5),
        "mono": ParagraphStyle("o", parent=base["Normal"], fontName="Courier", fontSize=6.6, leading=8),
    }


def _kv_table(rows: list[tuple[str, str]], st: dict) -> Table:
    data = [[Paragraph(escape(k), st["label"]), Paragraph(escape(v), st["cell"])] for k, v in rows]
    t = Table(data, colWidths=[1.75 * inch, 5.55 * inch])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                           ("BACKGROUND", (0, 0), (0, -1), _SHADE),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


class _ItemRows(Flowable):
    """The item list drawn as text columns, one text object per column per page.

    A platypus Table costs about a millisecond per row; a package of a thousand reads lists
    two thousand files, so the list is drawn directly and splits itself across pages.
    """

    HEADER = 12.0
    LEADING = 8.6
    HASH_SIZE, NUM_SIZE = 6.2, 6.6
    NUM_W = 0.3 * inch
    BYTES_CHARS = 11

    def __init__(self, entries: list[ManifestEntry], first: int = 1) -> None:
        super().__init__()
        self.entries, self.first = entries, first

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.HEADER + self.LEADING * len(self.entries) + 3

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fits = int((avail_height - self.HEADER - 3) // self.LEADING)
        if fits < 3 or fits >= len(self.entries):
            return []
        return [_ItemRows(self.entries[:fits], self.first), _ItemRows(self.entries[fits:], self.first + fits)]

    def draw(self) -> None:
        c, width = self.canv, self.width
        height = self.HEADER + self.LEADING * len(self.entries) + 3
        hash_x = width - 3 - stringWidth("0" * 64, "Courier", self.HASH_SIZE)
        bytes_right = hash_x - 6
        bytes_x = bytes_right - stringWidth("0" * self.BYTES_CHARS, "Courier", self.NUM_SIZE)
        paths = [e.path for e in self.entries]
        # the longest name sets the item column's font size, so it never runs into the bytes
        widest = max(stringWidth(p, "Helvetica", 1) for p in paths)
        path_size = min(self.NUM_SIZE, (bytes_x - self.NUM_W - 6) / widest)
        c.setFillColor(_SHADE)
        c.rect(0, height - self.HEADER, width, self.HEADER, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 7.5)
        base = height - self.HEADER + 3.5
        c.drawString(3, base, "#")
        c.drawString(self.NUM_W + 3, base, "Item (file in the package)")
        c.drawRightString(bytes_right, base, "Bytes")
        c.drawString(hash_x, base, "SHA-256")
        top = height - self.HEADER - self.LEADING + 1.5
        numbers = [str(n) for n in range(self.first, self.first + len(self.entries))]
        sizes = [f"{e.size:>{self.BYTES_CHARS},}" for e in self.entries]
        for x, font, size, lines in ((3, "Helvetica", self.NUM_SIZE, numbers),
                                     (self.NUM_W + 3, "Helvetica", path_size, paths),
                                     (bytes_x, "Courier", self.NUM_SIZE, sizes),
                                     (hash_x, "Courier", self.HASH_SIZE, [e.sha256 for e in self.entries])):
            t = c.beginText(x, top)
            t.setFont(font, size, self.LEADING)
            t.textLines(lines)
            c.drawText(t)
        c.setStrokeColor(_GRID)
        c.setLineWidth(0.25)
        c.lines([(0, y, width, y) for y in (height - self.HEADER - self.LEADING * k
                                             for k in range(1, len(self.entries) + 1))])
        c.setLineWidth(0.5)
        c.rect(0, 0, width, height, stroke=1, fill=0)


def _signature_cell(st: dict) -> list[Paragraph]:
    return [Paragraph("Print name: ______________________", st["small"]), Spacer(1, 3),
            Paragraph("Signature: ______________________", st["small"])]


def _transfer_table(st: dict) -> Table:
    header = [Paragraph(h, st["label"]) for h in
              ("#", "Released by", "Received by", "Date / time", "Purpose of transfer")]
    rows = [[str(n), _signature_cell(st), _signature_cell(st), "", ""]
            for n in range(1, TRANSFER_ROWS + 1)]
    t = Table([header] + rows, colWidths=[0.3 * inch, 2.1 * inch, 2.1 * inch, 1.15 * inch, 1.65 * inch],
              rowHeights=[None] + [0.4 * inch] * TRANSFER_ROWS, repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                           ("BACKGROUND", (0, 0), (-1, 0), _SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("FONT", (0, 1), (0, -1), "Helvetica", 8)]))
    return t


def render(info: CustodyInfo, entries: list[ManifestEntry]) -> bytes:
    """The PDF as bytes; the same inputs always give the same layout."""
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.75 * inch, bottomMargin=0.8 * inch,
                            title=f"Chain of custody {info.case_number}", author=info.exported_by,
                            subject=f"{info.title} {info.package_name}",
                            keywords=f"manifest-sha256:{info.manifest_sha256} "
                                     f"alpr-log-anchor:{info.log_anchor}")
    story = [
        Paragraph(escape(info.agency), st["title"]),
        Paragraph(f"CHAIN OF CUSTODY &mdash; {escape(info.title.upper())}", st["title"]),
        Paragraph(f"Case number <b>{escape(info.case_number)}</b> &middot; package "
                  f"{escape(info.package_name)}", st["sub"]),
        Paragraph("1. Case", st["h"]),
        _kv_table([("Agency", info.agency), ("Case number", info.case_number),
                   ("Purpose", info.purpose), ("Description", info.description),
                   ("Recipient", info.recipient), ("Release request", info.release_request),
                   ("Written to", info.media),
                   ("Property / booking no.", "")], st),
        Paragraph("2. Export", st["h"]),
        _kv_table([("Exported by", info.exported_by), ("Role", info.exported_role),
                   ("Agency of exporter", info.exported_agency),
                   ("Workstation", f"{info.workstation_id} (host {info.host})"),
                   ("Date and time", f"{info.created_utc} / {info.created_local}"),
                   ("Policy", info.policy), ("Statute", info.statute), ("Contents", info.summary),
                   ("Manifest SHA-256", info.manifest_sha256), ("Retention hold", info.hold_note),
                   ("Access-log anchor", f"entry {info.log_anchor.replace(':', ', hash ', 1)}")], st),
        Spacer(1, 5),
        Paragraph("I certify that I created this package from the workstation named above, that the "
                  "original images are the bytes recorded at ingest (SHA-256 checked), and that the "
                  "package was read back from the media and verified before it was closed.", st["small"]),
        Spacer(1, 14),
        Paragraph("Signature of exporter: ________________________________ &nbsp;&nbsp; "
                  "Date: ________________", st["cell"]),
        KeepTogether([
            Paragraph("3. Transfer of custody", st["h"]),
            Paragraph("Each hand-over of this package (or of the media holding it) is entered below "
                      "and signed by both persons.", st["small"]),
            Spacer(1, 3), _transfer_table(st)]),
        Paragraph(f"4. Items ({len(entries)} files listed in manifest.sha256)", st["h"]),
    ]
    story.append(_ItemRows(entries))
    footer = (f"{info.agency} \u2014 chain of custody \u2014 case {info.case_number}", info.manifest_sha256)
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    return buf.getvalue()

"""The printed report of an analysis: what was asked, for which purpose and case, and what came back.

A printout leaves the audited system, so every page carries the agency, case number and
purpose, the page count and a handling notice; the first page also names who printed it, on
which workstation, and the exact parameters, so the paper can be matched to its access-log
entry.
"""
from __future__ import annotations

import io
import math
from datetime import datetime, timezone

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import states, timefmt
from .analyses_types import WEEKDAYS, AnalysisResult, local_time
from .pdf import BOLD, FONT, register_fonts

TITLES = {"stakeout": "Stakeout: plates common to several places",
          "locate": "Locate: where and when a plate is seen",
          "convoy": "Convoy: plates travelling with a target",
          "clones": "Cloned or misread plates: impossible journeys",
          "camera_map": "Camera map: read volume by camera"}
MAX_ROWS = 2000                         # rows per table on paper; the rest are named as left out


def _t(ts: int | None) -> str:
    return local_time(ts).strftime("%Y-%m-%d %H:%M:%S %Z") if ts is not None else "-"


def _read_rows(reads) -> list[list[str]]:
    return [[str(r.id), r.plate, states.shown(r.plate_state), _t(r.read_at), r.camera_id, r.site,
             f"{r.confidence:.2f}"] for r in reads]


READ_HEAD = ["Read id", "Plate", "State", "Time (local)", "Camera", "Site", "Conf."]


def _sections(res: AnalysisResult, unit: str = "km/h") -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, header, rows) for each table of a result; speeds and distances in ``unit``
    (the profile's: mph and miles for US agencies)."""
    q = res.query
    if res.kind == "stakeout":
        places = [[str(i + 1), p.name(i), ", ".join(p.cameras + p.sites), _t(p.start), _t(p.end)]
                  for i, p in enumerate(q.places)]
        plates_ = [[p.plate, ", ".join(str(i + 1) for i in p.places), str(len(p.reads))] for p in res.plates]
        reads = [r for p in res.plates for r in p.reads]
        return [("Places", ["#", "Place", "Cameras / sites", "From", "To"], places),
                (f"Plates seen at {q.min_places} or more places", ["Plate", "Places", "Reads"], plates_),
                ("Matching reads", READ_HEAD, _read_rows(reads))]
    if res.kind == "locate":
        cams = [[c.camera_id, c.name, c.site, str(c.count), _t(c.last_at)] for c in res.cameras]
        hours = [[f"{h:02d}:00", str(n)] for h, n in enumerate(res.by_hour) if n]
        days = [[d, str(n)] for d, n in zip(WEEKDAYS, res.by_weekday)]
        return [("By camera", ["Camera", "Name", "Site", "Reads", "Last read"], cams),
                ("By hour of day (local)", ["Hour", "Reads"], hours),
                ("By weekday (local)", ["Day", "Reads"], days),
                ("Reads, newest first", READ_HEAD, _read_rows(res.reads))]
    if res.kind == "convoy":
        comp = [[str(i + 1), c.plate, str(c.times), str(len(c.cameras)), ", ".join(c.cameras)]
                for i, c in enumerate(res.companions)]
        return [("Target reads", READ_HEAD, _read_rows(res.target_reads)),
                ("Companions, most often first", ["Rank", "Plate", "Times", "Cameras", "Camera ids"], comp),
                ("Companion reads", READ_HEAD, _read_rows([r for c in res.companions for r in c.reads]))]
    if res.kind == "clones":
        rows = [[f.plate, f"{f.first.id} @ {f.first.camera_id}\n{_t(f.first.read_at)}",
                 f"{f.second.id} @ {f.second.camera_id}\n{_t(f.second.read_at)}",
                 f"{timefmt.distance_from_km(f.distance_km, unit):.1f}", f"{f.seconds / 60:.1f}",
                 "-" if math.isinf(f.speed_kmh) else f"{timefmt.speed_from_kmh(f.speed_kmh, unit):.0f}"]
                for f in res.flags]
        return [("Pairs to review", ["Plate", "First read", "Second read", timefmt.distance_unit(unit),
                                     "Minutes", unit], rows)]
    cams = [[c.camera_id, c.name, c.site, "-" if c.lat is None else f"{c.lat:.5f}",
             "-" if c.lon is None else f"{c.lon:.5f}", str(c.reads)] for c in res.cameras]
    offline = [[c.camera_id, _t(start), "still offline" if end is None else _t(end), reason]
               for c in res.cameras for start, end, reason in c.outages]
    return [("Cameras", ["Camera", "Name", "Site", "Latitude", "Longitude", "Reads"], cams),
            ("Cameras offline in the period", ["Camera", "From", "To", "Why"], offline)]


LABELS = {"plate": "Plate", "start": "From", "end": "To", "min_places": "Seen at least at (places)",
          "window_s": "Within (seconds)", "min_cameras": "At least at (cameras)",
          "max_kmh": "Max plausible speed (km/h)", "slack_s": "Clock allowance (seconds)",
          "limit": "Result limit"}


def _params(res: AnalysisResult, unit: str = "km/h") -> list[list[str]]:
    out = []
    for k, v in res.query.to_log().items():
        if k in ("analysis", "places"):
            continue
        if k in ("start", "end"):
            v = _t(v)
        if k == "max_kmh" and unit != "km/h" and v is not None:
            out.append([f"Max plausible speed ({unit})", f"{timefmt.speed_from_kmh(v, unit):.0f}"])
            continue
        out.append([LABELS.get(k, k), "-" if v in (None, "") else str(v)])
    return out


def render(res: AnalysisResult, *, profile, purpose, case_number: str, user, now: float,
           store_id: str, log_anchor: tuple[int, str]) -> bytes:
    """The PDF bytes of one result."""
    register_fonts()                    # DejaVu, embedded: no base-14 font is left unembedded
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading3", "BodyText"):
        styles[name].fontName = BOLD if name != "BodyText" else FONT
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buf = io.BytesIO()
    printed = datetime.fromtimestamp(now, timezone.utc)
    banner = f"{profile.agency}  |  Case {case_number}  |  Purpose {purpose.code}"

    def decorate(c, doc) -> None:
        c.saveState()
        c.setFont(BOLD, 8)
        c.drawString(0.6 * inch, LETTER[1] - 0.45 * inch, banner)
        c.setFont(FONT, 7)
        c.drawString(0.6 * inch, 0.45 * inch, "ALPR information: law-enforcement sensitive.")
        c.drawString(0.6 * inch, 0.32 * inch, f"Use and release only as allowed by {profile.policy_reference}"
                     f" and {profile.statute}.")
        c.restoreState()

    class Numbered(pdfcanvas.Canvas):
        """Two passes so each page can say 'page x of y'."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(BOLD, 8)
                self.drawRightString(LETTER[0] - 0.6 * inch, LETTER[1] - 0.45 * inch,
                                     f"Page {self._pageNumber} of {len(self._pages)}")
                super().showPage()
            super().save()

    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.7 * inch,
                            title=TITLES[res.kind], author=user.full_name, initialFontName=FONT,
                            keywords=f"alpr-log-anchor:{log_anchor[0]}:{log_anchor[1]}")
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONTNAME", (0, 0), (-1, -1), FONT),
                       ("FONTSIZE", (0, 0), (-1, -1), 8),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                       ("FONTNAME", (0, 0), (-1, 0), BOLD), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    who = [["Agency", profile.agency], ["Case number", case_number],
           ["Purpose", f"{purpose.code}: {purpose.label}"],
           ["Printed by", f"{user.full_name} ({user.username}), {profile.role(user.role).title}"
                          + ("" if user.agency in profile.role(user.role).title else f", {user.agency}")],
           ["Printed at", f"{_t(int(now))}  ({printed:%Y-%m-%d %H:%M:%S} UTC)"],
           ["Workstation", store_id],
           ["Access-log anchor", f"entry {log_anchor[0]}, hash {log_anchor[1]}"]] + _params(res, profile.speed_unit)
    story = [Paragraph(TITLES[res.kind], styles["Title"]),
             Table([[Paragraph(a, small), Paragraph(b, small)] for a, b in who],
                   colWidths=[1.4 * inch, 5.7 * inch], style=grid)]
    for heading, head, rows in _sections(res, profile.speed_unit):
        story += [Spacer(1, 10), Paragraph(heading, styles["Heading3"])]
        if not rows:
            story.append(Paragraph("None found.", small))
            continue
        shown = rows[:MAX_ROWS]
        story.append(Table([head] + shown, repeatRows=1, style=grid))
        if len(rows) > len(shown):
            story.append(Paragraph(f"{len(rows) - len(shown)} more rows are not printed; "
                                   "export the result as evidence for the full list.", small))
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=Numbered)
    return buf.getvalue()

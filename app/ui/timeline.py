"""A small timeline of a plate's sightings, drawn with QPainter.

Investigators read patterns from when and where a plate was seen; a dot per sighting on a
time axis, one row per site, shows that at a glance without a charting library. The read
being viewed is drawn larger and in the accent colour.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from app.engine import timefmt
from app.engine.search import ReadRow

ACCENT = QColor("#c62828")
DOT = QColor("#1565c0")


class TimelineChart(QWidget):
    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__()
        self.tz = tz                    # the axis is labelled in the profile's zone
        self.setObjectName("timeline")
        self.setMinimumHeight(110)
        self.current: ReadRow | None = None
        self.others: list[ReadRow] = []

    def set_reads(self, current: ReadRow | None, others: list[ReadRow]) -> None:
        self.current, self.others = current, list(others)
        self.update()

    def _all(self) -> list[ReadRow]:
        return ([self.current] if self.current else []) + self.others

    def paintEvent(self, _event) -> None:   # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#fafafa"))
        reads = self._all()
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
        p.setFont(small)
        if not reads:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No sightings")
            return
        sites = sorted({r.site for r in reads})
        label_w, left_pad, right_pad, top, bottom = 150, 8, 12, 8, 22
        plot = QRectF(label_w, top, max(10, self.width() - label_w - right_pad),
                      max(10, self.height() - top - bottom))
        t0, t1 = min(r.read_at for r in reads), max(r.read_at for r in reads)
        span = max(t1 - t0, 60)
        row_h = plot.height() / len(sites)
        p.setPen(QPen(QColor("#bbb")))
        for i, site in enumerate(sites):
            y = plot.top() + row_h * (i + 0.5)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#333"))
            text = p.fontMetrics().elidedText(site, Qt.TextElideMode.ElideRight,
                                              int(label_w - left_pad - 8))
            p.drawText(QRectF(left_pad, y - 9, label_w - left_pad - 4, 18),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            p.setPen(QPen(QColor("#bbb")))
        p.setPen(QColor("#555"))
        fmt = "%Y-%m-%d %H:%M %Z" if plot.width() >= 300 else "%Y-%m-%d %Z"
        half = plot.width() / 2
        for ts, align in ((t0, Qt.AlignmentFlag.AlignLeft), (t0 + span, Qt.AlignmentFlag.AlignRight)):
            x = plot.left() if align == Qt.AlignmentFlag.AlignLeft else plot.left() + half
            p.drawText(QRectF(x, plot.bottom() + 4, half, 16), align,
                       timefmt.local(ts, self.tz).strftime(fmt))
        p.drawText(QRectF(left_pad, plot.bottom() + 4, label_w - left_pad - 4, 16),
                   Qt.AlignmentFlag.AlignRight,
                   f"{len(reads)} sighting{'s' if len(reads) != 1 else ''}")
        for r in reversed(reads):
            x = plot.left() + plot.width() * ((r.read_at - t0) / span if t1 > t0 else 0.5)
            y = plot.top() + row_h * (sites.index(r.site) + 0.5)
            is_current = self.current is not None and r.id == self.current.id
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(ACCENT if is_current else DOT)
            radius = 6 if is_current else 3.5
            p.drawEllipse(QPointF(x, y), radius, radius)
        p.end()

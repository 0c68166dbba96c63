"""Drawing helpers of the street map (``street_map.py``): cameras, stakeout places and a day's
path, in widget pixels so their size does not change with the zoom."""
from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF

CAMERA_R = 7.0
PATH = QColor("#d35400")
PLACE = QColor("#2e7d32")


def draw_camera(p: QPainter, at: QPointF, label: str, colour: QColor | None, note: str,
                chosen: bool, taken: list[QRectF]) -> QRectF:
    """A square marker and its label, moved down past labels already drawn (``taken``);
    returns where the label went."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QBrush(colour or QColor("#ffffff")))
    p.setPen(QPen(QColor("#0b57d0") if chosen else QColor("#333333"), 3 if chosen else 1.3))
    p.drawRect(QRectF(at.x() - CAMERA_R, at.y() - CAMERA_R, 2 * CAMERA_R, 2 * CAMERA_R))
    text = f"{label}  {note}" if note else label
    box = p.fontMetrics().boundingRect(text).toRectF()
    box.moveTo(at.x() + CAMERA_R + 4, at.y() - CAMERA_R - 10)
    while any(box.intersects(t) for t in taken):
        box.translate(0, box.height() + 1)
    p.setBrush(QBrush(QColor(255, 255, 255, 200)))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRect(box.adjusted(-2, 0, 2, 0))
    p.setPen(QPen(QColor("#0b57d0") if chosen else QColor("#222222")))
    p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    return box


def draw_places(p: QPainter, places: list[tuple[str, tuple[str, ...]]],
                cams: dict[str, tuple[float, float]], screen: Callable[[float, float], QPointF]) -> None:
    """A green ring around each stakeout place's cameras, with its name."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for label, ids in places:
        pts = [screen(*cams[c]) for c in ids if c in cams]
        if not pts:
            continue
        cx = sum(q.x() for q in pts) / len(pts)
        cy = sum(q.y() for q in pts) / len(pts)
        r = max([math.hypot(q.x() - cx, q.y() - cy) for q in pts] + [0.0]) + 26
        p.setBrush(QBrush(QColor(46, 125, 50, 28)))
        p.setPen(QPen(PLACE, 2, Qt.PenStyle.DashLine))
        p.drawEllipse(QPointF(cx, cy), r, r)
        p.setPen(QPen(PLACE))
        p.drawText(QPointF(cx - r * 0.7, cy - r - 4), label)


def draw_path(p: QPainter, stops: list[tuple[QPointF, int]], label: Callable[[int], str]) -> None:
    """The stops joined in order with arrows, each numbered with its time."""
    if not stops:
        return
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(PATH, 3))
    for (a, _), (b, _) in zip(stops, stops[1:]):
        if a != b:
            p.drawLine(a, b)
            _arrow(p, a, b)
    taken: list[QRectF] = []                # stops at one camera, or cameras metres apart, stack
    for n, (at, ts) in enumerate(stops, 1):
        box = QRectF(at.x() - 30, at.y() + 10, 60, 14)
        while any(box.intersects(t) for t in taken):
            box.translate(0, 15)
        taken.append(box)
        p.setBrush(QBrush(QColor("#ffffff")))
        p.setPen(QPen(PATH, 1))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QPen(QColor("#222222")))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, f"{n}. {label(ts)}")


def _arrow(p: QPainter, a: QPointF, b: QPointF) -> None:
    ang = math.atan2(b.y() - a.y(), b.x() - a.x())
    mid = QPointF((a.x() + b.x()) / 2, (a.y() + b.y()) / 2)
    wing = [QPointF(mid.x() - 11 * math.cos(ang - s), mid.y() - 11 * math.sin(ang - s)) for s in (0.45, -0.45)]
    p.setBrush(QBrush(PATH))
    p.drawPolygon(QPolygonF([mid, wing[0], wing[1]]))

"""Finding plate-shaped regions in a scene photo with OpenCV (no network).

Why two cues: a plate is (a) a row of 4-8 character blobs of the same height, side by side,
and (b) a small rectangle dense in vertical edges. Each cue alone misses plates (dirty,
small, low contrast); their union, scored later by the recogniser, rarely does. The boxes
are proposals only: the reader keeps the ones whose reading looks like a plate.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 1280


@dataclass(frozen=True)
class Proposal:
    """A box (x, y, w, h) in the input image, with the cue that found it."""

    box: tuple[int, int, int, int]
    cue: str
    score: float


def _char_rows(gray: np.ndarray, invert: bool) -> list[tuple[float, tuple[int, int, int, int]]]:
    """Rows of similar, aligned character blobs -> plate boxes around them."""
    src = 255 - gray if invert else gray
    bw = cv2.adaptiveThreshold(src, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 10)
    n, _, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    keep = (h >= 9) & (h <= 120) & (w >= 2) & (w <= h * 1.1) & (h >= w * 1.2) \
        & (area >= 0.15 * w * h) & (area <= 0.9 * w * h)
    blobs = np.stack([x, y, w, h], 1)[keep]
    if len(blobs) == 0:
        return []
    blobs = blobs[np.argsort(blobs[:, 0])]
    out = []
    used = np.zeros(len(blobs), bool)
    cy = blobs[:, 1] + blobs[:, 3] / 2.0
    for i in range(len(blobs)):
        if used[i]:
            continue
        bx, by, bw_, bh = blobs[i]
        members = [i]
        last = i
        for j in range(i + 1, len(blobs)):
            jx, _, jw, jh = blobs[j]
            lx, _, lw, lh = blobs[last]
            if jx - (lx + lw) > 1.6 * bh:
                break
            if abs(jh - bh) < 0.25 * bh and abs(cy[j] - cy[last]) < 0.3 * bh and jx > lx:
                members.append(j)
                last = j
        if 4 <= len(members) <= 10:
            used[members] = True
            m = blobs[members]
            x0, y0 = m[:, 0].min(), m[:, 1].min()
            x1, y1 = (m[:, 0] + m[:, 2]).max(), (m[:, 1] + m[:, 3]).max()
            lh = y1 - y0
            if (x1 - x0) < 1.5 * lh or (x1 - x0) > 9 * lh:
                continue
            pw = (x1 - x0) * 1.18 + lh * 0.4
            ph = lh * 1.9
            cx, cyy = (x0 + x1) / 2, (y0 + y1) / 2
            out.append((float(len(members)),
                        (int(cx - pw / 2), int(cyy - ph / 2), int(pw), int(ph))))
    return out


def _edge_boxes(gray: np.ndarray) -> list[tuple[float, tuple[int, int, int, int]]]:
    """Rectangles dense in vertical edges (character strokes), plate-like in shape."""
    gx = cv2.Sobel(gray, cv2.CV_16S, 1, 0, ksize=3)
    mag = cv2.convertScaleAbs(gx)
    _, bw = cv2.threshold(mag, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    out = []
    for kw in (17, 27):
        close_k = cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 3))
        open_k = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
        closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, close_k)
        closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, open_k)
        cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in cnts:
            x, y, w, h = cv2.boundingRect(c)
            if h < 10 or w < 30 or h > 200 or not (1.5 <= w / h <= 6.0):
                continue
            fill = cv2.contourArea(c) / float(w * h)
            if fill < 0.45:
                continue
            out.append((fill, (int(x - 0.05 * w), int(y - 0.3 * h), int(1.1 * w), int(1.6 * h))))
    return out


def _nms(items: list[tuple[float, tuple[int, int, int, int], str]], thr: float = 0.5):
    items = sorted(items, key=lambda t: -t[0])
    kept: list[tuple[float, tuple[int, int, int, int], str]] = []
    for s, b, cue in items:
        if all(iou(b, k[1]) < thr for k in kept):
            kept.append((s, b, cue))
    return kept


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def propose(image: np.ndarray, limit: int = 40) -> list[Proposal]:
    """Plate box proposals for a BGR scene photo, most plate-like first."""
    h, w = image.shape[:2]
    scale = min(1.0, WORK_WIDTH / max(w, h))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else image
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    items = [(s + 10, b, "chars") for inv in (False, True) for s, b in _char_rows(gray, inv)]
    items += [(s, b, "edges") for s, b in _edge_boxes(gray)]
    out = []
    for s, (x, y, bw, bh), cue in _nms(items)[:limit]:
        x0, y0 = max(0, int(x / scale)), max(0, int(y / scale))
        x1, y1 = min(w, int((x + bw) / scale)), min(h, int((y + bh) / scale))
        if x1 - x0 >= 8 and y1 - y0 >= 6:
            out.append(Proposal((x0, y0, x1 - x0, y1 - y0), cue, s))
    return out

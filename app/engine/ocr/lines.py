"""Locating the main character line of a plate crop (not the state name, slogan or stickers).

Why: easyocr's recogniser reads whatever text it is given, so it must be handed only the
registration line. That line is the row of the tallest, same-height character blobs.
"""
from __future__ import annotations

import cv2
import numpy as np


def _blobs(gray: np.ndarray, invert: bool) -> np.ndarray:
    h = gray.shape[0]
    src = 255 - gray if invert else gray
    block = max(3, (h // 4) | 1)
    bw = cv2.adaptiveThreshold(src, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                               block, 7)
    n, _, st, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    x, y, w, bh, area = (st[1:, i] for i in range(5))
    keep = (bh >= 0.22 * h) & (bh <= 0.85 * h) & (w <= bh * 1.2) & (w >= 2) \
        & (area >= 0.12 * w * bh)
    return np.stack([x, y, w, bh], 1)[keep]


def _best_row(gray: np.ndarray) -> np.ndarray | None:
    """Blobs (x, y, w, h) of the row of tallest same-height character blobs, or None."""
    best, best_score = None, 0.0
    for invert in (False, True):
        b = _blobs(gray, invert)
        if len(b) < 3:
            continue
        cy = b[:, 1] + b[:, 3] / 2.0
        for i in range(len(b)):
            ref_h, ref_cy = b[i, 3], cy[i]
            m = b[(np.abs(b[:, 3] - ref_h) < 0.2 * ref_h) & (np.abs(cy - ref_cy) < 0.25 * ref_h)]
            if len(m) < 3:
                continue
            score = len(m) * ref_h
            if score > best_score:
                best, best_score = m, score
    return best


def skew_angle(gray: np.ndarray) -> float:
    """Degrees the main line slopes by (positive: down to the right); 0 when unsure."""
    row = _best_row(gray)
    if row is None or len(row) < 4:
        return 0.0
    cx = row[:, 0] + row[:, 2] / 2.0
    cy = row[:, 1] + row[:, 3] / 2.0
    if np.ptp(cx) < 1:
        return 0.0
    slope = np.polyfit(cx, cy, 1)[0]
    return float(np.degrees(np.arctan(slope)))


def find_main_line(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the registration line in a grey plate crop, or None if unsure."""
    row = _best_row(gray)
    if row is None:
        return None
    x0, y0 = row[:, 0].min(), row[:, 1].min()
    x1, y1 = (row[:, 0] + row[:, 2]).max(), (row[:, 1] + row[:, 3]).max()
    x, y, w, h = int(x0), int(y0), int(x1 - x0), int(y1 - y0)
    pad_x, pad_y = int(0.4 * h), int(0.12 * h)
    H, W = gray.shape[:2]
    x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
    x1, y1 = min(W, x + w + pad_x), min(H, y + h + pad_y)
    return x0, y0, x1 - x0, y1 - y0
